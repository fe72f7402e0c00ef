"""Golden predictions: the small model's output on the seed articles and on
its held-out units, pinned in ``tests/fixtures/golden_predictions.json``.

Speed work on tokenization, features or scoring must not change a single
prediction; this test says so. The fixture was written by the code before that
work (the small model is trained the same way by ``conftest.small_trained``).
A deliberate change of the model (its training data, parameters or code)
changes the figures too: then regenerate the fixture and say why in the commit::

    .venv/bin/python tests/model/test_golden_predictions.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "golden_predictions.json"


def golden_predictions(model, data_dir: Path, tmp: Path) -> dict:
    """What is pinned: every seed article as ``predict_articles`` gives it,
    and every held-out unit of the small data as ``predict_units`` gives it."""
    from tests.conftest import SEEDS, write_gold_file

    seeds = model.predict_articles((p.read_text(encoding="utf-8"), None, p.name) for p in SEEDS)
    gold = write_gold_file(data_dir, tmp / "heldout.jsonl")
    records = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    units = model.predict_units([r["text"] for r in records])
    return {
        "seeds": {p.name: result.to_dict() for p, result in zip(SEEDS, seeds)},
        "heldout": [{"id": r["id"], **labels} for r, labels in zip(records, units)],
    }


def _normalised(value):
    """JSON round trip, so tuples and lists (and dict key order) compare alike."""
    return json.loads(json.dumps(value, ensure_ascii=False, sort_keys=True))


def test_predictions_equal_the_golden_ones(small_trained, small_model, tmp_path):
    _, data = small_trained
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    actual = _normalised(golden_predictions(small_model, data, tmp_path))
    assert sorted(actual["seeds"]) == sorted(expected["seeds"])
    for name in expected["seeds"]:
        want, got = expected["seeds"][name], actual["seeds"][name]
        assert got["article"] == want["article"], name
        assert len(got["paragraphs"]) == len(want["paragraphs"]), name
        for i, (g, w) in enumerate(zip(got["paragraphs"], want["paragraphs"])):
            assert g == w, f"{name} paragraph {i}"
    assert len(actual["heldout"]) == len(expected["heldout"]) > 0
    for g, w in zip(actual["heldout"], expected["heldout"]):
        assert g == w, w["id"]


def main() -> int:
    """Train the small model as the test fixture does and write the fixture."""
    import logging
    import tempfile

    import jieba

    jieba.setLogLevel(logging.WARNING)
    sys.path.insert(0, str(FIXTURE.parent.parent.parent))
    from dangjian.model.bundle import load_bundle
    from dangjian.training.train import TrainConfig, train
    from tests.conftest import SMALL_CONFIG, make_small_data

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = make_small_data(root)
        result = train(TrainConfig(data_dir=data, out_dir=root / "models", **SMALL_CONFIG))
        predictions = _normalised(golden_predictions(load_bundle(result.bundle), data, root))
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps(predictions, ensure_ascii=False, sort_keys=True, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE}: {len(predictions['seeds'])} seed articles, {len(predictions['heldout'])} held-out units")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
