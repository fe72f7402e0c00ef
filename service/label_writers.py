"""Output formats of ``dangjian label``: one writer class per format, chosen by suffix.

Every writer has the same life cycle, driven by :func:`dangjian.service.batch.run_label`:

1. ``owns_existing()``: whether the file at its path is absent or one this
   command wrote (so resuming or replacing it loses no user data);
2. ``open()``: recover what a previous run wrote (cutting off a torn, partly
   written last article) and return the content hashes of the complete ones;
3. ``codec.render(rows)`` (in the worker processes) and
   ``write_article(key, rendered)`` (in the main process), once per article;
4. ``close()``, then ``finish()``: formats that cannot be appended to
   (XLSX, Parquet) are built from their journal here;
5. ``iter_rows()``: the rows back as dicts, for the report.

Rows are dicts with the keys of :data:`ROW_KEYS`. Streamed formats (JSON
Lines, CSV) append each article's rows to the output itself, which is also
what a re-run resumes from. Built formats keep a JSON Lines journal beside
the output (``OUT.journal.jsonl``) and write the file at the end; the journal
stays as what a later run over more input resumes from.

A new format is one class here and one line in :data:`WRITERS`.
"""
from __future__ import annotations

import csv
import io
import json
import logging
import os
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from dangjian.model.shares import theme_share_fractions
from dangjian.model.spreadsheet import guard_formula, unguard_formula

from .label_journal import RowJournal
from .report import REPORT_GENERATOR

logger = logging.getLogger(__name__)

ROW_KEYS = ("doc", "title", "date", "region", "source", "index", "heading", "text", "themes", "primary", "scores",
            "evidence", "topics", "fields", "path", "content_hash", "n_units")
"""A paragraph row as the JSON Lines output has it; ``themes`` are ``[{id, score}]``."""

WORKBOOK_TITLE = "dangjian-topics labels"  # marks a workbook this command wrote
PARQUET_CREATOR = b"dangjian-topics labels"  # the same mark in a Parquet file's metadata


# -- columns for people: the CSV and the workbook's 段落 sheet --------------------------------------

def paragraph_columns(codebook) -> list[tuple[str, Callable[[dict], object], int]]:
    """The paragraph columns of the CSV output and of the workbook's 段落 sheet:
    (Chinese header, value of a row, width in characters). Themes appear by
    their Chinese names and, in their own columns, by id; one numeric score
    column per theme."""
    names = {t.id: t.name for t in codebook.themes}
    columns = [
        ("文章", lambda r: r["doc"], 18), ("标题", lambda r: r["title"], 28), ("日期", lambda r: r["date"], 11),
        ("地区", lambda r: r["region"], 8), ("来源", lambda r: r["source"], 12), ("段落序号", lambda r: r["index"], 8),
        ("小标题", lambda r: r["heading"], 20), ("段落", lambda r: r["text"], 80),
        ("主题", lambda r: "、".join(names.get(t["id"], t["id"]) for t in r["themes"]), 22),
        ("主要主题", lambda r: names.get(r["primary"]) if r["primary"] else None, 10),
        ("theme_ids", lambda r: ";".join(t["id"] for t in r["themes"]), 22),
        ("primary_id", lambda r: r["primary"], 16),
        ("依据词", lambda r: r["evidence"], 30),
    ]
    columns += [(f"{t.name}得分", (lambda r, tid=t.id: _score(r, tid)), 10) for t in codebook.themes]
    columns += [("话题", lambda r: r["topics"], 16), ("其他字段", lambda r: r["fields"], 16),
                ("文件", lambda r: r["path"], 24), ("content_hash", lambda r: r["content_hash"], 12),
                ("段落数", lambda r: r["n_units"], 8)]
    return columns


def _score(row: dict, theme: str) -> float:
    scores = row.get("scores")
    if scores:
        return scores.get(theme, 0.0)
    return next((t["score"] for t in row["themes"] if t["id"] == theme), 0.0)


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


def article_summary(rows: list[dict], theme_ids: Sequence[str], shares: dict[str, float] | None = None) -> dict:
    """One record per article: its carried fields and theme shares. ``shares``
    are the article's shares as the model gave them (kept from the labelling);
    when absent (an article a previous run labelled) they are computed from
    its rows with the same definition."""
    if shares is None:
        shares = theme_share_fractions(rows)
    first = rows[0]
    chars = sum(len(r["text"]) for r in rows)
    themed = sum(len(r["text"]) for r in rows if r["themes"])
    out = {"doc": first["doc"], "title": first["title"], "date": first.get("date"), "region": first.get("region"),
           "source": first.get("source"), "path": first.get("path"), "n_units": len(rows),
           "coverage": round(themed / chars, 4) if chars else 0.0}
    out["main_theme"] = max(shares, key=lambda t: (shares[t], t)) if shares else None
    for t in theme_ids:
        out[t] = round(shares.get(t, 0.0), 4)
    out["content_hash"] = first["content_hash"]
    return out


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


# -- how rows become lines of a journal -------------------------------------------------------------

def _json_default(value):
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


class JsonLinesCodec:
    """Rows as JSON Lines: one object per row, with the keys of :data:`ROW_KEYS`."""

    header = None

    def render(self, rows: list[dict]) -> str:
        return "".join(json.dumps(r, ensure_ascii=False, default=_json_default) + "\n" for r in rows)

    def article_key(self, line: str) -> tuple[str, int]:
        rec = json.loads(line)
        return rec["content_hash"], int(rec["n_units"])

    def iter_rows(self, fh) -> Iterator[dict]:
        for line in fh:
            if line.strip():
                yield json.loads(line)


class CsvCodec:
    """Rows as CSV lines for people (see :func:`paragraph_columns`), one
    physical line per row: newlines inside cells become spaces and cells that
    a spreadsheet would run as a formula are guarded."""

    def __init__(self, codebook):
        self.codebook = codebook
        self.columns = paragraph_columns(codebook)
        self.headers = [h for h, _, _ in self.columns]
        self.header = ",".join(self.headers)
        self._hash_col, self._n_col = self.headers.index("content_hash"), self.headers.index("段落数")

    def __getstate__(self):  # the column functions are lambdas: rebuilt where unpickled
        return {"codebook": self.codebook}

    def __setstate__(self, state):
        self.__init__(state["codebook"])

    @staticmethod
    def _cell(value) -> str:
        if isinstance(value, (dict, list)):
            value = json.dumps(value, ensure_ascii=False)
        if isinstance(value, float):
            return f"{value:.4f}"
        if isinstance(value, str):
            return guard_formula(value.replace("\r", " ").replace("\n", " "))
        return "" if value is None else str(value)

    def render(self, rows: list[dict]) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        for row in rows:
            writer.writerow([self._cell(value(row)) for _, value, _ in self.columns])
        return buf.getvalue()

    def article_key(self, line: str) -> tuple[str, int]:
        cells = next(csv.reader([line]))
        return cells[self._hash_col], int(cells[self._n_col])

    def iter_rows(self, fh) -> Iterator[dict]:
        """Rows back from the CSV text, with the structure of :data:`ROW_KEYS`."""
        ids = [t.id for t in self.codebook.themes]
        score_headers = {t.id: f"{t.name}得分" for t in self.codebook.themes}
        reader = csv.reader(fh)
        headers = next(reader, None)
        for cells in reader:
            rec = {h: unguard_formula(v) for h, v in zip(headers, cells)}
            scores = {t: float(rec[score_headers[t]] or 0.0) for t in ids}
            themes = [{"id": t, "score": scores[t]} for t in rec["theme_ids"].split(";") if t]
            yield {"doc": rec["文章"], "title": rec["标题"] or None, "date": rec["日期"] or None,
                   "region": rec["地区"] or None, "source": rec["来源"] or None, "index": int(rec["段落序号"]),
                   "heading": rec["小标题"] or None, "text": rec["段落"], "themes": themes,
                   "primary": rec["primary_id"] or None, "scores": scores,
                   "evidence": json.loads(rec["依据词"]) if rec["依据词"] else {},
                   "topics": json.loads(rec["话题"]) if rec["话题"] else [],
                   "fields": json.loads(rec["其他字段"]) if rec["其他字段"] else {},
                   "path": rec["文件"], "content_hash": rec["content_hash"], "n_units": int(rec["段落数"])}


# -- writers -----------------------------------------------------------------------------------------

class RowWriter:
    """A format whose rows are appended to the output file as they come."""

    suffix = ""
    description = ""

    def __init__(self, path: Path, codebook):
        self.path = Path(path)
        self.codebook = codebook
        self.codec = self.make_codec(codebook)
        self.journal = RowJournal(self.journal_path, self.codec)

    def make_codec(self, codebook):
        return JsonLinesCodec()

    @property
    def journal_path(self) -> Path:
        return self.path

    @property
    def paths(self) -> list[Path]:
        """Every file this writer writes."""
        return [self.path] if self.journal_path == self.path else [self.path, self.journal_path]

    def owns_existing(self) -> bool:
        return _owned(self.journal_path, self._owns_journal) and (
            self.journal_path == self.path or _owned(self.path, self._owns_output))

    def _owns_journal(self) -> bool:
        try:
            line = _first_line(self.journal_path)
            return self.codec.header == line if self.codec.header else set(json.loads(line)) >= _LABEL_ROW_KEYS
        except (ValueError, TypeError, RecursionError):
            return False

    def _owns_output(self) -> bool:
        return True

    def remove(self) -> None:
        for path in self.paths:
            if path.is_file():
                path.unlink()

    def open(self) -> set[str]:
        self.journal.recover()
        self.journal.open()
        return self.journal.done

    def write_article(self, key: str, rendered: str) -> None:
        self.journal.write_article(key, rendered)

    def close(self) -> None:
        self.journal.close()

    def finish(self) -> None:
        """Build the output from the journal (formats that are not appended to)."""

    def iter_rows(self) -> Iterator[dict]:
        return self.journal.iter_rows()


class JsonLinesWriter(RowWriter):
    suffix = ".jsonl"
    description = "one JSON object per paragraph (ids, all scores, evidence, topics)"


class CsvWriter(RowWriter):
    suffix = ".csv"
    description = "UTF-8 with BOM for Excel; Chinese headers, one score column per theme"

    def make_codec(self, codebook):
        return CsvCodec(codebook)


class BuiltWriter(RowWriter):
    """A format written whole at the end, from a JSON Lines journal kept beside it."""

    @property
    def journal_path(self) -> Path:
        return self.path.with_name(self.path.name + ".journal.jsonl")

    def owns_existing(self) -> bool:
        # Without its journal an existing output could not be rebuilt with the
        # rows it holds: a re-run would replace them with this run's only.
        if self.path.exists() and not (self.journal_path.is_file() and self.journal_path.stat().st_size):
            return False
        return super().owns_existing()

    def finish(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        self.build(tmp, self.journal.iter_rows())
        os.replace(tmp, self.path)

    def build(self, path: Path, rows: Iterable[dict]) -> None:
        raise NotImplementedError


class XlsxWriter(BuiltWriter):
    suffix = ".xlsx"
    description = "workbook: sheets 段落 (paragraphs), 文章 (articles), 主题说明 (the codebook)"

    def _owns_output(self) -> bool:
        from openpyxl import load_workbook

        try:
            wb = load_workbook(self.path, read_only=True)
        except Exception:  # openpyxl raises many types for a file that is not a workbook  # noqa: BLE001
            return False
        try:
            return wb.properties.title == WORKBOOK_TITLE
        finally:
            wb.close()

    def build(self, path: Path, rows: Iterable[dict]) -> None:
        write_workbook(path, rows, self.codebook)


class ParquetWriter(BuiltWriter):
    suffix = ".parquet"
    description = "typed columns for pandas and R: theme ids as a list, one float score column per theme"

    def _owns_output(self) -> bool:
        import pyarrow.parquet as pq

        try:
            metadata = pq.read_metadata(self.path).metadata or {}
        except Exception:  # pyarrow raises ArrowInvalid, OSError … for a file that is not Parquet  # noqa: BLE001
            return False
        return metadata.get(b"creator") == PARQUET_CREATOR

    def build(self, path: Path, rows: Iterable[dict]) -> None:
        write_parquet(path, rows, self.codebook)


WRITERS: dict[str, type[RowWriter]] = {w.suffix: w for w in (JsonLinesWriter, CsvWriter, XlsxWriter, ParquetWriter)}
"""Output formats by file suffix."""


def writer_for(path: Path, codebook) -> RowWriter:
    """The writer for an output path, by its suffix (ValueError if none)."""
    cls = WRITERS.get(Path(path).suffix.lower())
    if cls is None:
        raise ValueError(f"{path}: unsupported output type {Path(path).suffix or '(none)'}; "
                         f"use one of {', '.join(WRITERS)}")
    return cls(path, codebook)


# -- the built formats ------------------------------------------------------------------------------

def write_workbook(path: Path, rows: Iterable[dict], codebook) -> None:
    """A workbook an analyst can work in, streamed (write-only):

    - ``段落`` (paragraphs): one row per paragraph (:func:`paragraph_columns`);
      header frozen, filters on, text wrapped;
    - ``文章`` (articles): one row per article with its theme shares;
    - ``主题说明`` (codebook): every theme's id, name, description and keywords.

    Text is stored as text, never as a formula, whatever it starts with.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from dangjian.model.palette import ink, tint

    themes = list(codebook.themes)
    names = {t.id: t.name for t in themes}
    wb = Workbook(write_only=True)
    wb.properties.title = WORKBOOK_TITLE
    wb.properties.creator = "dangjian-topics"
    paragraphs = wb.create_sheet("段落")
    articles = wb.create_sheet("文章")
    codebook_sheet = wb.create_sheet("主题说明")
    para_columns = paragraph_columns(codebook)
    article_columns = summary_columns(codebook)
    wrap, bold = Alignment(wrap_text=True, vertical="top"), Font(bold=True)

    colours = codebook.colours()
    header_fills = {}  # a theme's score and share columns carry its colour in their header
    for t in themes:
        colour = colours[t.id].lstrip("#")
        style = (PatternFill("solid", fgColor=colour), Font(bold=True, color=ink(colours[t.id]).lstrip("#")))
        header_fills[f"{t.name}得分"] = header_fills[f"{t.name}占比"] = style
    primary_fills = {t.name: PatternFill("solid", fgColor=tint(colours[t.id]).lstrip("#")) for t in themes}

    def cells(sheet, values, wrap_at=(), header=False, fill_at=()):
        out = []
        for i, v in enumerate(values):
            if isinstance(v, (dict, list)):
                v = json.dumps(v, ensure_ascii=False)
            c = WriteOnlyCell(sheet, value=v)
            if isinstance(v, str):
                c.data_type = "s"
            if header:
                c.font = bold
                if v in header_fills:
                    c.fill, c.font = header_fills[v]
            elif i in wrap_at:
                c.alignment = wrap
            if i in fill_at and v in primary_fills:  # the main theme's cell in its colour's tint
                c.fill = primary_fills[v]
            out.append(c)
        return out

    def prepare(sheet, columns):
        for i, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = column[2]
        sheet.freeze_panes = "A2"
        sheet.append(cells(sheet, [column[0] for column in columns], header=True))

    prepare(paragraphs, para_columns)
    prepare(articles, article_columns)
    text_col = [h for h, _, _ in para_columns].index("段落")
    primary_col = [h for h, _, _ in para_columns].index("主要主题")
    main_col = [h for h, _, _ in article_columns].index("主要主题")
    n_para = n_art = 0
    for group in iter_articles_rows(rows):
        for r in group:
            paragraphs.append(cells(paragraphs, [value(r) for _, value, _ in para_columns], wrap_at=(text_col,),
                                    fill_at=(primary_col,)))
            n_para += 1
        s = article_summary(group, [t.id for t in themes])
        articles.append(cells(articles, summary_values(s, article_columns, names), fill_at=(main_col,)))
        n_art += 1
    paragraphs.auto_filter.ref = f"A1:{get_column_letter(len(para_columns))}{n_para + 1}"
    articles.auto_filter.ref = f"A1:{get_column_letter(len(article_columns))}{n_art + 1}"
    codebook_columns = [("id", None, 20), ("主题", None, 10), ("English", None, 20), ("说明", None, 60),
                        ("关键词", None, 60), ("颜色", None, 10)]
    prepare(codebook_sheet, codebook_columns)
    for t in themes:
        line = cells(codebook_sheet, [t.id, t.name, t.name_en, t.description, "、".join(t.keywords), colours[t.id]],
                     wrap_at=(3, 4), fill_at=(1,))
        line[-1].fill = PatternFill("solid", fgColor=colours[t.id].lstrip("#"))
        line[-1].font = Font(color=ink(colours[t.id]).lstrip("#"))
        codebook_sheet.append(line)
    wb.save(path)


PARQUET_BATCH_ROWS = 10_000  # rows per row group: memory stays flat on big runs


def parquet_schema(codebook):
    import pyarrow as pa

    return pa.schema(
        [("doc", pa.string()), ("title", pa.string()), ("date", pa.string()), ("region", pa.string()),
         ("source", pa.string()), ("index", pa.int32()), ("heading", pa.string()), ("text", pa.string()),
         ("themes", pa.list_(pa.string())), ("primary", pa.string())]
        + [(f"score_{t.id}", pa.float64()) for t in codebook.themes]
        + [("evidence", pa.map_(pa.string(), pa.list_(pa.string()))),
           ("topics", pa.list_(pa.struct([("id", pa.int32()), ("weight", pa.float64())]))),
           ("fields", pa.string()), ("path", pa.string()), ("content_hash", pa.string()), ("n_units", pa.int32())],
        metadata={b"creator": PARQUET_CREATOR})


def _parquet_record(row: dict, theme_ids: Sequence[str]) -> dict:
    record = {k: row.get(k) for k in ("doc", "title", "date", "region", "source", "index", "heading", "text",
                                      "primary", "path", "content_hash", "n_units")}
    for key in ("title", "date", "region", "source"):
        if record[key] is not None:
            record[key] = str(record[key])
    record["themes"] = [t["id"] for t in row["themes"]]
    for t in theme_ids:
        record[f"score_{t}"] = float(_score(row, t))
    record["evidence"] = list((row.get("evidence") or {}).items())
    record["topics"] = [{"id": int(t["id"]), "weight": float(t["weight"])} for t in row.get("topics") or []]
    record["fields"] = json.dumps(row.get("fields") or {}, ensure_ascii=False)
    return record


def write_parquet(path: Path, rows: Iterable[dict], codebook) -> None:
    """One Parquet row per paragraph, written in row groups (see :func:`parquet_schema`)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema(codebook)
    theme_ids = [t.id for t in codebook.themes]
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[dict] = []
        groups = 0
        for row in rows:
            batch.append(_parquet_record(row, theme_ids))
            if len(batch) >= PARQUET_BATCH_ROWS:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch, groups = [], groups + 1
        if batch or not groups:  # an empty run still gets a file with the schema
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))


# -- per-article summaries ---------------------------------------------------------------------------

def write_summary(path: Path, summaries: Iterable[dict], codebook) -> int:
    """One row per article: ``.jsonl`` records keep the ids; ``.csv`` (for
    Excel) has Chinese headers and theme names."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    tmp = path.with_name(path.name + ".tmp")
    if path.suffix.lower() == ".jsonl":
        with open(tmp, "w", encoding="utf-8") as fh:
            for s in summaries:
                fh.write(json.dumps(s, ensure_ascii=False) + "\n")
                n += 1
    else:
        columns = summary_columns(codebook)
        names = {t.id: t.name for t in codebook.themes}
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([header for header, _, _ in columns])
            for s in summaries:
                writer.writerow([guard_formula(v) for v in summary_values(s, columns, names)])
                n += 1
    os.replace(tmp, path)
    return n


SUMMARY_SUFFIXES = (".csv", ".jsonl")


# -- what may be written over ------------------------------------------------------------------------

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


def _owned(path: Path, check: Callable[[], bool]) -> bool:
    """Absent, empty, or recognised by ``check`` as this command's file."""
    if not path.exists():
        return True
    if not path.is_file():
        return False
    return path.stat().st_size == 0 or check()


def owns_side_file(path: Path, role: str) -> bool:
    """Whether ``path`` is absent, empty, or recognisably the ``errors``,
    ``summary`` or ``report`` file of an earlier run."""
    def check() -> bool:
        if role == "report":
            with open(path, "rb") as fh:
                return REPORT_GENERATOR.encode() in fh.read(4096)
        if role == "errors":
            return _first_json_keys(path) >= _ERROR_KEYS
        if path.suffix.lower() == ".jsonl":
            return {"doc", "main_theme", "content_hash"} <= _first_json_keys(path)
        header = _first_line(path)
        return header.startswith("文章,") and header.endswith("content_hash")

    return _owned(path, check)
