"""Cleaning rules, one test per kind of noise, written with wordings that are
not in the seed articles so the rules are checked for the kind, not the string."""
import pytest

from dangjian.model.text import (
    CLEANING_STEPS,
    clean_article,
    classify_line,
    drop_repeated_paragraphs,
    explain,
    join_wrapped_lines,
)

BODY = "今年以来，某某县坚持党建引领，推行“党建+网格”治理模式，全县划分网格312个，配备网格员620名，收集群众诉求1200余条。"
BODY2 = "该县还建立了村级事务“四议两公开”工作机制，每月对各村三务公开情况进行督导检查，推动村级工作规范运行。"


@pytest.mark.parametrize(
    "line, kind",
    [
        ("当前位置：首页 → 新闻中心 → 基层动态", "breadcrumb"),
        ("首页 > 党建工作 > 基层党建", "breadcrumb"),
        ("您现在的位置: 网站首页 » 正文", "breadcrumb"),
        ("正在加载...", "loading"),
        ("发布时间：2023年5月12日 09:30 信息来源：某某县委组织部 点击数：1024", "metadata"),
        ("2021-07-01 08:00:12 来源：人民网", "metadata"),
        ("稿源：县融媒体中心", "metadata"),
        ("作者：张三", "metadata"),
        ("ID:rmrbwx", "metadata"),
        ("本报记者 李四 通讯员 王五", "byline"),
        ("◎融媒体记者 赵六", "byline"),
        ("文/图 本报记者 孙七", "byline"),
        ("摄影：周八", "byline"),
        ("审核：吴九 校对：郑十", "byline"),
        ("责任编辑：王小二", "byline"),
        ("（编辑：李雷 韩梅梅）", "byline"),
        ("(视频编辑：张贝龙 文字编辑：温凤浩)", "byline"),
        ("（完）", "byline"),
        ("【字体：大 中 小】 打印本页 关闭窗口", "widget"),
        ("扫一扫在手机打开当前页", "widget"),
        ("分享到：", "widget"),
        ("上一篇：某某镇召开党员大会", "widget"),
        ("相关阅读", "widget"),
        ("点击上方蓝字关注我们", "disclaimer"),
        ("长按识别二维码，关注“某某发布”", "disclaimer"),
        ("凡本网注明“来源：XXX”的作品，均转载自其它媒体，转载目的在于传递更多信息，并不代表本网赞同其观点。", "disclaimer"),
        ("Copyright © 2023 某某县人民政府 版权所有", "disclaimer"),
        ("免责声明：本站所载内容仅供参考。", "disclaimer"),
        ("备案号：苏ICP备12345678号-1  苏公网安备 32010202000001号", "footer"),
        ("主办单位：某某县委组织部 技术支持：某某网络公司", "footer"),
        ("投稿邮箱：tougao@example.cn", "footer"),
        ("标签：乡村振兴 基层党建 网格化", "tag_cloud"),
        ("北京市| 天津市| 上海市| 重庆市| 石家庄市| 太原市", "tag_cloud"),
        ("12", "page_number"),
        ("上一页 1 2 3 下一页", "page_number"),
        ("第2页", "page_number"),
    ],
)
def test_classify_line_finds_noise_kinds(line, kind):
    assert classify_line(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        BODY,
        "记者：刘部长好！火车跑得快，全靠车头带。请问在加强基层党组织领导班子建设方面，咱们围场做了哪些工作？",
        "一、强化“四个”职责，在促联动上下功夫",
        "互学共促谋发展",
        "通过微信群、公众号等方式，村党支部及时发布村务信息，收集群众意见建议300多条，村务公开实现全覆盖。",
        "2022年，全市96%的村达到三星党支部以上标准。",
    ],
)
def test_classify_line_keeps_content(line):
    assert classify_line(line) is None


def test_join_wrapped_lines_rejoins_transcript_wraps():
    raw = "全年经济社会发展主要目标任务圆满完成，“\n十三五\n”实现了良好开局。\n\n第二段内容。"
    assert join_wrapped_lines(raw) == "全年经济社会发展主要目标任务圆满完成，“十三五”实现了良好开局。\n第二段内容。"


def test_join_wrapped_lines_keeps_one_paragraph_per_line_sites():
    raw = f"{BODY}\n互学共促谋发展\n{BODY2}"
    assert join_wrapped_lines(raw).split("\n") == [BODY, "互学共促谋发展", BODY2]


def test_join_wrapped_lines_breaks_at_indentation():
    raw = f"  {BODY}\n  {BODY2}"
    assert join_wrapped_lines(raw).split("\n") == [BODY, BODY2]


def test_drop_repeated_paragraphs_removes_summary_lead():
    summary = BODY[:40]
    assert drop_repeated_paragraphs(f"{summary}\n{BODY}\n{BODY2}") == f"{BODY}\n{BODY2}"


def test_drop_repeated_paragraphs_removes_exact_repeat():
    assert drop_repeated_paragraphs(f"{BODY}\n{BODY2}\n{BODY}") == f"{BODY}\n{BODY2}"


OTHER_SITE = f"""当前位置：首页 → 新闻中心 → 基层动态
【字体：大 中 小】 打印本页 关闭窗口
某某县推行“党建+网格”治理模式
发布时间：2023年5月12日 09:30 信息来源：某某县委组织部 点击数：1024
本报讯（通讯员 张三 李四）{BODY}
{BODY2}
扫一扫在手机打开当前页
分享到：
责任编辑：王五
Copyright © 2023 某某县人民政府 版权所有
备案号：苏ICP备12345678号-1  苏公网安备 32010202000001号
"""

WECHAT_REPOST = f"""某某发布
{BODY}

{BODY2}

来源：某某县委组织部
编辑：李四
审核：王五
点击上方蓝字关注我们
长按识别二维码关注
阅读原文
"""


def test_clean_article_other_site_keeps_body_and_metadata():
    art = clean_article(OTHER_SITE)
    assert art.text.split("\n") == [BODY, BODY2]
    assert art.title == "某某县推行“党建+网格”治理模式"
    assert art.date == "2023-05-12"
    assert art.source == "某某县委组织部"


def test_clean_article_wechat_repost_footer_removed():
    art = clean_article(WECHAT_REPOST)
    assert art.text.split("\n") == [BODY, BODY2]


def test_clean_article_cctv_dateline_and_editor_note_removed():
    raw = f"中国网络电视台消息(新闻联播)：{BODY}\n\n{BODY2}\n\n(视频编辑：张贝龙 文字编辑：温凤浩)"
    assert clean_article(raw).text.split("\n") == [BODY, BODY2]


def test_explain_runs_the_same_steps_as_clean():
    steps = list(explain(OTHER_SITE))
    assert [name for name, _ in steps] == [name for name, _ in CLEANING_STEPS]
    assert steps[-1][1] == clean_article(OTHER_SITE).text


def test_clean_article_rejects_non_str():
    with pytest.raises(TypeError):
        clean_article(b"bytes")


def test_clean_article_trailing_editor_note_removed():
    raw = f"{BODY}\n\n{BODY2}（视频编辑：张双玲文字编辑：见红蕊）"
    assert clean_article(raw).text.split("\n") == [BODY, BODY2]


@pytest.mark.parametrize("raw", ["开展党员冬训，组织农村党员集中学习培训。", "网格员走访群众，化解矛盾纠纷。", BODY])
def test_clean_article_keeps_a_one_line_article(raw):
    art = clean_article(raw)
    assert art.text == raw
    assert art.title is None


def test_clean_article_short_paragraphs_without_a_long_one():
    raw = "开展党员冬训，组织农村党员集中学习培训。\n\n网格员走访群众，化解矛盾纠纷。"
    assert clean_article(raw).text.split("\n") == ["开展党员冬训，组织农村党员集中学习培训。", "网格员走访群众，化解矛盾纠纷。"]


@pytest.mark.parametrize("text", ["村党支部领办合作社发展特色产业，村集体经济收入增加", "网格员走访群众化解矛盾纠纷"])
def test_a_single_pasted_line_is_content_not_a_title(text):
    cleaned = clean_article(text)
    assert cleaned.text == text and cleaned.title is None
