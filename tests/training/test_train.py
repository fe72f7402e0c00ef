import json
import shutil

import numpy as np
import pytest

from dangjian.model.bundle import MANIFEST, SCHEMA_VERSION, load_bundle, read_manifest
from dangjian.model.errors import ArtifactError, IncompatibleArtifactError, NotFittedError
from tests.conftest import SMALL_CONFIG, make_small_data
from dangjian.training.train import TrainConfig, train

COLLECTIVE = ("村党支部领办土地股份合作社，把村民的土地统一流转，发展高效特色种植产业，村集体经济收入从不足5万元增加到38万元，"
              "入股村民年底每户分红3000多元。")


pytestmark = pytest.mark.slow


def test_train_writes_a_complete_bundle(small_trained):
    result, _ = small_trained
    bundle = result.bundle
    for name in ("model.json", "pipeline.pickle", "topics.json", "themes.yaml", "user_dict.txt", "report.md", "report.json"):
        assert (bundle / name).is_file(), name
    manifest = read_manifest(bundle)
    assert manifest["schema_version"] == SCHEMA_VERSION == 2
    assert len(manifest["training_data"]["sha256"]) == 64
    assert {"scikit-learn", "gensim", "jieba", "jieba-next", "numpy"} <= set(manifest["package_versions"])
    assert manifest["segmenter"] == load_bundle(bundle).text_pipeline.tokenizer.segmenter  # which one trained it
    assert manifest["segmenter"] in ("jieba", f"jieba-next {manifest['package_versions']['jieba-next']}")
    assert "heldout" in manifest["metrics"] and "cv" in manifest["metrics"]
    assert (bundle.parent / "latest").resolve() == bundle.resolve()
    report = json.loads((bundle / "report.json").read_text(encoding="utf-8"))
    for block in ("cv", "heldout"):
        assert set(report[block]) == {"classifier", "keyword_baseline", "lda_baseline"}
    assert "c_v" in report["topic_model"] and "c_npmi" in report["topic_model"]
    assert len(report["topic_model"]["topics"]) == 12
    assert "## Held-out" in (bundle / "report.md").read_text(encoding="utf-8")


def test_seeding_puts_seed_words_in_their_topics(small_trained):
    result, _ = small_trained
    tm = result.report["topic_model"]
    seeded, unseeded = tm["seed_word_share"], tm["unseeded_seed_word_share"]
    # Seeding must really change the topics: each theme's keywords gather in its own
    # topic, far more than in any topic an unseeded LDA finds on the same data.
    assert np.mean(list(seeded.values())) >= 0.3
    assert np.mean(list(seeded.values())) >= 2 * np.mean(list(unseeded.values()))


def test_save_load_gives_identical_predictions(small_trained, tmp_path):
    result, _ = small_trained
    model = load_bundle(result.bundle)
    copy = tmp_path / "copy"
    shutil.copytree(result.bundle, copy)
    again = load_bundle(copy)
    text = "村“两委”换届选举顺利完成，新当选的村党组织书记平均年龄下降6岁。" + COLLECTIVE
    assert model.predict_article(text) == again.predict_article(text)


def test_bundle_written_with_joblib_still_loads(small_trained, tmp_path):
    """Bundles from before pipeline.pickle hold the same object in pipeline.joblib."""
    import joblib

    from dangjian.model.bundle import sha256_file

    result, _ = small_trained
    model = load_bundle(result.bundle)
    legacy = tmp_path / "legacy"
    shutil.copytree(result.bundle, legacy)
    (legacy / "pipeline.pickle").unlink()
    joblib.dump(model, legacy / "pipeline.joblib")
    manifest = json.loads((legacy / MANIFEST).read_text(encoding="utf-8"))
    del manifest["files"]["pipeline.pickle"]
    manifest["files"]["pipeline.joblib"] = sha256_file(legacy / "pipeline.joblib")
    (legacy / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert load_bundle(legacy).predict_article(COLLECTIVE) == model.predict_article(COLLECTIVE)


def test_bundle_from_another_schema_version_is_refused(small_trained, tmp_path):
    result, _ = small_trained
    copy = tmp_path / "old"
    shutil.copytree(result.bundle, copy)
    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    manifest["schema_version"] = 99
    (copy / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IncompatibleArtifactError, match="schema_version 99"):
        load_bundle(copy)


def test_tampered_or_incomplete_bundle_is_refused(small_trained, tmp_path):
    result, _ = small_trained
    tampered = tmp_path / "tampered"
    shutil.copytree(result.bundle, tampered)
    with open(tampered / "pipeline.pickle", "ab") as fh:
        fh.write(b"x")
    with pytest.raises(ArtifactError, match="checksum"):
        load_bundle(tampered)
    no_manifest = tmp_path / "nomanifest"
    shutil.copytree(result.bundle, no_manifest)
    (no_manifest / MANIFEST).unlink()
    with pytest.raises(ArtifactError, match="missing model.json"):
        load_bundle(no_manifest)
    with pytest.raises(ArtifactError, match="no model bundle"):
        load_bundle(tmp_path / "absent")


def test_training_is_repeatable(small_trained, tmp_path):
    result, data = small_trained
    again = train(TrainConfig(data_dir=data, out_dir=tmp_path / "models", **SMALL_CONFIG))
    a, b = load_bundle(result.bundle), load_bundle(again.bundle)
    probe = [COLLECTIVE, "开展党员冬训，组织农村党员集中学习培训。", "今天北京晴转多云，气温零下2度到8度。"]
    assert a.predict_units(probe) == b.predict_units(probe)


def test_training_without_labels_still_gives_a_working_model(tmp_path):
    data = make_small_data(tmp_path, with_labels=False)
    result = train(TrainConfig(data_dir=data, out_dir=tmp_path / "models", **SMALL_CONFIG))
    assert result.report["mode"] == "unsupervised"
    assert "no labels" in (result.bundle / "report.md").read_text(encoding="utf-8")
    model = load_bundle(result.bundle)
    assert model.mode == "unsupervised"
    (unit,) = model.predict_units([COLLECTIVE])
    assert "collective_economy" in [t["id"] for t in unit["themes"]]
    assert unit["evidence"]["collective_economy"]


def test_promotion_keeps_latest_when_new_bundle_is_worse(small_trained, tmp_path):
    result, data = small_trained
    models = tmp_path / "models"
    shutil.copytree(result.bundle, models / result.bundle.name)
    (models / "latest").symlink_to(result.bundle.name)
    # Labels scrambled: the new model is worse on the held-out data.
    worse = tmp_path / "worse"
    shutil.copytree(data, worse)
    store = worse / "annotations" / "annotations.jsonl"
    recs = [json.loads(l) for l in store.read_text(encoding="utf-8").splitlines()]
    train_recs = [r for r in recs if r["split"] == "train"]
    rng = np.random.default_rng(0)
    labels = [(r["labels"], r["primary"]) for r in train_recs]
    rng.shuffle(labels)
    for r, (lab, prim) in zip(train_recs, labels):
        r["labels"], r["primary"] = lab, prim
    store.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8")
    kept = train(TrainConfig(data_dir=worse, out_dir=models, **SMALL_CONFIG))
    assert not kept.promoted
    assert (models / "latest").resolve().name == result.bundle.name
    assert kept.bundle.exists()  # the new bundle stays, for inspection
    forced = train(TrainConfig(data_dir=worse, out_dir=models, force=True, **SMALL_CONFIG))
    assert forced.promoted
    assert (models / "latest").resolve().name == forced.bundle.name
    assert (models / result.bundle.name).exists()  # old bundle kept for rollback


def test_topics_argument_below_number_of_themes_is_an_error(tmp_path):
    data = make_small_data(tmp_path, n_labeled=50, n_raw=50)
    with pytest.raises(ValueError, match="at least the number of themes"):
        train(TrainConfig(data_dir=data, out_dir=tmp_path / "m", n_topics=5, lda_passes=1))


def test_classifier_not_fitted_raises():
    from dangjian.model.classifier import TopicClassifier

    with pytest.raises(NotFittedError):
        TopicClassifier(themes=["a"]).predict([["x"]])


def test_compiled_scoring_equals_sklearn_predict_proba(small_trained):
    result, _ = small_trained
    model = load_bundle(result.bundle)
    clf = model.classifier
    tokens = [model.text_pipeline.tokenize(t) for t in (COLLECTIVE, "组织党员开展志愿服务，化解矛盾纠纷12起。", "天气晴。")]
    feats = clf.features(tokens)
    fast = clf.proba_from_features(feats)
    for k, theme in enumerate(clf.themes):
        pair = clf.estimators_.get(theme)
        if pair is not None:
            regression, sigmoid = pair
            slow = sigmoid.predict_proba(regression.decision_function(feats.X).reshape(-1, 1))[:, 1]
            np.testing.assert_allclose(fast[:, k], slow, rtol=1e-9, atol=1e-12)


def test_batch_prediction_equals_one_by_one(small_trained):
    from tests.conftest import SEEDS

    result, _ = small_trained
    model = load_bundle(result.bundle)
    texts = [p.read_text(encoding="utf-8") for p in SEEDS] + [COLLECTIVE]
    one_by_one = [model.predict_article(t, doc_id=str(i)) for i, t in enumerate(texts)]
    batched = model.predict_articles((t, None, str(i)) for i, t in enumerate(texts))
    assert batched == one_by_one
    # and the same again: nothing depends on what was predicted before
    assert model.predict_article(texts[0], doc_id="0") == one_by_one[0]


def test_topic_inference_matches_gensim(small_trained):
    result, _ = small_trained
    model = load_bundle(result.bundle)
    lda = model.classifier.topic_model_
    tokens = [model.text_pipeline.tokenize(t) for t in (COLLECTIVE, "组织党员开展志愿服务，化解矛盾纠纷12起。")]
    ours = lda.transform(tokens)
    gamma, _ = lda.lda_.inference([lda.dictionary_.doc2bow(t) for t in tokens])
    np.testing.assert_allclose(ours, gamma / gamma.sum(axis=1, keepdims=True), atol=0.01)


def test_retraining_picks_up_new_store_records(small_trained, tmp_path):
    from dangjian.model.codebook import load_codebook
    from dangjian.training.annotations import append_records
    from dangjian.training.corrections import correction_records

    result, data = small_trained
    more = tmp_path / "data"
    shutil.copytree(data, more)
    extra = [{"id": f"new-{i}", "text": text, "labels": labels, "primary": labels[0] if labels else None,
              "article": f"new-{i}", "source": "test"}
             for i, (text, labels) in enumerate([(COLLECTIVE, ["collective_economy"]),
                                                  ("今天北京晴转多云，气温零下2度到8度。", [])])]
    append_records(more / "annotations" / "annotations.jsonl",
                   correction_records(extra, "tester", "2026-11-29T00:00:00Z"), load_codebook())
    again = train(TrainConfig(data_dir=more, out_dir=tmp_path / "models", **SMALL_CONFIG))
    assert again.report["data"]["n_labeled"] == result.report["data"]["n_labeled"] + 2


def test_evidence_names_no_places_numbers_or_idioms(small_trained):
    model = load_bundle(small_trained[0].bundle)
    text = ("山东省淄博市博山区各村党支部领办合作社，2023年发展特色种植产业，村集体经济收入翻天覆地，"
            "增加到38万元，带动300户群众增收致富。")
    (unit,) = model.predict_units([text])
    words = [w for ws in unit["evidence"].values() for w in ws]
    assert words, unit
    for bad in ("博山区", "淄博市", "山东省", "2023年", "翻天覆地", "村", "38", "300"):
        assert bad not in words


def test_shown_topics_are_named_in_chinese_and_share_a_word_with_the_unit(small_trained):
    model = load_bundle(small_trained[0].bundle)
    names = {t.name for t in model.codebook.themes}
    texts = [COLLECTIVE, "组织党员开展志愿服务，化解矛盾纠纷12起。", "美国新增确诊病例，游客减少。村里开展人居环境整治。"]
    top = model.topic_words(30)
    shown = 0
    for text, unit in zip(texts, model.predict_units(texts)):
        tokens = set(model.text_pipeline.tokenize(text))
        for topic in unit["topics"]:
            shown += 1
            assert tokens & set(top[topic["id"]])
            assert topic["name"] in names or topic["name"].startswith("其他：")
    assert shown
    assert all(t["name"] in names or t["name"].startswith("其他：") for t in model.describe_topics())
