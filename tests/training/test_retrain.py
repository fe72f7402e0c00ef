"""``dangjian train --db … --reuse-topics``: the corrections of the review store
reach the model, and the topics of the current bundle are kept."""
import json
import os
import shutil

import pytest

from dangjian.model.bundle import load_bundle
from dangjian.model.review_queue import review_units
from dangjian.model.review_store import ReviewStore
from dangjian.training.train import main as train_main
from tests.conftest import DATA

pytestmark = pytest.mark.slow


@pytest.fixture
def workspace(small_trained, tmp_path):
    """A copy of the small bundle as models/latest (the session's own is never moved)."""
    result, data = small_trained
    models = tmp_path / "models"
    models.mkdir()
    shutil.copytree(result.bundle, models / result.bundle.name)
    os.symlink(result.bundle.name, models / "latest")
    return data, models, load_bundle(models / "latest")


def corrected_store(path, model, n=6):
    """A review store with the paragraphs of two seed articles, ``n`` of them
    corrected: every assigned theme dropped and collective_economy / governance
    given instead (the two themes with most positives in the small data)."""
    store = ReviewStore.open(path, model.codebook.ids)
    units = []
    for seed in sorted((DATA / "seeds").glob("*.txt"))[:2]:
        article = model.text_pipeline.process(seed.read_text(encoding="utf-8"))
        units += [{"text": u.text, "key": f"{seed.stem}-p{u.index}", "article": seed.stem, "source": "种子"}
                  for u in article.units]
    store.add_units(zip(units, review_units(model, [u["text"] for u in units])))
    wanted = {}
    for unit in store.queue(limit=n):
        assigned = {t["id"] for t in unit["themes"]}
        target = "governance" if "collective_economy" in assigned else "collective_economy"
        store.add_correction(unit["id"], [target], target, reviewer="测试")
        wanted[unit["text"]] = (target, sorted(assigned - {target}))
    return store, wanted


def test_train_reuse_topics_learns_the_corrections(workspace, tmp_path, capsys):
    data, models, before = workspace
    db = tmp_path / "review.sqlite"
    _, wanted = corrected_store(db, before)
    texts = list(wanted)
    old = {t: p for t, p in zip(texts, before.predict_units(texts))}

    assert train_main(["--data", str(data), "--out", str(models), "--db", str(db), "--reuse-topics", "--force"]) == 0
    out = capsys.readouterr().out
    assert "corrections from the review store used: 6" in out
    bundles = sorted(p for p in models.iterdir() if p.is_dir() and not p.is_symlink() and p.name != before.version)
    assert len(bundles) == 1
    after = load_bundle(bundles[0])
    assert (models / "latest").resolve() == bundles[0].resolve()  # --force promotes

    # the topics, vocabularies and word vectors are the old bundle's
    assert after.describe_topics(10) == before.describe_topics(10)
    assert after.classifier.vectorizer_.vocabulary_ == before.classifier.vectorizer_.vocabulary_
    # the corrected texts: every corrected theme's score went up, every removed one's down
    new = {t: p for t, p in zip(texts, after.predict_units(texts))}
    for text, (target, removed) in wanted.items():
        assert new[text]["scores"][target] > old[text]["scores"][target], text
        for theme in removed:
            assert new[text]["scores"][theme] < old[text]["scores"][theme], (text, theme)
    changed = [t for t in texts if [x["id"] for x in new[t]["themes"]] != [x["id"] for x in old[t]["themes"]]]
    assert len(changed) >= len(texts) // 2, "the corrections did not change the predicted themes"
    report = json.loads((bundles[0] / "report.json").read_text(encoding="utf-8"))
    assert report["corrections"]["used_in_training"] == 6 and report["reused_topics_from"] == before.version
    assert "Corrections from the review store" in (bundles[0] / "report.md").read_text(encoding="utf-8")
    assert load_bundle(bundles[0]).metadata["training_data"]["n_corrections"] == 6


def test_train_reuse_topics_promotes_only_when_not_worse(workspace, tmp_path):
    data, models, before = workspace
    db = tmp_path / "review.sqlite"
    corrected_store(db, before, n=3)
    assert train_main(["--data", str(data), "--out", str(models), "--db", str(db), "--reuse-topics"]) == 0
    new = next(p for p in models.iterdir() if p.is_dir() and not p.is_symlink() and p.name != before.version)
    report = json.loads((new / "report.json").read_text(encoding="utf-8"))
    comparison = report["comparison"]
    assert comparison["promoted"] == (comparison["new_macro_f1"] >= comparison["previous_macro_f1"])
    expected = new if comparison["promoted"] else models / before.version
    assert (models / "latest").resolve() == expected.resolve()


def test_train_db_errors_name_the_file(workspace, tmp_path, capsys):
    data, models, _ = workspace
    missing = tmp_path / "none.sqlite"
    assert train_main(["--data", str(data), "--out", str(models), "--db", str(missing), "--reuse-topics"]) == 1
    assert str(missing) in capsys.readouterr().err
    assert train_main(["--data", str(data), "--out", str(tmp_path / "empty"), "--reuse-topics"]) == 1
    assert "no current bundle" in capsys.readouterr().err
