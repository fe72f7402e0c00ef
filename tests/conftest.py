"""Shared fixtures: the bundled seed articles, the real text pipeline."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
SEEDS = sorted((DATA / "seeds").glob("*.txt"))


@pytest.fixture(scope="session", autouse=True)
def _quiet_jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)


@pytest.fixture(scope="session")
def pipeline():
    from dangjian.model.text_pipeline import TextPipeline

    return TextPipeline.default()


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in SEEDS}


def make_small_data(root: Path, n_labeled: int = 500, n_raw: int = 400, n_heldout: int = 80, with_labels: bool = True) -> Path:
    """A small but real data/ directory: the bundled codebook and dictionaries,
    an annotation store with the first annotated units of each split, the
    first news items, the seeds."""
    import json
    import shutil

    data = root / "data"
    (data / "annotations").mkdir(parents=True)
    (data / "raw").mkdir()
    shutil.copytree(DATA / "seeds", data / "seeds")
    if with_labels:
        records = [json.loads(l) for l in (DATA / "annotations" / "annotations.jsonl").read_text(encoding="utf-8").splitlines()]
        first = [r for r in records if r["pass"] == "first"]
        train = [r for r in first if r["split"] == "train"][:n_labeled]
        held = [r for r in first if r["split"] == "heldout"][:n_heldout]
        (data / "annotations" / "annotations.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in train + held), encoding="utf-8")
    raw = (DATA / "raw" / "xwlb_news_sample.jsonl").read_text(encoding="utf-8").splitlines()
    (data / "raw" / "news.jsonl").write_text("\n".join(raw[:n_raw]) + "\n", encoding="utf-8")
    return data


def write_gold_file(store_dir: Path, path: Path) -> Path:
    """The held-out units of a small data directory's store, in the codebook's record format."""
    from dangjian.training.annotations import main as annotations_main

    assert annotations_main(["--data", str(store_dir), "export", "--split", "heldout", "-o", str(path)]) == 0
    return path


SMALL_CONFIG = dict(n_topics=12, lda_passes=2, lda_iterations=30, cv_folds=3, n_jobs=1, vector_size=32)


@pytest.fixture(scope="session")
def small_trained(tmp_path_factory):
    """A bundle trained on small real data (fast); returns (TrainResult, data_dir)."""
    from dangjian.training.train import TrainConfig, train

    root = tmp_path_factory.mktemp("small")
    data = make_small_data(root)
    result = train(TrainConfig(data_dir=data, out_dir=root / "models", **SMALL_CONFIG))
    return result, data


@pytest.fixture(scope="session")
def full_model(tmp_path_factory):
    """The default model trained on the bundled data/ exactly as `dangjian train` does."""
    from dangjian.model.bundle import load_bundle
    from dangjian.training.train import TrainConfig, train

    out = tmp_path_factory.mktemp("models")
    result = train(TrainConfig(data_dir=DATA, out_dir=out))
    return load_bundle(result.bundle)


@pytest.fixture(scope="session")
def small_model(small_trained):
    from dangjian.model.bundle import load_bundle

    result, _ = small_trained
    return load_bundle(result.bundle)


@pytest.fixture(scope="session")
def app(small_model):
    from dangjian.service.app import create_app

    return create_app({"TESTING": True, "MAX_CHARS_PER_DOC": 20_000, "MAX_DOCS_PER_REQUEST": 5,
                       "MAX_CONTENT_LENGTH": 512 * 1024}, model=small_model)


@pytest.fixture(scope="session")
def client(app):
    return app.test_client()
