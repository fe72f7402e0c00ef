import csv
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from dangjian.model.bundle import bundle_codebook
from dangjian.service.batch import main
from dangjian.service.label_journal import RowJournal
from dangjian.service.label_writers import CsvCodec, JsonLinesCodec
from tests.conftest import DATA, REPO, SEEDS

pytestmark = pytest.mark.slow


@pytest.fixture
def bundle(small_trained):
    return str(small_trained[0].bundle)


def news_file(path, n=30, start=0):
    lines = (DATA / "raw" / "xwlb_news_sample.jsonl").read_text(encoding="utf-8").splitlines()[start:start + n]
    recs = []
    for i, line in enumerate(lines):
        rec = json.loads(line)
        rec["region"] = ["山东", "河北", "浙江"][i % 3]
        rec["source"] = "新闻联播"
        recs.append(rec)
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8")
    return recs


def read_jsonl(path):
    return [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


def test_label_jsonl_carries_fields_and_reports_broken_inputs(tmp_path, bundle, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    recs = news_file(inputs / "news.jsonl", 12)
    with open(inputs / "news.jsonl", "a", encoding="utf-8") as fh:
        fh.write("{broken json\n")
        fh.write(json.dumps({"id": "no-text", "title": "x"}) + "\n")
    (inputs / "binary.txt").write_bytes(b"\x00\x01\x02\x00")
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "gbk.txt").write_bytes(SEEDS[0].read_text(encoding="utf-8").encode("gb18030"))
    out = tmp_path / "out" / "labels.jsonl"
    summary = tmp_path / "out" / "summary.csv"
    code = main([str(inputs), "-o", str(out), "--model", bundle, "--summary", str(summary), "--no-progress"])
    assert code == 1
    rows = read_jsonl(out)
    docs = {r["doc"] for r in rows}
    assert docs == {r["id"] for r in recs} | {"gbk"}
    first = next(r for r in rows if r["doc"] == recs[0]["id"])
    raw_date = recs[0]["date"]  # the source gives 20120702; outputs have YYYY-MM-DD
    assert first["date"] == f"{raw_date[:4]}-{raw_date[4:6]}-{raw_date[6:]}"
    assert first["region"] == "山东" and first["source"] == "新闻联播"
    assert first["fields"]["tags"] == recs[0]["tags"]
    assert first["title"] == recs[0]["title"]
    assert {"doc", "index", "heading", "text", "themes", "primary", "evidence"} <= set(first)
    errors = read_jsonl(out.with_name("labels.jsonl.errors.jsonl"))
    reasons = {(e["path"].split("/")[-1], e["line"]): e["reason"] for e in errors}
    assert "malformed JSON" in reasons[("news.jsonl", 13)]
    assert "no text" in reasons[("news.jsonl", 14)]
    assert "binary" in reasons[("binary.txt", None)]
    assert "empty" in reasons[("empty.txt", None)]
    assert "4 failed" in capsys.readouterr().err
    with open(summary, encoding="utf-8-sig") as fh:
        summary_rows = list(csv.DictReader(fh))
    assert len(summary_rows) == len(docs)
    s = next(r for r in summary_rows if r["文章"] == recs[0]["id"])
    assert s["地区"] == "山东"
    shares = [float(s[f"{name}占比"]) for name in ("教育培训", "班子队伍", "党员管理", "组织体系", "集体经济", "基层治理",
                                                 "考核评价", "责任保障", "品牌示范")]
    assert sum(shares) == pytest.approx(1.0, abs=0.01) or sum(shares) == 0
    names = {"教育培训": "cadre_training", "班子队伍": "leadership_team", "党员管理": "party_members",
             "组织体系": "organization", "集体经济": "collective_economy", "基层治理": "governance",
             "考核评价": "assessment", "责任保障": "responsibility", "品牌示范": "brand_building"}
    for row in summary_rows:  # the main theme in Chinese, its id in its own column
        assert (names[row["主要主题"]] if row["主要主题"] else "") == row["main_theme"]


def test_rerun_skips_labeled_articles_and_never_duplicates(tmp_path, bundle):
    news_file(tmp_path / "news.jsonl", 10)
    out = tmp_path / "labels.jsonl"
    assert main([str(tmp_path / "news.jsonl"), "-o", str(out), "--model", bundle, "--no-progress"]) == 0
    before = out.read_text(encoding="utf-8")
    assert main([str(tmp_path / "news.jsonl"), "-o", str(out), "--model", bundle, "--no-progress"]) == 0
    assert out.read_text(encoding="utf-8") == before
    news_file(tmp_path / "more.jsonl", 5, start=10)
    assert main([str(tmp_path / "news.jsonl"), str(tmp_path / "more.jsonl"), "-o", str(out), "--model", bundle,
                 "--no-progress"]) == 0
    rows = read_jsonl(out)
    keys = [(r["content_hash"], r["index"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert len({r["doc"] for r in rows}) == 15


def test_kill_half_way_then_resume_loses_nothing(tmp_path, bundle):
    news_file(tmp_path / "news.jsonl", 80)
    reference = tmp_path / "reference.jsonl"
    assert main([str(tmp_path / "news.jsonl"), "-o", str(reference), "--model", bundle, "--no-progress"]) == 0
    out = tmp_path / "killed.jsonl"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "dangjian.cli", "label", str(tmp_path / "news.jsonl"), "-o", str(out),
                             "--model", bundle, "--no-progress", "--batch-size", "1"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        if out.exists() and out.read_text(encoding="utf-8").count("\n") >= 60:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = read_jsonl(out)
    assert 0 < len({r["doc"] for r in partial}) < 80, "the kill should land half-way"
    # Simulate the worst case too: a torn last line.
    with open(out, "a", encoding="utf-8") as fh:
        fh.write('{"doc": "torn", "content_ha')
    assert main([str(tmp_path / "news.jsonl"), "-o", str(out), "--model", bundle, "--no-progress"]) == 0
    got, want = read_jsonl(out), read_jsonl(reference)
    key = lambda r: (r["content_hash"], r["index"])  # noqa: E731
    assert sorted(map(key, got)) == sorted(map(key, want))
    assert sorted(got, key=key) == sorted(want, key=key)


def test_partial_last_article_is_redone(tmp_path, bundle):
    news_file(tmp_path / "news.jsonl", 6)
    out = tmp_path / "labels.jsonl"
    assert main([str(tmp_path / "news.jsonl"), "-o", str(out), "--model", bundle, "--no-progress"]) == 0
    full = read_jsonl(out)
    last_hash = full[-1]["content_hash"]
    n_last = sum(r["content_hash"] == last_hash for r in full)
    assert n_last >= 2, "need an article with several paragraphs at the end"
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    out.write_text("".join(lines[:-1]), encoding="utf-8")  # drop the last row of the last article
    journal = RowJournal(out, JsonLinesCodec())
    journal.recover()
    assert last_hash not in journal.done
    assert main([str(tmp_path / "news.jsonl"), "-o", str(out), "--model", bundle, "--no-progress"]) == 0
    assert read_jsonl(out) == full


def test_csv_and_xlsx_outputs_read_back(tmp_path, bundle):
    from openpyxl import load_workbook

    recs = news_file(tmp_path / "news.jsonl", 8)
    jsonl, csv_out, xlsx = tmp_path / "o.jsonl", tmp_path / "o.csv", tmp_path / "o.xlsx"
    for out in (jsonl, csv_out, xlsx):
        assert main([str(tmp_path / "news.jsonl"), "-o", str(out), "--model", bundle, "--no-progress"]) == 0
    rows = read_jsonl(jsonl)
    raw = csv_out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(csv_out, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
        assert header[:8] == ["文章", "标题", "日期", "地区", "来源", "段落序号", "小标题", "段落"]
        fh.seek(0)
        csv_rows = list(CsvCodec(bundle_codebook(bundle)).iter_rows(fh))
    assert [(r["doc"], r["index"], r["text"], r["primary"]) for r in csv_rows] == \
        [(r["doc"], r["index"], r["text"], r["primary"]) for r in rows]
    assert [[t["id"] for t in r["themes"]] for r in csv_rows] == [[t["id"] for t in r["themes"]] for r in rows]
    assert csv_rows[0]["region"] == "山东"
    assert all(r["date"] is None or len(r["date"]) == 10 and r["date"][4] == "-" for r in rows)  # YYYY-MM-DD
    assert [r["scores"] for r in csv_rows] == [{t: round(v, 4) for t, v in r["scores"].items()} for r in rows]
    wb = load_workbook(xlsx, read_only=True)
    assert wb.sheetnames == ["段落", "文章", "主题说明"]
    para = list(wb["段落"].iter_rows(values_only=True))
    arts = list(wb["文章"].iter_rows(values_only=True))
    assert len(para) == len(rows) + 1 and len(arts) == len(recs) + 1
    header = para[0]
    assert para[1][header.index("段落")] == rows[0]["text"]
    assert arts[0][:3] == ("文章", "标题", "日期")


def test_xlsx_works_as_a_worksheet(tmp_path, bundle, small_model):
    """Chinese headers and theme names with the ids in their own columns, a
    numeric score column per theme, frozen header, filters, wrapped text, the
    codebook on its own sheet."""
    from openpyxl import load_workbook

    news_file(tmp_path / "news.jsonl", 6)
    xlsx, jsonl = tmp_path / "o.xlsx", tmp_path / "o.jsonl"
    for out in (xlsx, jsonl):
        assert main([str(tmp_path / "news.jsonl"), "-o", str(out), "--model", bundle, "--no-progress"]) == 0
    rows = read_jsonl(jsonl)
    names = {t.id: t.name for t in small_model.codebook.themes}
    wb = load_workbook(xlsx)
    ws = wb["段落"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    header = [c.value for c in ws[1]]
    for t in small_model.codebook.themes:
        assert f"{t.name}得分" in header
    text_col = header.index("段落") + 1
    assert ws.cell(row=2, column=text_col).alignment.wrap_text
    assert ws.column_dimensions["H"].width >= 40
    themed = next(i for i, r in enumerate(rows) if r["themes"])
    line = [c.value for c in ws[themed + 2]]
    first = rows[themed]["themes"][0]
    assert line[header.index("主题")].split("、")[0] == names[first["id"]]
    assert line[header.index("theme_ids")].split(";")[0] == first["id"]
    assert line[header.index(f"{names[first['id']]}得分")] == pytest.approx(first["score"])
    assert isinstance(line[header.index(f"{names[first['id']]}得分")], float)
    colours = small_model.codebook.colours()
    for t in small_model.codebook.themes:  # a theme's column wears the theme's colour, as on the page and report
        cell = ws.cell(row=1, column=header.index(f"{t.name}得分") + 1)
        assert cell.fill.fgColor.rgb[-6:] == colours[t.id].lstrip("#")
    codebook = [[c.value for c in r] for r in wb["主题说明"].iter_rows()]
    assert codebook[0][:2] == ["id", "主题"] and {r[0] for r in codebook[1:]} == set(names)


def test_two_workers_give_the_same_rows(tmp_path, bundle):
    news_file(tmp_path / "news.jsonl", 16)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert main([str(tmp_path / "news.jsonl"), "-o", str(one), "--model", bundle, "--no-progress"]) == 0
    assert main([str(tmp_path / "news.jsonl"), "-o", str(two), "--model", bundle, "--no-progress", "--workers", "2",
                 "--batch-size", "3"]) == 0
    assert read_jsonl(one) == read_jsonl(two)


def test_report_is_self_contained_and_escaped(tmp_path, bundle):
    news_file(tmp_path / "news.jsonl", 10)
    evil = tmp_path / "evil.txt"
    evil.write_text("<script>alert(1)</script>村党支部领办合作社，带动村集体经济增收，入股村民分红。", encoding="utf-8")
    report = tmp_path / "report.html"
    assert main([str(tmp_path / "news.jsonl"), str(evil), "-o", str(tmp_path / "o.jsonl"), "--model", bundle,
                 "--report", str(report), "--no-progress"]) == 0
    page = report.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    for section in ("总体主题构成", "主题随时间的变化", "按地区", "各主题得分最高的段落", "话题地图"):
        assert section in page
    assert "<svg" in page and "http" not in page.replace("http-equiv", "")


def test_parquet_keeps_types_and_resumes(tmp_path, bundle, small_model):
    import pyarrow.parquet as pq

    news_file(tmp_path / "news.jsonl", 8)
    parquet, jsonl = tmp_path / "o.parquet", tmp_path / "o.jsonl"
    assert main([str(tmp_path / "news.jsonl"), "-o", str(jsonl), "--model", bundle, "--no-progress"]) == 0
    news_file(tmp_path / "part.jsonl", 5)
    assert main([str(tmp_path / "part.jsonl"), "-o", str(parquet), "--model", bundle, "--no-progress"]) == 0
    assert main([str(tmp_path / "news.jsonl"), "-o", str(parquet), "--model", bundle, "--no-progress"]) == 0
    rows = read_jsonl(jsonl)
    table = pq.read_table(parquet)
    assert table.num_rows == len(rows)
    assert str(table.schema.field("index").type) == "int32"
    assert str(table.schema.field("themes").type) == "list<element: string>"
    got = table.to_pylist()
    assert [(r["doc"], r["index"], r["text"]) for r in got] == [(r["doc"], r["index"], r["text"]) for r in rows]
    assert [r["themes"] for r in got] == [[t["id"] for t in r["themes"]] for r in rows]
    for theme in small_model.codebook.ids:
        assert [r[f"score_{theme}"] for r in got] == [r["scores"][theme] for r in rows]
    assert dict(got[0]["evidence"]) == rows[0]["evidence"]
    # a file that is not ours is never written over
    import pyarrow as pa

    foreign = tmp_path / "mine.parquet"
    pq.write_table(pa.table({"doc": ["x"]}), foreign)
    before = foreign.read_bytes()
    assert main([str(tmp_path / "news.jsonl"), "-o", str(foreign), "--model", bundle, "--no-progress"]) == 1
    assert foreign.read_bytes() == before
    # nor is one of ours whose journal is gone (it could not be rebuilt with its rows)
    parquet.with_name(parquet.name + ".journal.jsonl").unlink()
    before = parquet.read_bytes()
    assert main([str(tmp_path / "part.jsonl"), "-o", str(parquet), "--model", bundle, "--no-progress"]) == 1
    assert parquet.read_bytes() == before


def test_rerun_with_nothing_to_do_does_not_load_the_model(tmp_path, bundle):
    from dangjian.service.batch import run_label

    news_file(tmp_path / "news.jsonl", 4)
    out = tmp_path / "o.csv"
    first = run_label([str(tmp_path / "news.jsonl")], out, bundle, progress=False)
    assert first.labeled == 4 and first.model_loaded
    again = run_label([str(tmp_path / "news.jsonl")], out, bundle, progress=False, summary=tmp_path / "s.csv")
    assert again.labeled == 0 and again.skipped == 4 and not again.model_loaded
    assert len((tmp_path / "s.csv").read_text(encoding="utf-8-sig").splitlines()) == 5


def test_label_rejects_unknown_output_type_and_missing_model(tmp_path, bundle, capsys):
    assert main([str(SEEDS[0]), "-o", str(tmp_path / "x.docx"), "--model", bundle, "--no-progress"]) == 1
    assert "unsupported output type" in capsys.readouterr().err
    assert main([str(SEEDS[0]), "-o", str(tmp_path / "x.jsonl"), "--model", str(tmp_path / "none"), "--no-progress"]) == 1
    assert "dangjian train" in capsys.readouterr().err
