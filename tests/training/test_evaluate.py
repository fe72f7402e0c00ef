import json

import pytest

from dangjian.training.evaluate import main, multilabel_metrics


def test_multilabel_metrics_counts():
    gold = [["a"], ["a", "b"], [], ["b"]]
    pred = [["a"], ["a"], ["b"], []]
    m = multilabel_metrics(gold, pred, ["a", "a", None, "b"], ["a", "a", "b", None], ["a", "b"])
    assert m["per_theme"]["a"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 2, "predicted": 2}
    assert m["per_theme"]["b"]["precision"] == 0.0 and m["per_theme"]["b"]["support"] == 2
    assert m["micro_f1"] == round(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5), 4)
    assert m["macro_f1"] == 0.5
    assert m["primary_accuracy"] == 0.5
    assert m["primary_accuracy_themed"] == round(2 / 3, 4)


@pytest.mark.slow
def test_evaluate_cli_prints_metrics_and_writes_predictions(small_trained, tmp_path, capsys):
    from tests.conftest import write_gold_file

    result, data = small_trained
    gold = write_gold_file(data, tmp_path / "heldout.jsonl")
    out = tmp_path / "pred.jsonl"
    assert main(["--gold", str(gold), "--model", str(result.bundle), "--predictions", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "macro F1" in printed and "primary accuracy" in printed and "governance" in printed
    preds = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    gold_ids = [json.loads(l)["id"] for l in gold.read_text(encoding="utf-8").splitlines()]
    assert [p["id"] for p in preds] == gold_ids
    assert set(preds[0]) == {"id", "labels", "primary", "scores"}
    assert len(preds[0]["scores"]) == 9


def test_evaluate_cli_bad_gold_file(tmp_path, capsys, small_trained):
    result, _ = small_trained
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "text": "x", "labels": ["nope"]}\n', encoding="utf-8")
    assert main(["--gold", str(bad), "--model", str(result.bundle)]) == 1
    assert "bad.jsonl:1: unknown theme id(s) ['nope']" in capsys.readouterr().err


def test_evaluate_cli_missing_model(tmp_path, capsys):
    gold = tmp_path / "g.jsonl"
    gold.write_text('{"id": "1", "text": "x", "labels": []}\n', encoding="utf-8")
    assert main(["--gold", str(gold), "--model", str(tmp_path / "none")]) == 1
    assert "dangjian train" in capsys.readouterr().err
