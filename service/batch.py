"""Batch labeling: ``dangjian label PATH... -o OUT [--model DIR] [--workers N]
[--summary FILE] [--report FILE] [--batch-size N]``.

Streams articles in (files, directories, JSON Lines/CSV collections), labels
every paragraph with the model, and streams rows out:

- ``OUT`` by extension: ``.jsonl`` (one record per paragraph unit), ``.csv``
  (UTF-8 with BOM for Excel), ``.xlsx`` (sheets ``paragraphs`` and
  ``articles``; rows are journaled to ``OUT.journal.jsonl`` while running and
  the workbook is written at the end);
- resumable: every row carries its article's content hash; a re-run with the
  same OUT skips articles already labeled, and a partly written last article
  (after a kill) is cut off and redone, so rows are never duplicated or lost;
- unreadable files and records go to ``OUT.errors.jsonl`` with name and
  reason; the run goes on and exits 1 at the end if anything failed;
- ``--workers N`` processes each load the model once; the main process writes.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from dangjian.model.chars import replace_surrogates
from dangjian.model.errors import ArtifactError, DocumentReadError
from dangjian.model.spreadsheet import guard_formula, unguard_formula
from dangjian.model.shares import theme_share_fractions
from dangjian.model.reading import RecordError, iter_documents, iter_paths

from .report import REPORT_GENERATOR

logger = logging.getLogger(__name__)

FORMATS = (".jsonl", ".csv", ".xlsx")
CARRIED_COLUMNS = ("date", "region", "source")
CSV_COLUMNS = ("doc", "title", "date", "region", "source", "index", "heading", "text", "themes", "primary",
               "evidence", "topics", "fields", "path", "content_hash", "n_units")


# -- articles in --------------------------------------------------------------------------------

@dataclass
class Article:
    doc: str
    text: str
    title: str | None
    fields: dict
    path: str
    content_hash: str


def content_hash(text: str, title: str | None) -> str:
    return hashlib.sha256(f"{title or ''}\n{text}".encode("utf-8")).hexdigest()[:24]


def iter_articles(paths: Sequence[str], exclude: Iterable[Path] = ()) -> Iterator[Article | DocumentReadError]:
    """Articles from files and directories; read errors are yielded, not raised.
    Files in ``exclude`` (the run's own outputs) are never read as input."""
    skip = {Path(p).resolve() for p in exclude}
    for path in iter_paths(paths):
        if path.resolve() in skip:
            continue
        try:
            for item in iter_documents(path):
                if isinstance(item, RecordError):
                    yield item.as_error()
                    continue
                yield Article(item.id, item.text, item.title, item.fields, str(path), content_hash(item.text, item.title))
        except DocumentReadError as exc:
            yield exc


def count_articles(paths: Sequence[str], exclude: Iterable[Path] = ()) -> int:
    """A cheap count for the progress bar (lines of collections, one per other file)."""
    skip = {Path(p).resolve() for p in exclude}
    total = 0
    for path in iter_paths(paths):
        if path.resolve() in skip:
            continue
        if path.suffix.lower() in (".jsonl", ".ndjson", ".csv"):
            try:
                with open(path, "rb") as fh:
                    total += sum(1 for line in fh if line.strip())
                if path.suffix.lower() == ".csv":
                    total -= 1
            except OSError:
                total += 1
        else:
            total += 1
    return max(total, 0)


# -- labeling (in workers) ------------------------------------------------------------------------

_WORKER_MODEL = None


def _init_worker(model_dir: str) -> None:
    global _WORKER_MODEL
    import jieba

    jieba.setLogLevel(logging.WARNING)
    from dangjian.model.bundle import load_bundle

    _WORKER_MODEL = load_bundle(model_dir)


def label_articles(model, articles: Sequence[Article]) -> list[list[dict] | str]:
    """Per article: its rows (one per paragraph unit), or the reason it could
    not be labeled (empty text, nothing left after cleaning)."""
    results = iter(model.predict_articles((a.text, a.title, a.doc) for a in articles if a.text.strip()))
    out: list[list[dict] | str] = []
    for art in articles:
        if not art.text.strip():
            out.append("empty text")
            continue
        result = next(results)
        carried = {
            "date": art.fields.get("date") or result.date,
            "region": art.fields.get("region"),
            "source": art.fields.get("source") or result.source,
        }
        others = {k: v for k, v in art.fields.items() if k not in CARRIED_COLUMNS}
        n_units = len(result.paragraphs)
        rows = [{"doc": art.doc, "title": result.title, **carried, "index": p.index, "heading": p.heading,
                 "text": p.text, "themes": p.themes, "primary": p.primary, "evidence": p.evidence,
                 "topics": [{"id": t["id"], "weight": t["weight"]} for t in p.topics],
                 "fields": others, "path": art.path, "content_hash": art.content_hash, "n_units": n_units}
                for p in result.paragraphs]
        out.append(rows if rows else "no paragraph left after cleaning")
    return out


def render_rows(rows: list[dict], kind: str) -> str:
    """One article's rows as the lines the output file gets."""
    if kind == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    return "".join(_csv_line(r) for r in rows)


def label_and_render(model, articles: list[Article], kind: str) -> list[tuple[str, str | None, int]]:
    """Per article: (content hash, rendered lines or None, number of rows or
    the error message). Runs in the workers, so the main process only writes."""
    out = []
    for art, rows in zip(articles, label_articles(model, articles)):
        if isinstance(rows, str):
            out.append((art.content_hash, None, rows))
        else:
            out.append((art.content_hash, render_rows(rows, kind), len(rows)))
    return out


def _start_pool(model, model_dir: str, workers: int):
    """Worker processes, each with the model loaded once. Where fork exists the
    workers inherit the loaded model (with jieba already built) at no cost;
    elsewhere each worker loads the bundle itself."""
    import multiprocessing as mp

    global _WORKER_MODEL
    if "fork" in mp.get_all_start_methods():
        model.text_pipeline.tokenize("预热")  # build jieba once, before forking
        _WORKER_MODEL = model
        return mp.get_context("fork").Pool(workers)
    return mp.get_context("spawn").Pool(workers, initializer=_init_worker, initargs=(str(Path(model_dir).resolve()),))


def _label_in_worker(task: tuple[list[Article], str]):
    articles, kind = task
    return label_and_render(_WORKER_MODEL, articles, kind)


# -- output -------------------------------------------------------------------------------------

def _format_themes(themes: list[dict]) -> str:
    return "; ".join(f"{t['id']}:{t['score']:.3f}" for t in themes)


def _csv_line(row: dict) -> str:
    def flat(v):
        if isinstance(v, (dict, list)):
            v = json.dumps(v, ensure_ascii=False)
        if isinstance(v, str):
            return guard_formula(v.replace("\r", " ").replace("\n", " "))
        return "" if v is None else str(v)

    cells = dict(row)
    cells["themes"] = _format_themes(row["themes"])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([flat(cells.get(c)) for c in CSV_COLUMNS])
    return buf.getvalue()


class RowJournal:
    """An append-only file of rows (JSON Lines or CSV), one physical line per
    row, rows of an article contiguous. Knows which articles are complete."""

    def __init__(self, path: Path, kind: str):
        self.path = path
        self.kind = kind  # "jsonl" or "csv"
        self.done: set[str] = set()

    def _parse(self, line: str) -> tuple[str, int]:
        if self.kind == "jsonl":
            rec = json.loads(line)
            return rec["content_hash"], int(rec["n_units"])
        cells = next(csv.reader([line]))
        rec = dict(zip(CSV_COLUMNS, cells))
        return rec["content_hash"], int(rec["n_units"])

    def recover(self) -> None:
        """Read what a previous run wrote; cut a torn last line and a partly
        written last article, so that it is redone."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        data = self.path.read_bytes()
        good_end = data.rfind(b"\n") + 1  # bytes up to the last complete line
        offset = 0
        current, seen_rows, expected, article_start = None, 0, 0, 0
        header = self.kind == "csv"
        for raw in data[:good_end].splitlines(keepends=True):
            line = raw.decode("utf-8-sig" if offset == 0 else "utf-8").rstrip("\n")
            if header:
                header = False
                offset += len(raw)
                article_start = offset
                continue
            try:
                key, n_units = self._parse(line)
            except (ValueError, KeyError, StopIteration):
                good_end = offset  # a damaged line: keep only what precedes it
                break
            if key != current:
                if current is not None and seen_rows == expected:
                    self.done.add(current)
                current, seen_rows, expected, article_start = key, 0, n_units, offset
            seen_rows += 1
            offset += len(raw)
        cut = good_end
        if current is not None:
            if seen_rows == expected:
                self.done.add(current)
            else:
                cut = min(cut, article_start)
        if cut < len(data):
            logger.warning("%s: dropping %d bytes of an unfinished article; it will be labeled again",
                           self.path, len(data) - cut)
            with open(self.path, "r+b") as fh:
                fh.truncate(cut)

    def open(self):
        new = not self.path.exists() or self.path.stat().st_size == 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "a", encoding="utf-8", newline="")
        if new and self.kind == "csv":
            self.fh.write("\ufeff" + ",".join(CSV_COLUMNS) + "\n")
            self.fh.flush()
        return self

    def write_article(self, key: str, lines: str) -> None:
        """Append one article's rows and hand them to the OS at once, so a
        crash or Ctrl-C of this process loses nothing already written."""
        self.fh.write(lines)
        self.fh.flush()
        self.done.add(key)

    def close(self):
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()

    def iter_rows(self) -> Iterator[dict]:
        """Rows back from the file (JSON Lines rows as written; CSV rows as dicts
        with themes/evidence/fields parsed back)."""
        with open(self.path, encoding="utf-8-sig", newline="") as fh:
            if self.kind == "jsonl":
                for line in fh:
                    if line.strip():
                        yield json.loads(line)
            else:
                for rec in csv.DictReader(fh):
                    yield parse_csv_row(rec)


def parse_csv_row(rec: dict) -> dict:
    row = {k: unguard_formula(v) for k, v in rec.items()}
    row["index"] = int(row["index"])
    row["n_units"] = int(row["n_units"])
    row["themes"] = [{"id": part.split(":")[0].strip(), "score": float(part.split(":")[1])}
                     for part in row["themes"].split(";") if part.strip()]
    row["evidence"] = json.loads(row["evidence"]) if row["evidence"] else {}
    row["topics"] = json.loads(row["topics"]) if row["topics"] else []
    row["fields"] = json.loads(row["fields"]) if row["fields"] else {}
    for key in ("heading", "primary", "title", "date", "region", "source"):
        row[key] = row[key] or None
    return row


def iter_articles_rows(rows: Iterable[dict]) -> Iterator[list[dict]]:
    """Group consecutive rows by article (they are written contiguously)."""
    group: list[dict] = []
    for row in rows:
        if group and row["content_hash"] != group[0]["content_hash"]:
            yield group
            group = []
        group.append(row)
    if group:
        yield group


def article_summary(rows: list[dict], theme_ids: Sequence[str]) -> dict:
    """One row per article: its carried fields and theme shares (as in the
    article's ``themes`` from ThemeModel.predict_article)."""
    shares = theme_share_fractions(rows)
    first = rows[0]
    chars = sum(len(r["text"]) for r in rows)
    themed = sum(len(r["text"]) for r in rows if r["themes"])
    out = {"doc": first["doc"], "title": first["title"], "date": first.get("date"), "region": first.get("region"),
           "source": first.get("source"), "path": first.get("path"), "n_units": len(rows),
           "coverage": round(themed / chars, 4) if chars else 0.0}
    out["main_theme"] = max(shares, key=shares.get) if shares else None
    for t in theme_ids:
        out[t] = round(shares.get(t, 0.0), 4)
    out["content_hash"] = first["content_hash"]
    return out


def summary_columns(codebook) -> list[tuple[str, str | None, int]]:
    """The per-article columns of the summary CSV and the workbook's 文章 sheet:
    (Chinese header, key in :func:`article_summary`'s record or None for the
    main theme's Chinese name, width). Theme shares are one column per theme,
    named in Chinese; the ids stay in ``main_theme``."""
    return ([("文章", "doc", 18), ("标题", "title", 28), ("日期", "date", 11), ("地区", "region", 8),
             ("来源", "source", 12), ("文件", "path", 24), ("段落数", "n_units", 8), ("主题覆盖率", "coverage", 10),
             ("主要主题", None, 10), ("main_theme", "main_theme", 16)]
            + [(f"{t.name}占比", t.id, 10) for t in codebook.themes] + [("content_hash", "content_hash", 12)])


def summary_values(summary: dict, columns, names: dict[str, str]) -> list:
    return [names.get(summary["main_theme"]) if key is None else summary.get(key) for _, key, _ in columns]


def write_summary(path: Path, summaries: Iterable[dict], codebook) -> int:
    """One row per article: ``.jsonl`` records keep the ids; ``.csv`` (for
    Excel) has Chinese headers and theme names."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    if path.suffix.lower() == ".jsonl":
        with open(path, "w", encoding="utf-8") as fh:
            for s in summaries:
                fh.write(json.dumps(s, ensure_ascii=False) + "\n")
                n += 1
    else:
        columns = summary_columns(codebook)
        names = {t.id: t.name for t in codebook.themes}
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([header for header, _, _ in columns])
            for s in summaries:
                writer.writerow([guard_formula(v) for v in summary_values(s, columns, names)])
                n += 1
    return n


WORKBOOK_TITLE = "dangjian-topics labels"  # marks a workbook this command wrote
# The paragraphs sheet: (header, row key or None for a computed column, width in characters).
_XLSX_COLUMNS = (
    ("文章", "doc", 18), ("标题", "title", 28), ("日期", "date", 11), ("地区", "region", 8), ("来源", "source", 12),
    ("段落序号", "index", 8), ("小标题", "heading", 20), ("段落", "text", 80), ("主题", None, 22),
    ("主要主题", None, 10), ("theme_ids", None, 22), ("primary_id", "primary", 16), ("依据词", "evidence", 30),
)
_XLSX_TAIL = (("其他字段", "fields", 16), ("文件", "path", 24), ("content_hash", "content_hash", 12),
              ("段落数", "n_units", 8))


def write_xlsx(path: Path, rows: Iterable[dict], codebook) -> None:
    """A workbook an analyst can work in, streamed (write-only):

    - ``段落`` (paragraphs): one row per paragraph with Chinese headers, the
      themes by their Chinese names and, in their own columns, by id, and one
      numeric score column per theme; header frozen, filters on, text wrapped;
    - ``文章`` (articles): one row per article with its theme shares;
    - ``主题说明`` (codebook): every theme's id, name, description and keywords.

    Text is stored as text, never as a formula, whatever it starts with.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    themes = list(codebook.themes)
    names = {t.id: t.name for t in themes}
    wb = Workbook(write_only=True)
    wb.properties.title = WORKBOOK_TITLE
    wb.properties.creator = "dangjian-topics"
    paragraphs = wb.create_sheet("段落")
    articles = wb.create_sheet("文章")
    codebook_sheet = wb.create_sheet("主题说明")
    score_columns = [(f"{t.name}得分", t.id, 10) for t in themes]
    para_columns = list(_XLSX_COLUMNS) + score_columns + list(_XLSX_TAIL)
    article_columns = summary_columns(codebook)
    wrap, bold = Alignment(wrap_text=True, vertical="top"), Font(bold=True)

    def cells(sheet, values, wrap_at=(), header=False):
        out = []
        for i, v in enumerate(values):
            if isinstance(v, (dict, list)):
                v = json.dumps(v, ensure_ascii=False)
            c = WriteOnlyCell(sheet, value=v)
            if isinstance(v, str):
                c.data_type = "s"
            if header:
                c.font = bold
            elif i in wrap_at:
                c.alignment = wrap
            out.append(c)
        return out

    def prepare(sheet, columns):
        for i, (_, _, width) in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        sheet.append(cells(sheet, [h for h, _, _ in columns], header=True))

    def theme_names(row):
        return "、".join(names.get(t["id"], t["id"]) for t in row["themes"])

    prepare(paragraphs, para_columns)
    prepare(articles, article_columns)
    text_col = [k for _, k, _ in para_columns].index("text")
    n_para = n_art = 0
    for group in iter_articles_rows(rows):
        for r in group:
            scores = {t["id"]: t["score"] for t in r["themes"]}
            values = []
            for header, key, _ in para_columns:
                if header == "主题":
                    values.append(theme_names(r))
                elif header == "主要主题":
                    values.append(names.get(r["primary"]) if r["primary"] else None)
                elif header == "theme_ids":
                    values.append(";".join(t["id"] for t in r["themes"]))
                elif key in names:
                    values.append(scores.get(key, 0.0))
                else:
                    values.append(r.get(key))
            paragraphs.append(cells(paragraphs, values, wrap_at=(text_col,)))
            n_para += 1
        s = article_summary(group, [t.id for t in themes])
        articles.append(cells(articles, summary_values(s, article_columns, names)))
        n_art += 1
    paragraphs.auto_filter.ref = f"A1:{get_column_letter(len(para_columns))}{n_para + 1}"
    articles.auto_filter.ref = f"A1:{get_column_letter(len(article_columns))}{n_art + 1}"
    codebook_columns = [("id", None, 20), ("主题", None, 10), ("English", None, 20), ("说明", None, 60), ("关键词", None, 60)]
    prepare(codebook_sheet, codebook_columns)
    for t in themes:
        codebook_sheet.append(cells(codebook_sheet, [t.id, t.name, t.name_en, t.description, "、".join(t.keywords)],
                                    wrap_at=(3, 4)))
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    os.replace(tmp, path)


# -- what may be written over -------------------------------------------------------------------

_LABEL_ROW_KEYS = {"doc", "index", "text", "themes", "content_hash", "n_units"}
_ERROR_KEYS = {"path", "line", "reason"}


class OutputConflictError(ValueError):
    """An output path holds a file that ``dangjian label`` did not write."""


def _first_line(path: Path) -> str:
    with open(path, "rb") as fh:
        for raw in fh:
            if raw.strip():
                return raw.decode("utf-8-sig", errors="replace").strip()
    return ""


def _first_json_keys(path: Path) -> set[str]:
    try:
        record = json.loads(_first_line(path))
    except (ValueError, RecursionError):
        return set()
    return set(record) if isinstance(record, dict) else set()


def _xlsx_title(path: Path) -> str | None:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True)
    except Exception:  # openpyxl raises many types for a file that is not a workbook  # noqa: BLE001
        return None
    try:
        return wb.properties.title
    finally:
        wb.close()


def written_by_label(path: Path, role: str) -> bool:
    """Whether ``path`` is absent, empty, or recognisably a file that this
    command wrote in the given role (so resuming or replacing it loses no
    user data): ``rows`` (JSON Lines or CSV rows, or an XLSX workbook),
    ``journal``, ``errors``, ``summary`` or ``report``."""
    if not path.exists():
        return True
    if not path.is_file():
        return False
    if path.stat().st_size == 0:
        return True
    suffix = path.suffix.lower()
    if role == "report":
        with open(path, "rb") as fh:
            return REPORT_GENERATOR.encode() in fh.read(4096)
    if role == "errors":
        return _first_json_keys(path) >= _ERROR_KEYS
    if role == "summary":
        if suffix == ".jsonl":
            return {"doc", "main_theme", "content_hash"} <= _first_json_keys(path)
        header = _first_line(path)
        return header.startswith("文章,") and header.endswith("content_hash")
    if suffix == ".xlsx":
        return _xlsx_title(path) == WORKBOOK_TITLE
    if suffix == ".csv":
        return _first_line(path) == ",".join(CSV_COLUMNS)
    return _first_json_keys(path) >= _LABEL_ROW_KEYS


def check_outputs(outputs: dict[Path, str], overwrite: bool) -> None:
    """Refuse to touch an existing file that ``dangjian label`` did not write,
    unless ``overwrite``. Runs before anything is opened for writing."""
    foreign = [p for p, role in outputs.items() if not written_by_label(p, role)]
    if foreign and not overwrite:
        names = ", ".join(str(p) for p in foreign)
        raise OutputConflictError(
            f"{names}: exists and was not written by 'dangjian label'; refusing to change it. "
            f"Choose another output name, or pass --overwrite to replace it")


# -- the run -------------------------------------------------------------------------------------

def _chunks(items: Iterator, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class LabelStats:
    labeled: int = 0
    skipped: int = 0
    failed: int = 0
    units: int = 0
    startup_seconds: float = 0.0  # from the start of the run to the first article written
    seconds: float = 0.0


def run_label(paths: Sequence[str], out: Path, model_dir: str, workers: int = 1, batch_size: int = 8,
              summary: Path | None = None, report: Path | None = None, progress: bool = True,
              overwrite: bool = False) -> LabelStats:
    from tqdm import tqdm

    from dangjian.model.bundle import load_bundle

    started = time.perf_counter()
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{out}: unsupported output type {suffix or '(none)'}; use one of {', '.join(FORMATS)}")
    journal_path = out.with_name(out.name + ".journal.jsonl") if suffix == ".xlsx" else out
    errors_path = out.with_name(out.name + ".errors.jsonl")
    roles = {out: "rows", journal_path: "journal" if journal_path != out else "rows", errors_path: "errors"}
    if summary is not None:
        roles[summary] = "summary"
    if report is not None:
        roles[report] = "report"
    check_outputs(roles, overwrite)
    model = load_bundle(model_dir)  # also validates the bundle before any file or worker is touched
    if overwrite:  # start afresh; summary and report are rewritten at the end anyway
        for path, role in roles.items():
            if role in ("rows", "journal", "errors") and path.is_file():
                path.unlink()
    journal = RowJournal(journal_path, "csv" if suffix == ".csv" else "jsonl")
    journal.recover()
    theme_ids = model.codebook.ids
    stats = LabelStats(skipped=0)
    journal.open()
    errors_fh = open(errors_path, "w", encoding="utf-8")

    def record_error(path: str, reason: str, line: int | None = None):
        stats.failed += 1
        path, reason = replace_surrogates(path), replace_surrogates(reason)
        errors_fh.write(json.dumps({"path": path, "line": line, "reason": reason}, ensure_ascii=False) + "\n")
        errors_fh.flush()
        logger.warning("%s%s: %s", path, f":{line}" if line else "", reason)

    seen_this_run: set[str] = set()
    outputs = [p for p in (out, journal_path, errors_path, summary, report) if p is not None]
    pool = _start_pool(model, model_dir, workers) if workers > 1 else None  # before any thread exists
    bar = tqdm(total=count_articles(paths, outputs), unit="article", disable=not progress, file=sys.stderr,
               dynamic_ncols=True)

    def todo() -> Iterator[Article]:
        for item in iter_articles(paths, outputs):
            if isinstance(item, DocumentReadError):
                record_error(item.path, item.reason, item.line)
                bar.update(1)
                continue
            if item.content_hash in journal.done or item.content_hash in seen_this_run:
                stats.skipped += 1
                bar.update(1)
                continue
            seen_this_run.add(item.content_hash)
            yield item

    pending: dict[str, Article] = {}

    def tasks() -> Iterator[tuple[list[Article], str]]:
        for chunk in _chunks(todo(), batch_size):
            for art in chunk:
                pending[art.content_hash] = art
            yield chunk, journal.kind

    try:
        if pool is not None:
            results = pool.imap(_label_in_worker, tasks())
        else:
            results = (label_and_render(model, chunk, kind) for chunk, kind in tasks())
        for labeled in results:
            for key, lines, n in labeled:
                art = pending.pop(key)
                if lines is None:
                    record_error(art.path, f"{art.doc}: {n}")
                else:
                    journal.write_article(key, lines)
                    if not stats.labeled:
                        stats.startup_seconds = time.perf_counter() - started
                    stats.labeled += 1
                    stats.units += n
                bar.update(1)
    finally:
        bar.close()
        if pool is not None:
            pool.terminate()
            pool.join()
        journal.close()
        errors_fh.close()
    stats.seconds = time.perf_counter() - started
    if not stats.failed:
        errors_path.unlink(missing_ok=True)
    if suffix == ".xlsx":
        write_xlsx(out, journal.iter_rows(), model.codebook)
    if summary is not None:
        write_summary(summary, (article_summary(g, theme_ids) for g in iter_articles_rows(journal.iter_rows())),
                      model.codebook)
    if report is not None:
        from .report import write_report

        write_report(report, journal.iter_rows, model)
    return stats


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dangjian label", description="Label every paragraph of many articles.")
    parser.add_argument("paths", nargs="+", help="files, directories (recursive), or JSON Lines/CSV collections")
    parser.add_argument("-o", "--output", required=True, type=Path, help="output file: .jsonl, .csv or .xlsx")
    parser.add_argument("--model", default="models/latest", help="bundle directory (default models/latest)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (each loads the model once)")
    parser.add_argument("--batch-size", type=int, default=8,
                        help="articles labelled together (default 8); a crash loses at most this many per worker")
    parser.add_argument("--summary", type=Path, help="one row per article with its theme shares (.csv or .jsonl)")
    parser.add_argument("--report", type=Path, help="a self-contained HTML report")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace output files instead of resuming; needed to write over a file that "
                             "'dangjian label' did not write")
    args = parser.parse_args(argv)
    if args.workers < 1 or args.batch_size < 1:
        parser.error("--workers and --batch-size must be at least 1")
    try:
        stats = run_label(args.paths, args.output, args.model, workers=args.workers, batch_size=args.batch_size,
                          summary=args.summary, report=args.report, progress=not args.no_progress,
                          overwrite=args.overwrite)
    except (ArtifactError, ValueError, OSError) as exc:
        print(f"dangjian label: {exc}", file=sys.stderr)
        return 1
    print(f"dangjian label: {stats.labeled} articles labeled ({stats.units} paragraphs), {stats.skipped} already in "
          f"{args.output} or repeated, {stats.failed} failed", file=sys.stderr)
    if stats.failed:
        errors = args.output.with_name(args.output.name + ".errors.jsonl").resolve()
        print(f"dangjian label: see {errors} for what could not be read", file=sys.stderr)
        return 1
    return 0
