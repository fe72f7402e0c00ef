"""dangjian import-corrections: a corrected labeled CSV back into the annotation store."""
import csv

import pytest

from dangjian.service.batch import main
from tests.service.test_batch import news_file

pytestmark = pytest.mark.slow


@pytest.fixture
def bundle(small_trained):
    return str(small_trained[0].bundle)


def test_import_corrections_round_trip(tmp_path, bundle):
    from dangjian.training.corrections import main as import_main
    from dangjian.training.data import read_gold_file
    from dangjian.model.codebook import load_codebook

    news_file(tmp_path / "news.jsonl", 4)
    out = tmp_path / "o.csv"
    assert main([str(tmp_path / "news.jsonl"), "-o", str(out), "--model", bundle, "--no-progress"]) == 0
    with open(out, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        fields = reader.fieldnames
    assert "主题" in fields and "主要主题" in fields
    rows[0]["主题"] = "基层治理、assessment:0.7"
    rows[0]["主要主题"] = ""
    rows[1]["主题"] = ""
    corrected = tmp_path / "corrected.csv"
    with open(corrected, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fields)
        writer.writeheader()
        writer.writerows(rows)
    target = tmp_path / "annotations" / "annotations.jsonl"
    assert import_main([str(corrected), "--store", str(target), "--annotator", "张三"]) == 0
    units = read_gold_file(target, load_codebook())
    assert units[0].labels == ["governance", "assessment"] and units[0].primary == "governance"
    assert units[1].labels == [] and units[1].primary is None
    assert units[0].article == rows[0]["文章"] and units[0].id == f"{rows[0]['文章']}-p{rows[0]['段落序号']}"
    assert units[0].extra["pass"] == "correction" and units[0].extra["annotator"] == "张三"
    before = target.read_bytes()
    rows[2]["主题"] = "not_a_theme"
    with open(corrected, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fields)
        writer.writeheader()
        writer.writerows(rows)
    assert import_main([str(corrected), "--store", str(target)]) == 1
    assert target.read_bytes() == before  # nothing of a bad file is appended
