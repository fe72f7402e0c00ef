import pytest

from dangjian.model.chars import get_converter, normalize_width, strip_pinyin, to_simplified


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("全面夯實(shí)基層基礎(chǔ)", "全面夯實基層基礎"),
        ("鄉(xiāng)村", "鄉村"),
        ("號(hào)召", "號召"),
        ("鄉（xiāng）村", "鄉村"),  # full-width parentheses
        ("的(de)", "的"),  # neutral tone, no mark
        ("確?!胺€(wěn)星”", "確?!胺€星”"),  # after mojibake, tone-marked
        ("我們?cè)诰劢", "我們?诰劢"),  # mojibake ate the opening parenthesis
    ],
)
def test_strip_pinyin_removes_annotations(raw, expected):
    assert strip_pinyin(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "新時代吉林黨支部標準體系(BTX)建設",
        "針對四類黨員(在職、無職、流動、老弱)",
        "大会（2022年10月16日）召开",
        "村(社区)“两委”",
        "在村(居)委会",
        "提出了(1+3+N)模式",
        "PM(2.5)浓度",
        "使用了app(Android)",
        "咖啡馆(café)",
    ],
)
def test_strip_pinyin_keeps_real_parentheses(text):
    assert strip_pinyin(text) == text


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("ＡＢＣ１２３", "ABC123"),
        ("增长１５％", "增长15%"),
        ("建設,持續", "建設，持續"),
        ("记者:刘部长好!", "记者：刘部长好！"),
        ("一、强化“四个”职责，在促联动上下功夫", "一、强化“四个”职责，在促联动上下功夫"),
        ("（一）标题：内容。", "（一）标题：内容。"),
        ("a\u3000b\u00a0c", "a b c"),
        ("x\u200by", "xy"),
        ("行一\r\n行二", "行一\n行二"),
        ("\ufeff开头", "开头"),
        ("3.5,4.5", "3.5,4.5"),  # ASCII comma between digits stays
    ],
)
def test_normalize_width(raw, expected):
    assert normalize_width(raw) == expected


def test_normalize_width_treats_zero_width_line_as_soft_break():
    assert normalize_width("社会财产沒\n\u200b\n有遭到損坏") == "社会财产沒\n有遭到損坏"


def test_to_simplified_matches_full_opencc():
    import opencc

    text = "鄉村干部報網 黨組織 乾隆皇帝 頭雁 後來 著作 什麼 一目瞭然 simplified 村集体经济"
    assert to_simplified(text) == opencc.OpenCC("t2s").convert(text)


def test_converter_skips_simplified_text():
    conv = get_converter()
    assert not conv.needs_conversion("村集体经济收入全部达到10万元以上。")
    assert conv.needs_conversion("村集體經濟")


def test_converter_rejects_unknown_config():
    from dangjian.model.chars import SimplifiedConverter

    with pytest.raises(ValueError, match="unknown OpenCC config"):
        SimplifiedConverter("t2x").convert("鄉")


def test_converter_pickles_without_dictionaries():
    import pickle

    conv = get_converter()
    conv.convert("鄉")
    restored = pickle.loads(pickle.dumps(conv))
    assert len(pickle.dumps(conv)) < 200
    assert restored.convert("鄉村") == "乡村"
