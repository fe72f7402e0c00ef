import pytest

from dangjian.model.segment import is_heading, segment_paragraphs, split_long

BODY = "今年以来，某某县坚持党建引领，推行“党建+网格”治理模式，全县划分网格312个，配备网格员620名，收集群众诉求1200余条。"


@pytest.mark.parametrize(
    "line",
    ["一、强化“四个”职责，在促联动上下功夫", "（二）大力推进改革开放，注重制度建设和创新", "A重抓治理保障群众的切身利益",
     "互学共促谋发展", "第三部分 加强基层组织建设"],
)
def test_is_heading_recognises_headings(line):
    assert is_heading(line, BODY)


@pytest.mark.parametrize(
    "line, nxt",
    [("记者：推动基层党组织高质量发展，围场如何创新发力？", BODY), ("互学共促谋发展", None), (BODY, BODY),
     ("主要做法如下：", BODY)],
)
def test_is_heading_rejects_sentences(line, nxt):
    assert not is_heading(line, nxt)


def test_segment_attaches_heading_and_keeps_offsets():
    text = f"一、强化职责\n{BODY}\n{BODY}"
    units = segment_paragraphs(text)
    assert [u.heading for u in units] == ["一、强化职责", "一、强化职责"]
    for u in units:
        assert text[u.start:u.end] == u.text


def test_split_long_paragraph_at_sentence_ends():
    para = "".join(f"第{i}句话讲的是基层党组织建设的具体做法和成效，内容比较长。" for i in range(30))
    spans = split_long(para, 400)
    pieces = [para[a:b] for a, b in spans]
    assert "".join(pieces) == para
    assert len(pieces) >= 3
    assert all(p.endswith("。") for p in pieces)
    assert max(len(p) for p in pieces) <= 400


def test_split_long_leaves_short_paragraph():
    assert split_long(BODY, 400) == [(0, len(BODY))]


def test_segment_units_of_long_paragraph_have_offsets():
    para = "".join(f"第{i}句话讲的是基层党组织建设的具体做法和成效，内容比较长。" for i in range(30))
    text = f"标题行很短\n{para}"
    units = segment_paragraphs(text)
    assert len(units) >= 3
    for u in units:
        assert text[u.start:u.end] == u.text
        assert u.heading == "标题行很短"
