"""Character-level normalisation: full-width forms, pinyin annotations, t2s.

Each public function is a pure ``str -> str`` step. The traditional→simplified
step wraps the pure-Python OpenCC (``opencc-python-reimplemented``) and only
hands it the chunks that can change, which keeps it off the hot path for text
that is already simplified (see ``docs/benchmarks.md``).
"""
from __future__ import annotations

import logging
import os
import re
import unicodedata
from functools import lru_cache

logger = logging.getLogger(__name__)

# --- full-width forms and whitespace -------------------------------------------------

# Chinese punctuation written with full-width code points stays as it is: it is
# part of the text ("keep Chinese punctuation"). Everything else in the
# full-width ASCII block (letters, digits, %, +, @ …) becomes plain ASCII.
_KEEP_FULLWIDTH = set("，。：；！？（）【】「」『』《》〈〉“”‘’、…—～")
_FULLWIDTH_TABLE = {
    code: code - 0xFEE0
    for code in range(0xFF01, 0xFF5F)
    if chr(code) not in _KEEP_FULLWIDTH
}
_FULLWIDTH_TABLE.update({
    0x3000: 0x20,  # ideographic space
    0x00A0: 0x20,  # no-break space
    0x200B: None,  # zero-width space
    0x200C: None,
    0x200D: None,
    0x2060: None,
    0xFEFF: None,  # BOM / zero-width no-break space
})
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
# ASCII punctuation between CJK characters is Chinese punctuation typed on an
# ASCII keyboard; give it its Chinese form so sentence splitting sees it.
_ASCII_TO_CJK_PUNCT = {",": "，", ";": "；", "!": "！", "?": "？", ":": "："}
_ASCII_PUNCT_IN_CJK = re.compile(
    rf"(?<=[{_CJK}”）》])([,;!?:])(?=\s*[{_CJK}“《（\d])"
)
_SOFT_BREAK = re.compile(r"\n[ \t]*(?:[\u200b\u200c\u200d\u2060\ufeff][ \t]*)+(?=\n)")
_ASCII_END_PUNCT_IN_CJK = re.compile(rf"(?<=[{_CJK}”）》])([!?;])(?=[ \t]*(?:$|[”’]))", re.M)
_INLINE_SPACE = re.compile(r"[ \t\f\v]+")


def normalize_width(text: str) -> str:
    """Map full-width ASCII to ASCII (but not Chinese punctuation), drop
    zero-width characters, unify line breaks and spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    # A line holding only zero-width characters is a transcription artefact
    # inside a wrapped paragraph, not a paragraph break.
    text = _SOFT_BREAK.sub("", text)
    text = text.translate(_FULLWIDTH_TABLE)
    text = unicodedata.normalize("NFC", text)
    text = _ASCII_PUNCT_IN_CJK.sub(lambda m: _ASCII_TO_CJK_PUNCT[m.group(1)], text)
    text = _ASCII_END_PUNCT_IN_CJK.sub(lambda m: _ASCII_TO_CJK_PUNCT[m.group(1)], text)
    return text


def collapse_spaces(line: str) -> str:
    """Collapse runs of inline whitespace; remove spaces between CJK characters."""
    line = _INLINE_SPACE.sub(" ", line).strip()
    return re.sub(rf"(?<=[{_CJK}，。：；！？、“”（）])\s+(?=[{_CJK}，。：；！？、“”（）])", "", line)


# --- pinyin annotations ----------------------------------------------------------------

_TONE_MARKS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_PLAIN_VOWEL = str.maketrans(
    "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ",
    "aaaaeeeeiiiioooouuuuvvvvvnnnm",
)
_SYLLABLE = re.compile(
    r"^(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|er|"
    r"ia|ie|iu|in|ua|uo|ui|un|ue|ve|vn|a|o|e|i|u|v)$"
    r"|^(?:m|n|ng|hm|hng)$"
)
# A pinyin annotation is glued right after a CJK character, in half- or
# full-width parentheses, and holds one lower-case syllable (tone marks or
# not). After mojibake (``確?!胺€(wěn)星``) the character before it is garbage,
# so a syllable that carries a tone mark is taken after any non-space, even
# when the mojibake ate its opening parenthesis (``们?cè)诰``).
_PINYIN_ANNOTATION = re.compile(
    rf"(?<=[{_CJK}])[(（]\s*([a-z{_TONE_MARKS}]{{1,7}}[1-5]?)\s*[)）]"
    rf"|(?<=[^\s(（])[(（]\s*([a-z]*[{_TONE_MARKS}][a-z{_TONE_MARKS}]*)\s*[)）]"
    rf"|(?<=[^\s(（a-z{_TONE_MARKS}])([a-z]*[{_TONE_MARKS}][a-z{_TONE_MARKS}]*)[)）]"
)


def _is_pinyin(word: str) -> bool:
    return bool(_SYLLABLE.match(word.rstrip("12345").translate(_PLAIN_VOWEL)))


def strip_pinyin(text: str) -> str:
    """Remove converter-added pinyin like ``鄉(xiāng)村`` → ``鄉村``.

    Real parentheses survive: their content is not a single lower-case pinyin
    syllable (``(BTX)``, ``(在職、無職)``, ``（2022年10月16日）``, ``(社区)``).
    """
    return _PINYIN_ANNOTATION.sub(
        lambda m: "" if _is_pinyin(m.group(1) or m.group(2) or m.group(3)) else m.group(0), text
    )


# --- traditional → simplified ------------------------------------------------------------

# The separators OpenCC itself splits on before converting (OpenCC's
# PhraseExtract list); converting chunk by chunk is therefore exactly what
# converting the whole string does.
_OPENCC_SEPARATORS = re.compile(
    r"(\s+|-|,|\.|\?|!|\*|　|，|。|、|；|：|？|！|…|“|”|‘|’|『|』|「|」|﹁|﹂|—|－|（|）|《|》|〈|〉|～|．|／|＼"
    r"|︒|︑|︔|︓|︿|﹀|︹|︺|︙|︐|［|﹇|］|﹈|︕|︖|︰|︳|︴|︽|︾|︵|︶|｛|︷|｝|︸|﹃|﹄|【|︻|】|︼)"
)


class SimplifiedConverter:
    """Traditional → simplified with OpenCC, converting only what can change.

    OpenCC is built once per converter, lazily (not at import time), and left
    out of the pickle. ``trigger_chars_`` holds every character whose presence
    can make the conversion change a chunk; chunks without one are copied.
    """

    def __init__(self, config: str = "t2s"):
        self.config = config
        self._opencc = None
        self._triggers: frozenset[str] | None = None

    def __getstate__(self):
        return {"config": self.config}

    def __setstate__(self, state):
        self.__init__(**state)

    def _load(self):
        import opencc

        config_dir = os.path.join(os.path.dirname(opencc.__file__), "config")
        if not os.path.exists(os.path.join(config_dir, f"{self.config}.json")):
            raise ValueError(f"unknown OpenCC config {self.config!r}")
        self._opencc = opencc.OpenCC(self.config)
        self._opencc.convert("")  # loads its dictionaries
        triggers: set[str] = set()
        for chain in self._opencc._dict_chain_data:
            for _max_len, _min_len, mapping in chain:
                for key, value in mapping.items():
                    value = value.split(" ")[0]
                    if key == value:
                        continue
                    if len(key) == len(value):
                        triggers.update(k for k, v in zip(key, value) if k != v)
                    else:
                        triggers.update(key)
        self._triggers = frozenset(triggers)
        logger.debug("OpenCC %s loaded, %d trigger characters", self.config, len(triggers))

    @property
    def trigger_chars_(self) -> frozenset[str]:
        if self._triggers is None:
            self._load()
        return self._triggers

    def needs_conversion(self, text: str) -> bool:
        triggers = self.trigger_chars_
        return not triggers.isdisjoint(text)

    def convert(self, text: str) -> str:
        triggers = self.trigger_chars_
        if triggers.isdisjoint(text):
            return text
        parts = _OPENCC_SEPARATORS.split(text)
        for i in range(0, len(parts), 2):
            if parts[i] and not triggers.isdisjoint(parts[i]):
                parts[i] = self._opencc.convert(parts[i])
        return "".join(parts)


@lru_cache(maxsize=4)
def get_converter(config: str = "t2s") -> SimplifiedConverter:
    """One converter per process and config (OpenCC's dictionaries are large)."""
    return SimplifiedConverter(config)


def to_simplified(text: str, config: str = "t2s") -> str:
    return get_converter(config).convert(text)


def cjk_count(text: str) -> int:
    return len(_CJK_RE.findall(text))


# --- code points that cannot be encoded ----------------------------------------------

_SURROGATE_RE = re.compile("[\ud800-\udfff]")
REPLACEMENT_CHARACTER = "\ufffd"


def replace_surrogates(value):
    """``value`` with every lone surrogate (U+D800–U+DFFF, which JSON escapes
    such as ``"\\udc00"`` and undecodable file names produce, and which no UTF
    encoding can write) replaced by U+FFFD, in strings and in the keys and
    values of dicts and lists at any depth (iteratively: deep JSON cannot
    exhaust the stack). Dicts and lists are fixed in place, as parsed JSON is
    nobody else's. Readers and the HTTP edge apply it once, so nothing
    downstream ever sees a lone surrogate."""
    if isinstance(value, str):
        return _fix_string(value)
    stack = [value] if isinstance(value, (dict, list)) else []
    while stack:
        container = stack.pop()
        if isinstance(container, list):
            items = enumerate(container)
        else:
            bad_keys = [k for k in container if isinstance(k, str) and _SURROGATE_RE.search(k)]
            for key in bad_keys:
                container[_fix_string(key)] = container.pop(key)
            items = list(container.items())
        for key, item in items:
            if isinstance(item, str):
                fixed = _fix_string(item)
                if fixed is not item:
                    container[key] = fixed
            elif isinstance(item, (dict, list)):
                stack.append(item)
    return value


def _fix_string(text: str) -> str:
    return _SURROGATE_RE.sub(REPLACEMENT_CHARACTER, text) if _SURROGATE_RE.search(text) else text
