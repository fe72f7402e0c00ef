import pickle

import pytest

from dangjian.model.resources import default_stop_words, default_user_dict
from dangjian.model.tokenizer import JiebaTokenizer, read_user_dict

SENTENCE = "博山区推深做实“一网三联”，实现“三治融合”，村“两委”干部一肩挑，整顿软弱涣散党组织，共成立党支部领办合作社163家，推广积分超市和枫桥经验，选派第一书记，育好头雁。"


@pytest.fixture(scope="module")
def tokenizer():
    return JiebaTokenizer.from_files(default_user_dict(), default_stop_words())


def test_golden_segmentation(tokenizer):
    # Golden output of jieba 0.42.1 with the packaged user_dict.txt and stopwords.txt.
    # A change here means jieba, the user dictionary or the filters changed.
    assert tokenizer(SENTENCE) == [
        "博山区", "推深", "做实", "一网三联", "三治融合", "村", "两委", "干部", "一肩挑", "整顿",
        "软弱涣散党组织", "成立", "党支部领办合作社", "推广", "积分超市", "枫桥经验", "选派",
        "第一书记", "育好", "头雁",
    ]


def test_domain_terms_stay_whole(tokenizer):
    text = "坚持三会一课，落实四议两公开，建设党群服务中心，壮大村集体经济。"
    tokens = tokenizer(text)
    for term in ["三会一课", "四议两公开", "党群服务中心", "村集体经济"]:
        assert term in tokens


@pytest.mark.parametrize("quoted", ["一网三联", "三治融合", "双百帮带", "五星级", "1+3+N"])
def test_quoted_slogans_are_single_tokens(tokenizer, quoted):
    assert quoted in tokenizer(f"全面推行“{quoted}”工作机制。")


def test_drops_punctuation_numbers_stopwords_and_single_chars(tokenizer):
    tokens = tokenizer("2023年，全县共培训党员1.2万余人次，占比51.21%，的了和。")
    assert "，" not in tokens and "。" not in tokens
    assert "2023年" not in tokens and "1.2" not in tokens and "51.21%" not in tokens
    assert "的" not in tokens and "和" not in tokens
    assert "培训" in tokens


def test_user_dict_has_at_least_150_terms():
    assert len(read_user_dict(default_user_dict())) >= 150


def test_tokenizer_pickles_without_jieba_state(tokenizer):
    tokenizer(SENTENCE)  # builds the jieba.Tokenizer (which holds an RLock)
    data = pickle.dumps(tokenizer)
    restored = pickle.loads(data)
    assert restored == tokenizer
    assert restored(SENTENCE) == tokenizer(SENTENCE)
    assert b"FREQ" not in data


def test_tokenizer_rejects_non_str(tokenizer):
    with pytest.raises(TypeError):
        tokenizer(["a", "b"])
