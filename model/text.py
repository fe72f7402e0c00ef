"""Cleaning of scraped Chinese news articles.

``clean_article(raw)`` turns one raw article into :class:`CleanArticle`: its
body as one paragraph per line (simplified characters, no pinyin, no site
chrome), plus the title, date, source and author it found, as metadata.

The cleaning is an ordered tuple of named steps (:data:`CLEANING_STEPS`).
``explain(raw)`` yields ``(step_name, text)`` from the very loop that
``clean_article`` runs, so what it shows is what the product does.

The boilerplate rules are written for *kinds* of noise (breadcrumbs, bylines,
share widgets, disclaimers, footers, tag clouds, page numbers, repeated leads),
not for the strings of particular sites.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterator

from .chars import collapse_spaces, normalize_width, strip_pinyin, to_simplified
from .dates import date_parts, normalise_date

__all__ = [
    "CleanArticle",
    "CLEANING_STEPS",
    "clean_article",
    "explain",
    "join_wrapped_lines",
    "strip_boilerplate",
    "drop_repeated_paragraphs",
    "classify_line",
    "TERMINAL_PUNCT",
]

TERMINAL_PUNCT = "。！？；…!?;"
_CLOSERS = "”’」』）)》"


@dataclass
class CleanArticle:
    """A cleaned article: ``text`` holds one paragraph (or heading) per line."""

    text: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    author: str | None = None


def _ends_sentence(line: str) -> bool:
    line = line.rstrip(_CLOSERS + " ")
    return bool(line) and line[-1] in TERMINAL_PUNCT


# --- step: join wrapped lines into paragraphs ----------------------------------------------

def _join(left: str, right: str) -> str:
    if left and right and (ord(left[-1]) > 0x2E80 or ord(right[0]) > 0x2E80):
        return left + right
    return f"{left} {right}"


def join_wrapped_lines(text: str) -> str:
    """Rebuild paragraphs, one per output line.

    Paragraph breaks are blank lines and indented lines. Inside a block of
    consecutive lines, the block's own style decides: when most of its lines end
    a sentence, each line is a paragraph (sites that put one paragraph per
    line, with short headings between them); otherwise the block is wrapped
    text (transcripts broken around links) and a line that does not end a
    sentence continues on the next one.
    """
    paragraphs: list[str] = []
    block: list[tuple[bool, str]] = []

    def flush() -> None:
        if not block:
            return
        ending = sum(_ends_sentence(line) for _, line in block)
        wrapped = len(block) > 1 and ending * 2 < len(block)
        current = ""
        for indented, line in block:
            if (current and wrapped and not indented and not _ends_sentence(current)
                    and classify_line(current) is None and classify_line(line) is None):
                current = _join(current, line)
            else:
                if current:
                    paragraphs.append(current)
                current = line
        if current:
            paragraphs.append(current)
        block.clear()

    for raw_line in text.split("\n"):
        line = collapse_spaces(raw_line)
        if not line:
            flush()
            continue
        indented = raw_line[:1] in (" ", "\t") and bool(block)
        if indented:
            flush()
        block.append((indented, line))
    flush()
    return "\n".join(paragraphs)


# --- step: strip boilerplate, extract metadata -------------------------------------------

_DATE = re.compile(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?")
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")
_URL = re.compile(r"(?:https?://|www\.)[\w./%?=&#-]+|\b[\w-]+\.(?:com|cn|net|org|gov)(?:\.cn)?\b", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_META_KEYS = re.compile(
    r"(来源|稿源|出处|作者|发布时间|发布日期|发表时间|更新时间|时间|日期|浏览|阅读|点击|字号|本文提供方|原文来源)\s*[：:]"
)
_META_VALUE = re.compile(r"(来源|稿源|出处)\s*[：:]\s*(?!责任|编辑|作者)([^\s：:]+?)(?=\s|$|作者|责任|编辑|浏览|阅读|点击|记者|本文|原文|发布|时间|日期)")
_BREADCRUMB = re.compile(r"(?:[^>›»→]{1,20}\s*[>›»→]\s*){2,}[^>›»→]{0,20}$")
_BREADCRUMB_HEAD = re.compile(r"^(您?(所在|当前|现在)的?位置|当前位置|您的位置|位置)\s*[：:]?")
_LOADING = re.compile(r"^(加载中|正在加载|loading)\s*[.。…]*$", re.I)
_PAGE_NUMBER = re.compile(r"^(\d{1,3}|第\s*\d+\s*页.*|[\[【]?\s*\d+\s*[\]】]?|((上一页|下一页|首页|尾页|末页|\d+)\s*){2,})$")
_BYLINE = re.compile(
    r"^[□■◎●▲△◆◇★☆]?\s*[（(【\[]?\s*"
    r"(本报|本台|本网|全媒体|融媒体|新华社|特约|见习)?\s*"
    r"(记者|通讯员|文/图|图/文|文/摄|文|图|摄影|摄像|视频|作者|撰文|撰稿|编辑|责编|责任编辑|主编|审核|审校|审稿|校对|终审|"
    r"初审|复审|二审|三审|监制|制作|出品|策划|统筹|编审|值班编辑|本期编辑|文字编辑|视频编辑|美编|校审|来源|本文来源|"
    r"原标题|原文标题|供稿|通讯员|图片来源|图片|编译|整理|翻译)"
    r"\s*[：:/|丨｜\s]"
)
_PAREN_NOTE = re.compile(r"^[（(]\s*(完|终|记者[^)）]*|[^)）]{0,8}编辑\s*[：:][^)）]*|[^)）]{0,6}(来源|稿件)[：:][^)）]*)\s*[)）]$")
_WIDGET = re.compile(
    r"微信|微博|公众号|扫一扫|扫码|二维码|分享到|分享至|打印本页|打印|关闭窗口|收藏|字号|客户端|下载APP|APP下载|点赞|在看|"
    r"阅读原文|返回顶部|上一篇|下一篇|相关新闻|相关阅读|相关文章|相关链接|热门|推荐阅读|延伸阅读|评论|阅读量|浏览量|"
    r"浏览次数|点击数|点击量|纠错|举报|【大|大\s*中\s*小|更多>>|更多",
    re.I,
)
_DISCLAIMER = re.compile(
    r"仅代表作者|代表作者本人|仅代表个人观点|不代表本|与本网站?立场无关|本站立场|版权声明|版权归|版权所有|未经(授权|许可|书面)|"
    r"转载请|如需转载|如若转载|免责声明|信息存储空间|投资有风险|不希望(作品|文章)|要求撤下|请联系删除|联系删除|"
    r"一经查实|立刻删除|转载信息目的|传递更多信息|本文来自|本文转自|文章来源于|信息发布传播服务|copyright|©|all rights reserved|"
    r"点击上方|长按识别|长按二维码|关注我们|预览时标签不可点|向上滑动|写留言",
    re.I,
)
# Words that mark a disclaimer or widget only in a short line: news reports
# use them too ("打击侵权假冒", "高度赞赏").
_DISCLAIMER_SHORT = re.compile(r"侵权|赞赏")
MAX_SHORT_DISCLAIMER_CHARS = 60
_FOOTER = re.compile(
    r"ICP\s*[备证]|公网安备|网安备|增值电信|主办\s*[：:]|主办单位|承办\s*[：:]|技术支持\s*[：:]|联系电话|联系邮箱|投稿邮箱|"
    r"删稿|邮编\s*[：:]|违法和不良信息|举报电话|网站地图|关于我们|联系我们",
    re.I,
)
_TAG_LABEL = re.compile(r"^(标签|关键词|关键字|tags?|热词|热门标签)\s*[：:]", re.I)
_ID_LINE = re.compile(r"^(ID|微信号|公众号ID)\s*[：:]\s*\S+$", re.I)
_DATELINE_PREFIX = re.compile(
    r"^(?:[^，。：:]{2,16}消息\s*[（(][^）)]{1,12}[）)]\s*[：:]|"
    r"(?:新华社|中新社|本报|人民网|新华网|央视网|中国网络电视台)[^，。]{0,16}(?:电|讯|消息)\s*[（(]?[^）)，。]{0,12}[）)]?\s*[：:]?)"
)
# An editor/source note glued to the end of the last paragraph: "…。(视频编辑：A 文字编辑：B)".
_TRAILING_NOTE = re.compile(r"\s*[（(][^（()）]{0,30}(?:编辑|来源|记者|通讯员)\s*[：:][^（()）]{0,60}[)）]\s*$")
_HEADING_NUMBER = re.compile(r"^([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\)|第[一二三四五六七八九十]+[部分章节条]|[A-H][^A-Za-z])")


def _is_body_like(line: str) -> bool:
    """A line that reads as running text rather than a label."""
    return len(line) >= 40 and bool(re.search(r"[，。；！？]", line))


def _is_content_like(line: str) -> bool:
    """Running text, or a shorter line that still ends a sentence (a one-line
    article or a short paragraph is content, not a title or a label)."""
    return _is_body_like(line) or (len(line) >= 8 and _ends_sentence(line))


def _looks_like_tag_cloud(line: str) -> bool:
    """Many short items separated by pipes, no sentence."""
    pipes = line.count("|") + line.count("｜")
    return pipes >= 4 and not _ends_sentence(line) and len(line) / (pipes + 1) <= 12


# Length gates of classify_line, in characters: a line longer than its gate is
# never taken for that kind of noise, however its words look.
MAX_NOISE_LINE_CHARS = 300  # past this a line is running text (a disclaimer or tag cloud at most)
MAX_BREADCRUMB_CHARS = 120
MAX_METADATA_CHARS = 160  # date/source/editor lines
MAX_BARE_DATE_LINE_CHARS = 30  # a date with nothing that marks it as metadata
MAX_BYLINE_CHARS = 60
MAX_FOOTER_CHARS = 200
MAX_WIDGET_CHARS = 30  # share buttons, "打印本页", …


def classify_line(line: str) -> str | None:
    """Return the noise kind of one paragraph-line, or None for content.

    Kinds: ``breadcrumb``, ``loading``, ``metadata``, ``byline``, ``widget``,
    ``disclaimer``, ``footer``, ``tag_cloud``, ``page_number``.
    """
    n = len(line)
    if n > MAX_NOISE_LINE_CHARS:  # running text; only a very long tag cloud is this long
        return "tag_cloud" if ("|" in line or "｜" in line) and _looks_like_tag_cloud(line) else None
    if _LOADING.match(line):
        return "loading"
    if _PAGE_NUMBER.match(line):
        return "page_number"
    if n <= MAX_BREADCRUMB_CHARS and (_BREADCRUMB_HEAD.match(line) or (
            any(sep in line for sep in ">›»→") and _BREADCRUMB.search(line) and not _ends_sentence(line))):
        return "breadcrumb"
    if _TAG_LABEL.match(line) or _looks_like_tag_cloud(line):
        return "tag_cloud"
    if _ID_LINE.match(line):
        return "metadata"
    if n <= MAX_METADATA_CHARS and not line.endswith("。") and (
        (_DATE.search(line) and (_TIME.search(line) or _META_KEYS.search(line) or _URL.search(line)
                                 or n <= MAX_BARE_DATE_LINE_CHARS))
        or _META_KEYS.match(line)
    ):
        return "metadata"
    if n <= MAX_BYLINE_CHARS and _BYLINE.match(line) and not re.search(r"[，。！？]", line):
        return "byline"
    if _PAREN_NOTE.match(line):
        return "byline"
    if (m := _DATELINE_PREFIX.match(line)) and _is_content_like(line[m.end():]):
        return None  # "央视网消息（新闻联播）：…": a dateline opens the body; the sentence after it is content
    if n <= MAX_NOISE_LINE_CHARS and _DISCLAIMER.search(line):
        return "disclaimer"
    if n <= MAX_SHORT_DISCLAIMER_CHARS and _DISCLAIMER_SHORT.search(line):
        return "disclaimer"
    if n <= MAX_FOOTER_CHARS and (_FOOTER.search(line) or ("@" in line and _EMAIL.search(line) and not _is_body_like(line))):
        return "footer"
    if n <= MAX_WIDGET_CHARS and not _ends_sentence(line) and _WIDGET.search(line):
        return "widget"
    return None


def _extract_date(line: str) -> str | None:
    """The line's full date as ``YYYY-MM-DD`` (the one date normaliser, :mod:`.dates`)."""
    parts = date_parts(line)
    return normalise_date(line) if parts is not None and parts[2] is not None else None


def _extract_source(line: str) -> str | None:
    m = _META_VALUE.search(line)
    if not m:
        return None
    value = m.group(2).strip("【】[]「」《》 ")
    return value or None


class _BoilerplateStripper:
    """Classifies every line once; keeps content, collects metadata."""

    def __init__(self, text: str):
        self.lines = [line for line in text.split("\n") if line]
        self.meta: dict[str, str | None] = {"title": None, "date": None, "source": None, "author": None}

    def run(self) -> list[str]:
        lines = self.lines
        kinds = [classify_line(line) for line in lines]
        body = [i for i, line in enumerate(lines) if kinds[i] is None and _is_content_like(line)]
        if not body:  # nothing reads as running text (a pasted phrase, one short line): the plain lines are content
            body = [i for i in range(len(lines)) if kinds[i] is None]
        first_body = body[0] if body else len(lines)
        last_body = body[-1] if body else -1
        kept: list[str] = []
        for i, line in enumerate(lines):
            kind = kinds[i]
            if kind == "metadata" or kind == "byline":
                self._harvest(line)
                continue
            if kind is not None:
                continue
            if i < first_body:
                # Head zone: title, site names, author names, labels. Keep only
                # numbered section headings; take the first line followed by a
                # metadata line (or the first substantial line) as the title.
                nxt = next((kinds[j] for j in range(i + 1, min(i + 3, len(lines))) if kinds[j] != "loading"), None)
                if _HEADING_NUMBER.match(line) and self.meta["title"]:
                    kept.append(line)
                elif self.meta["title"] is None and 6 <= len(line) <= 100 and not line.endswith("。") and (
                    nxt in ("metadata", "byline") or i == 0
                ):
                    self.meta["title"] = line
                elif self.meta["author"] is None and re.fullmatch(r"[\u4e00-\u9fff·]{2,4}", line):
                    self.meta["author"] = line
                continue
            if i > last_body and not _ends_sentence(line) and not _is_body_like(line):
                continue  # tail zone: trailing labels and site chrome
            if i == first_body and (m := _DATELINE_PREFIX.match(line)):
                line = line[m.end():].lstrip()
            if i >= last_body - 1:
                line = _TRAILING_NOTE.sub("", line)
            kept.append(line)
        return kept

    def _harvest(self, line: str) -> None:
        if self.meta["date"] is None:
            self.meta["date"] = _extract_date(line)
        if self.meta["source"] is None:
            self.meta["source"] = _extract_source(line)
        if self.meta["author"] is None:
            m = re.search(r"(?:作者|记者)\s*[：:]?\s*(?:本报记者|全媒体记者|记者)?\s*([\u4e00-\u9fff·]{2,4})(?:\s|$)", line)
            if m:
                self.meta["author"] = m.group(1)


def strip_boilerplate(text: str) -> str:
    """Drop breadcrumbs, metadata and byline lines, widgets, disclaimers,
    footers, tag clouds, page numbers and head/tail site chrome."""
    return _harvesting_strip(text, {})


# --- step: repeated leads and duplicates -------------------------------------------------

_TRAILING_ELLIPSIS = re.compile(r"[.。…\s]+$")


def drop_repeated_paragraphs(text: str) -> str:
    """Drop a summary that repeats the start of a following paragraph, and any
    exact repeat of an earlier paragraph."""
    paragraphs = text.split("\n")
    kept: list[str] = []
    seen: set[str] = set()
    for i, para in enumerate(paragraphs):
        if para in seen and len(para) > 12:
            continue
        stem = _TRAILING_ELLIPSIS.sub("", para)
        if len(stem) >= 15 and any(
            other != para and other.startswith(stem) for other in paragraphs[i + 1 : i + 4]
        ):
            continue
        seen.add(para)
        kept.append(para)
    return "\n".join(kept)


# --- the ordered steps ------------------------------------------------------------------------

Step = Callable[[str, dict], str]


def _harvesting_strip(text: str, meta: dict) -> str:
    """:func:`strip_boilerplate` that also records the title, date, source and
    author it finds in ``meta``."""
    stripper = _BoilerplateStripper(text)
    text = "\n".join(stripper.run())
    meta.update(stripper.meta)
    return text


def _pure(step: Callable[[str], str]) -> Step:
    """A ``str -> str`` step in the loop's ``(text, meta) -> text`` form."""
    def run(text: str, meta: dict) -> str:
        return step(text)
    run.__name__ = step.__name__
    return run


CLEANING_STEPS: tuple[tuple[str, Step], ...] = (
    ("strip_pinyin", _pure(strip_pinyin)),
    ("normalize_width", _pure(normalize_width)),
    ("to_simplified", _pure(to_simplified)),
    ("join_wrapped_lines", _pure(join_wrapped_lines)),
    ("strip_boilerplate", _harvesting_strip),
    ("drop_repeated_paragraphs", _pure(drop_repeated_paragraphs)),
)
"""The cleaning steps in order; every one is called the same way,
``text = step(text, meta)``, by the one loop that :func:`clean_article` and
:func:`explain` share."""


def _iter_steps(raw: str, meta: dict) -> Iterator[tuple[str, str]]:
    text = raw
    for name, step in CLEANING_STEPS:
        text = step(text, meta)
        yield name, text


def explain(raw: str) -> Iterator[tuple[str, str]]:
    """Yield ``(step_name, text_after_step)`` for each cleaning step."""
    yield from _iter_steps(raw, {})


def clean_article(raw: str) -> CleanArticle:
    """Clean one raw article; see the module docstring."""
    if not isinstance(raw, str):
        raise TypeError(f"expected str, got {type(raw).__name__}")
    meta: dict = {}
    text = raw
    for _name, text in _iter_steps(raw, meta):
        pass
    return CleanArticle(text=text, **meta)
