"""The fast segmenter gives jieba's tokens, and the dictionary cache gives
jieba's dictionary.

The segmenter identity is checked here on the seed articles and 300 bundled
news items (as the pipeline feeds jieba, and as raw text); on every bundled
corpus by ``benchmarks/segmenter_identity.py`` (minutes, so not in tests).
"""
from __future__ import annotations

import json
import pickle

import pytest

from tests.conftest import DATA, SEEDS

rust = pytest.importorskip("jieba_next", reason="jieba-next (the '[fast]' extra) is not installed")


@pytest.fixture(scope="module")
def bundle_tokenizer():
    """The tokenizer a trained bundle has: packaged user words plus the seed keywords."""
    from dangjian.model.codebook import load_codebook
    from dangjian.training.train import build_text_pipeline

    return build_text_pipeline(DATA, load_codebook()).tokenizer


@pytest.fixture(scope="module")
def texts():
    news = (DATA / "raw" / "xwlb_news_sample.jsonl").read_text(encoding="utf-8").splitlines()[:300]
    national = (DATA / "raw" / "national_reports_sample.jsonl").read_text(encoding="utf-8").splitlines()[:3]
    return ([p.read_text(encoding="utf-8") for p in SEEDS] + [json.loads(line)["content"] for line in news]
            + [json.loads(line)["content"] for line in national])


def test_fast_cut_gives_jiebas_tokens(bundle_tokenizer, texts, pipeline):
    from dangjian.model.fast_jieba import FastJiebaCut, load_rust_functions
    from dangjian.model.tokenizer import split_quoted

    reference = bundle_tokenizer.plain_jieba_tokenizer()
    fast = FastJiebaCut(reference, load_rust_functions())
    pieces = [piece for t in texts for u in pipeline.process(t).units for piece, quoted in split_quoted(u.text)
              if not quoted]
    # a few the route and the HMM find hard: ties, traditional and Japanese forms, digits and dashes
    pieces += ["谢谢谢谢", "买买买", "167户贫困户户户有了增收项目", "衞生和覚悟", "贪汚的宝鶏", "2006-2020年",
               "--我们要推动经济发展", "1-5月份出口3.88亿美元增长75%", "村“两委”\r\n干部 一肩挑", ""]
    assert len(pieces) > 2000
    for hmm in (True, False):
        for piece in pieces + texts:
            assert fast.cut(piece, HMM=hmm) == list(reference.cut(piece, HMM=hmm)), (hmm, piece[:60])


def test_the_tokenizer_runs_the_fast_segmenter_and_plain_jieba_on_request(bundle_tokenizer, texts, monkeypatch):
    from dangjian.model.tokenizer import JiebaTokenizer

    fast = JiebaTokenizer(**bundle_tokenizer.__getstate__())
    assert fast.segmenter.startswith("jieba-next ")
    monkeypatch.setenv("DANGJIAN_SEGMENTER", "jieba")
    plain = JiebaTokenizer(**bundle_tokenizer.__getstate__())
    assert plain.segmenter == "jieba"
    for text in texts[:60]:
        assert fast(text) == plain(text)
        assert fast.segment(text) == plain.segment(text)


def test_dictionary_cache_holds_what_jieba_builds(monkeypatch, tmp_path):
    import jieba

    from dangjian.model.tokenizer import build_jieba

    monkeypatch.setenv("DANGJIAN_CACHE_DIR", str(tmp_path))
    words = (("两委", None, None), ("党支部领办合作社", 20, "n"), ("一肩挑", 50, None))
    built = build_jieba(words)  # no cache yet: built by jieba, then cached
    [cache] = tmp_path.glob("jieba-*.pickle")
    cached = build_jieba(words)  # from the cache
    direct = jieba.Tokenizer()
    direct.initialize()
    for word, freq, tag in words:
        direct.add_word(word, freq, tag)
    for tok in (built, cached):
        assert tok.FREQ == direct.FREQ
        assert tok.total == direct.total
        assert tok.user_word_tag_tab == direct.user_word_tag_tab
    text = "村两委干部一肩挑，党支部领办合作社增收。"
    assert list(cached.cut(text)) == list(direct.cut(text))
    assert pickle.loads(cache.read_bytes())["freq"] == direct.FREQ

    # other user words: another cache file, not the first one's dictionary
    other = build_jieba((("四议两公开", None, None),))
    assert "四议两公开" in other.FREQ and "党支部领办合作社" not in other.FREQ
    assert len(list(tmp_path.glob("jieba-*.pickle"))) == 2


def test_damaged_or_unwritable_cache_still_gives_jieba(monkeypatch, tmp_path):
    from dangjian.model.tokenizer import build_jieba

    monkeypatch.setenv("DANGJIAN_CACHE_DIR", str(tmp_path))
    words = (("积分超市", None, None),)
    reference = build_jieba(words)
    [cache] = tmp_path.glob("jieba-*.pickle")
    cache.write_bytes(b"not a pickle")
    rebuilt = build_jieba(words)
    assert rebuilt.FREQ == reference.FREQ
    assert pickle.loads(cache.read_bytes())["freq"] == reference.FREQ  # and written again

    blocker = tmp_path / "a file"
    blocker.write_text("x")
    monkeypatch.setenv("DANGJIAN_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    assert build_jieba(words).FREQ == reference.FREQ
