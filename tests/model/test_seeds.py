"""The whole pipeline over the five real seed articles, as UTF-8, UTF-8 with
BOM and GB18030 files."""
import re

import opencc
import pytest

from dangjian.model.reading import iter_documents
from tests.conftest import SEEDS

# (first body sentence, last body sentence) of every seed, in simplified form.
CONTENT = {
    "000": ("河北承德围场满族蒙古族自治县坚持抓好基层党组织建设", "推动各项重点任务落实"),
    "001": ("近年来，图们市聚焦党建引领乡村治理标准体系建设", "所有镇均达到三星党委以上标准"),
    "002": ("2006年以来，泸溪县按照组织创先进、党员争优秀、群众得实惠的总体要求", "促进了党员整体素质的提高"),
    "003": ("近年来，开平市根据各领域基层党建的不同特点", "提升了基层党组织的凝聚力和战斗力"),
    "004": ("走进博山区源泉镇黄台村", "专科192人"),
}
HEADINGS = {
    "002": ["一、强化“四个”职责，在促联动上下功夫", "二、实施“四强”工程，在求实效上下功夫"],
    "003": ["A重抓治理保障群众的切身利益", "B“三轮驱动”助推基层党建提质升级", "C“一镇一品”基层党建品牌遍地开花"],
    "004": ["互学共促谋发展", "健全组织体系", "强化组织堡垒"],
    "000": [],  # an interview: questions and answers, no section headings
    "001": [],
}
REPEATED_LEADS = {"002": "2006年以来，泸溪县按照组织创先进", "003": "俗话说，基础不牢，地动山摇"}
# Strings of each noise kind as they occur in the seeds (simplified).
NOISE = [
    "您所在的位置", "主页 >", "首页 >", "加载中", "来源：", "来源:", "作者：", "浏览量", "全媒体记者", "责编", "责任编辑",
    "编辑：", "文/图", "微信公众号", "官方微博", "本文仅代表", "如您不希望", "版权声明", "本网站转载", "邮箱", "@",
    "相关新闻", "热门资讯", "成武县", "|", "ID:", "本文来自", "技术支持", "www.", "网友投稿",
]
PINYIN = re.compile(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]|[(（][a-z]{1,6}[)）]")
T2S = opencc.OpenCC("t2s")


def _write_variants(tmp_path, seed):
    raw = seed.read_text(encoding="utf-8")
    utf8 = tmp_path / f"utf8_{seed.name}"
    utf8.write_text(raw, encoding="utf-8")
    bom = tmp_path / f"bom_{seed.name}"
    bom.write_bytes(b"\xef\xbb\xbf" + raw.encode("utf-8"))
    gb = tmp_path / f"gb_{seed.name}"
    gb.write_bytes(raw.encode("gb18030"))
    return [utf8, bom, gb]


@pytest.fixture(scope="module", params=[s.name for s in SEEDS])
def seed_articles(request, tmp_path_factory, pipeline):
    seed = next(s for s in SEEDS if s.name == request.param)
    tmp = tmp_path_factory.mktemp("seed")
    arts = []
    for path in _write_variants(tmp, seed):
        (doc,) = list(iter_documents(path))
        arts.append(pipeline.process(doc.text, doc_id=doc.id))
    return seed.name[:3], arts


def test_seed_encodings_give_identical_units(seed_articles):
    _, arts = seed_articles
    first = [(u.text, u.heading) for u in arts[0].units]
    for art in arts[1:]:
        assert [(u.text, u.heading) for u in art.units] == first


def test_seed_has_no_pinyin_left(seed_articles):
    _, arts = seed_articles
    for art in arts:
        assert not PINYIN.search(art.text)


def test_seed_has_no_noise_left(seed_articles):
    _, arts = seed_articles
    for art in arts:
        for unit in art.units:
            for noise in NOISE:
                assert noise not in unit.text, (noise, unit.text[:60])
            assert not re.fullmatch(r"\d{1,3}", unit.text)


def test_seed_is_fully_simplified(seed_articles):
    _, arts = seed_articles
    for unit in arts[0].units:
        assert T2S.convert(unit.text) == unit.text


def test_seed_keeps_first_and_last_paragraph(seed_articles):
    key, arts = seed_articles
    first, last = CONTENT[key]
    units = arts[0].units
    assert first in units[0].text
    assert last in units[-1].text


def test_seed_headings_detected(seed_articles):
    key, arts = seed_articles
    headings = [u.heading for u in arts[0].units if u.heading]
    expected = HEADINGS[key]  # every seed has an entry: a seed without one must fail here
    assert list(dict.fromkeys(headings)) == expected
    for unit in arts[0].units:
        assert unit.text not in expected


def test_seed_repeated_lead_appears_once(seed_articles):
    key, arts = seed_articles
    if key not in REPEATED_LEADS:
        pytest.skip("this seed has no repeated lead")
    joined = "\n".join(u.text for u in arts[0].units)
    assert joined.count(REPEATED_LEADS[key]) == 1


def test_seed_offsets_point_into_cleaned_text(seed_articles):
    _, arts = seed_articles
    for unit in arts[0].units:
        assert arts[0].text[unit.start:unit.end] == unit.text
        assert len(unit.text) <= 600


def test_seed_metadata_not_in_paragraphs(seed_articles):
    key, arts = seed_articles
    art = arts[0]
    if key == "000":
        assert art.title.startswith("组织部长访谈")
        assert art.date == "2024-03-26"
        assert art.source == "乡村干部报网"
    if key == "002":
        assert art.title == "姑娘湖底捡金条：着力“四下功夫” 推进基层党建" or art.title.startswith("姑娘湖底捡金条")
        assert art.date == "2019-06-11"
    if key == "004":
        assert art.source == "淄博日报-淄博新闻网"
    if art.title:
        assert all(art.title != u.text for u in art.units)
