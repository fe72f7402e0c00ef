"""``dangjian review load|export`` on real label output and a real SQLite file."""
import json

import pytest

from dangjian.cli import main as cli
from dangjian.model.review_store import ReviewStore
from tests.conftest import DATA

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def labels_file(small_trained, tmp_path_factory):
    """``dangjian label`` on the bundled seed articles, with the small model."""
    out = tmp_path_factory.mktemp("labels") / "seeds.jsonl"
    assert cli(["label", str(DATA / "seeds"), "-o", str(out), "--model", str(small_trained[0].bundle),
                "--no-progress"]) == 0
    return out


def test_review_load_is_idempotent_and_scores_every_theme(labels_file, small_trained, tmp_path, capsys):
    db = tmp_path / "review.sqlite"
    bundle = str(small_trained[0].bundle)
    assert cli(["review", "load", str(labels_file), "--db", str(db), "--model", bundle]) == 0
    rows = [json.loads(l) for l in labels_file.read_text(encoding="utf-8").splitlines()]
    store = ReviewStore.open(db)
    n_texts = len({r["text"] for r in rows})
    assert store.progress() == {"reviewed": 0, "queued": n_texts}
    assert cli(["review", "load", str(labels_file), "--db", str(db), "--model", bundle]) == 0
    assert "0 new units, 0 new predictions" in capsys.readouterr().err
    assert store.progress() == {"reviewed": 0, "queued": n_texts}
    queue = store.queue(limit=1000)
    assert len(queue) == n_texts
    worths = [u["worth"] for u in queue]
    assert worths == sorted(worths, reverse=True)
    theme_ids = set(small_trained[0].report["themes"])
    for u in queue:
        assert set(u["scores"]) == theme_ids
        assert u["key"].endswith(f"-p{next(r['index'] for r in rows if r['text'] == u['text'])}")
    # the units and the model's themes are those of the label rows
    by_text = {r["text"]: r for r in rows}
    for u in queue:
        assert [t["id"] for t in u["themes"]] == [t["id"] for t in by_text[u["text"]]["themes"]]
        assert u["article"] == by_text[u["text"]]["doc"]


def test_review_load_reports_broken_rows_and_keeps_the_others(labels_file, small_trained, tmp_path, capsys):
    broken = tmp_path / "broken.jsonl"
    lines = labels_file.read_text(encoding="utf-8").splitlines()[:5]
    broken.write_text("\n".join([lines[0], "{not json", json.dumps({"doc": "x"}), *lines[1:]]) + "\n", encoding="utf-8")
    db = tmp_path / "review.sqlite"
    assert cli(["review", "load", str(broken), "--db", str(db), "--model", str(small_trained[0].bundle)]) == 1
    err = capsys.readouterr().err
    assert f"{broken}:2: malformed JSON" in err and f"{broken}:3: missing field" in err
    assert ReviewStore.open(db).progress()["queued"] == len({json.loads(l)["text"] for l in lines})
    assert cli(["review", "load", str(tmp_path / "x.txt"), "--db", str(db), "--model", str(small_trained[0].bundle)]) == 1
    # a missing input is named, and when nothing can be loaded no store is created
    capsys.readouterr()
    fresh = tmp_path / "fresh.sqlite"
    assert cli(["review", "load", str(tmp_path / "none.jsonl"), "--db", str(fresh),
                "--model", str(small_trained[0].bundle)]) == 1
    assert f"{tmp_path / 'none.jsonl'}: no such file" in capsys.readouterr().err and not fresh.exists()


def test_review_export_writes_the_latest_corrections_in_the_record_format(labels_file, small_trained, tmp_path, capsys):
    from dangjian.model.codebook import load_codebook
    from dangjian.training.data import read_gold_file

    db = tmp_path / "review.sqlite"
    assert cli(["review", "load", str(labels_file), "--db", str(db), "--model", str(small_trained[0].bundle)]) == 0
    store = ReviewStore.open(db, small_trained[0].report["themes"])
    first, second = store.queue(limit=2)
    store.add_correction(first["id"], ["governance"], "governance", reviewer="王")
    store.add_correction(first["id"], ["governance", "organization"], "organization", version=1, reviewer="李", note="改")
    store.add_correction(second["id"], [], None)
    out = tmp_path / "corrections.jsonl"
    assert cli(["review", "export", "--db", str(db), "-o", str(out)]) == 0
    records = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["labels"], r["primary"]) for r in records] == [
        (first["key"], ["governance", "organization"], "organization"), (second["key"], [], None)]
    assert records[0]["reviewer"] == "李" and records[0]["note"] == "改" and records[0]["text"] == first["text"]
    gold = read_gold_file(out, load_codebook())  # dangjian evaluate reads it
    assert [u.labels for u in gold] == [["governance", "organization"], []]
    # an existing file is never overwritten without --overwrite
    out.write_text("keep", encoding="utf-8")
    assert cli(["review", "export", "--db", str(db), "-o", str(out)]) == 1
    assert out.read_text(encoding="utf-8") == "keep"
    assert cli(["review", "export", "--db", str(db), "-o", str(out), "--overwrite"]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    assert cli(["review", "export", "--db", str(tmp_path / "none.sqlite"), "-o", str(tmp_path / "o.jsonl")]) == 1


def test_review_load_reads_the_csv_of_label_too(labels_file, small_trained, tmp_path):
    bundle = str(small_trained[0].bundle)
    csv_out = tmp_path / "seeds.csv"
    assert cli(["label", str(DATA / "seeds"), "-o", str(csv_out), "--model", bundle, "--no-progress"]) == 0
    from_csv, from_jsonl = tmp_path / "csv.sqlite", tmp_path / "jsonl.sqlite"
    assert cli(["review", "load", str(csv_out), "--db", str(from_csv), "--model", bundle]) == 0
    assert cli(["review", "load", str(labels_file), "--db", str(from_jsonl), "--model", bundle]) == 0
    units = lambda db: sorted((u["key"], u["article"], u["source"], u["text"]) for u in ReviewStore.open(db).queue(limit=1000))  # noqa: E731
    assert units(from_csv) == units(from_jsonl)
    # loading the CSV into the store that has the JSON Lines rows adds nothing
    assert cli(["review", "load", str(csv_out), "--db", str(from_jsonl), "--model", bundle]) == 0
    assert ReviewStore.open(from_jsonl).progress()["queued"] == len(units(from_csv))
