"""The classifier, the seeded topic model and the bundle on a tiny inline
corpus: the estimator contracts, in seconds, without the training fixture."""
import numpy as np
import pytest

from dangjian.model.classifier import FEATURE_BLOCKS, TopicClassifier
from dangjian.model.errors import ArtifactError
from dangjian.model.topics import RESIDUAL, SeededLDA

THEMES = ["collective_economy", "party_members"]
SEEDS = {"collective_economy": ["合作社", "集体经济", "分红"], "party_members": ["党员", "积分", "先锋"]}
ECONOMY = [["村", "合作社", "集体经济", "增收", "分红"], ["合作社", "入股", "分红", "集体经济"],
           ["集体经济", "产业", "合作社", "收入"], ["分红", "村民", "入股", "合作社"]]
MEMBERS = [["党员", "积分", "考核", "先锋"], ["党员", "先锋", "示范", "岗"], ["积分", "党员", "亮身份"],
           ["党员", "积分", "先锋", "承诺"]]
OTHER = [["天气", "降雨", "气温"], ["比赛", "球队", "进球"], ["降雨", "天气", "预报"], ["球队", "比赛", "冠军"]]


def corpus(repeat=3):
    tokens = (ECONOMY + MEMBERS + OTHER) * repeat
    Y = np.array(([[1, 0]] * 4 + [[0, 1]] * 4 + [[0, 0]] * 4) * repeat)
    groups = np.arange(len(tokens)) % 6  # articles, for grouped folds
    return tokens, Y, groups


def small_lda(**kw):
    return SeededLDA(seed_words=SEEDS, n_residual=1, no_below=1, no_above=0.9, passes=5, **kw)


def small_classifier(**kw):
    params = dict(themes=THEMES, seed_words=SEEDS, topic_model=small_lda(), min_df=1, max_df=1.0,
                  char_ngrams=(2, 2), vector_size=8, cv=3)
    params.update(kw)
    return TopicClassifier(**params)


def test_seeded_lda_fit_returns_self_and_puts_seeds_in_their_topics():
    tokens, _, _ = corpus()
    lda = small_lda()
    assert lda.fit(tokens) is lda
    assert lda.topic_themes_[:2] == THEMES and lda.topic_themes_[2] == RESIDUAL
    doc_topic = lda.transform([["合作社", "分红", "集体经济"], ["党员", "积分", "先锋"]])
    assert doc_topic.shape == (2, 3)
    assert np.allclose(doc_topic.sum(axis=1), 1.0, atol=1e-3)
    assert doc_topic[0, 0] > doc_topic[0, 1] and doc_topic[1, 1] > doc_topic[1, 0]


def test_seeded_lda_is_repeatable_with_its_seed():
    tokens, _, _ = corpus()
    a = small_lda(random_state=3).fit(tokens).transform(tokens[:5])
    b = small_lda(random_state=3).fit(tokens).transform(tokens[:5])
    assert np.array_equal(a, b)


def test_classifier_fit_returns_self_and_learns_the_themes():
    tokens, Y, groups = corpus()
    clf = small_classifier()
    assert clf.fit(tokens, Y, groups=groups) is clf
    assert clf.mode_ == "supervised"
    proba = clf.predict_proba([["合作社", "分红", "入股"], ["党员", "积分", "先锋"], ["天气", "降雨"]])
    assert proba.shape == (3, 2) and ((proba >= 0) & (proba <= 1)).all()
    assert proba[0, 0] > 0.5 > proba[0, 1]
    assert proba[1, 1] > 0.5 > proba[1, 0]
    assert (proba[2] < 0.5).all()
    # the named feature space covers the whole matrix, block by block
    feats = clf.features(tokens[:2])
    widths = {name: feats.block(name).shape[1] for name in FEATURE_BLOCKS}
    assert sum(widths.values()) == clf.n_features_
    assert [clf.block_slices_[name].stop - clf.block_slices_[name].start for name in FEATURE_BLOCKS] == \
        [widths[name] for name in FEATURE_BLOCKS]


def test_classifier_unfitted_and_bad_input_raise():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        small_classifier().features([["党员"]])
    tokens, Y, groups = corpus()
    clf = small_classifier().fit(tokens, Y, groups=groups)
    with pytest.raises(TypeError):
        clf.features("党员积分")


def test_classifier_without_labels_scores_from_seeds_alone():
    tokens, _, _ = corpus()
    clf = small_classifier().fit(tokens, None)
    assert clf.mode_ == "unsupervised"
    proba = clf.predict_proba([["合作社", "集体经济", "分红"], ["天气"]])
    assert proba[0, 0] > proba[1, 0]


def test_classifier_evidence_names_words_of_the_unit():
    tokens, Y, groups = corpus()
    clf = small_classifier().fit(tokens, Y, groups=groups)
    unit = ["合作社", "分红", "入股", "天气"]
    feats = clf.features([unit])
    words = clf.evidence(feats, 0, 0, 3)
    assert words and set(words) <= set(unit)
    assert "天气" not in words


def test_bundle_round_trip_and_tamper_check(tmp_path, pipeline):
    from dangjian.model.bundle import MANIFEST, PIPELINE, load_bundle, save_bundle, verify_bundle
    from dangjian.model.codebook import load_codebook
    from dangjian.model.theme_model import ThemeModel

    codebook = load_codebook()
    tokens, Y, groups = corpus()
    themes = codebook.ids
    full_y = np.zeros((len(tokens), len(themes)), dtype=int)
    for j, theme in enumerate(THEMES):
        full_y[:, themes.index(theme)] = Y[:, j]
    seeds = {t: SEEDS.get(t, []) for t in themes}
    clf = small_classifier(themes=themes, seed_words=seeds,
                           topic_model=SeededLDA(seed_words=seeds, n_residual=1, no_below=1, no_above=0.9, passes=3))
    clf.fit(tokens, full_y, groups=groups)
    model = ThemeModel(pipeline, clf, codebook)
    text = "村党支部领办合作社，发展集体经济，村民入股分红。"
    before = model.predict_article(text).to_dict()
    path = save_bundle(model, tmp_path / "bundle")
    directory, manifest = verify_bundle(path)
    assert manifest["files"] and directory == path.resolve()
    assert load_bundle(path).predict_article(text).to_dict() == before
    with pytest.raises(ArtifactError):
        save_bundle(model, path)  # bundles are never overwritten
    (path / PIPELINE).write_bytes(b"tampered")
    with pytest.raises(ArtifactError, match="checksum"):
        load_bundle(path)
    (path / MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(ArtifactError):
        load_bundle(path)
