"""Behaviour of the default model trained on the bundled data (slow: trains it)."""
import pytest

pytestmark = pytest.mark.slow

COLLECTIVE = ("近年来，该村党支部领办土地股份合作社，引导村民以土地入股，发展大棚蔬菜和乡村旅游产业，"
              "村集体经济收入从不足5万元增加到60万元，入股农户年底分红人均增收2000元。")
SPORTS = ("在昨晚进行的中超联赛第12轮比赛中，山东泰山队主场以2比1战胜上海申花队，积分升至28分，"
          "继续领跑积分榜；上海申花队积分停留在24分，排名第三。")
TRAINING = "县委组织部举办村党组织书记示范培训班，邀请党校教师专题辅导，分两期轮训村党组织书记300余人次。"


def labels(model, text):
    (unit,) = model.predict_units([text])
    return [t["id"] for t in unit["themes"]], unit


def test_clear_collective_economy_paragraph(full_model):
    got, unit = labels(full_model, COLLECTIVE)
    assert "collective_economy" in got
    assert unit["primary"] == "collective_economy"
    assert unit["evidence"]["collective_economy"]


def test_sports_points_table_gets_no_theme(full_model):
    got, unit = labels(full_model, SPORTS)
    assert got == []
    assert unit["primary"] is None


def test_cadre_training_paragraph(full_model):
    got, _ = labels(full_model, TRAINING)
    assert "cadre_training" in got


def test_traditional_and_simplified_get_the_same_labels(full_model):
    from opencc import OpenCC

    trad = OpenCC("s2t").convert(COLLECTIVE)
    assert trad != COLLECTIVE
    simp_result = full_model.predict_article(COLLECTIVE)
    trad_result = full_model.predict_article(trad)
    assert [p.themes for p in simp_result.paragraphs] == [p.themes for p in trad_result.paragraphs]


def test_predict_article_on_a_seed(full_model):
    from tests.conftest import SEEDS

    result = full_model.predict_article(SEEDS[4].read_text(encoding="utf-8"))
    assert result.themes
    assert abs(sum(t["share"] for t in result.themes) - 1) < 0.01
    themed = [p for p in result.paragraphs if p.themes]
    assert len(themed) >= len(result.paragraphs) // 2
    for p in themed:
        assert p.primary == p.themes[0]["id"]
        assert set(p.evidence) == {t["id"] for t in p.themes}
    assert any(p.topics for p in result.paragraphs)
