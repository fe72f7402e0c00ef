"""``dangjian import-corrections LABELED... [--store data/annotations/annotations.jsonl]``

Turns a labeled output that an analyst corrected (the ``.csv`` or ``.jsonl``
of ``dangjian label``, with the themes edited: in the CSV the ``主题`` column
and optionally ``主要主题``; in JSON Lines ``themes`` and ``primary``) into records of the annotation store with ``pass: correction``,
appended to it. The next ``dangjian train`` uses them: a correction wins
over an older label of the same text.

In the themes column, themes may be written as ids or Chinese names,
separated by ``;`` ``,`` ``，`` ``、`` or spaces, with or without ``:score``
(``governance:0.91; assessment`` and ``基层治理、考核评价`` both work); an
empty cell means no theme. ``primary`` defaults to the first theme listed.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path
from typing import Iterator, Sequence

from dangjian.model.codebook import Codebook, load_codebook
from dangjian.model.errors import DocumentReadError
from dangjian.model.spreadsheet import unguard_formula

from .annotations import GUIDE_VERSION, STORE_PATH, append_records, utc_now

_SPLIT = re.compile(r"[;,，、；\s]+")
# The CSV written by `dangjian label` has Chinese headers; these are the
# columns an analyst edits or that identify the paragraph. The id columns
# (theme_ids, primary_id) are the model's and are not read back.
CSV_COLUMNS = {"文章": "doc", "段落序号": "index", "段落": "text", "主题": "themes", "主要主题": "primary"}


def parse_themes(cell, codebook: Codebook) -> list[str]:
    """Theme ids from an edited cell (ids or Chinese names, optional :score)."""
    if isinstance(cell, list):  # JSON Lines rows keep the model's structure
        items = [t["id"] if isinstance(t, dict) else str(t) for t in cell]
    else:
        items = [part.split(":")[0].strip() for part in _SPLIT.split(str(cell or "")) if part.strip()]
    by_name = {t.name: t.id for t in codebook.themes}
    ids = []
    for item in items:
        theme = item if item in codebook.ids else by_name.get(item)
        if theme is None:
            raise ValueError(f"unknown theme {item!r}")
        if theme not in ids:
            ids.append(theme)
    return ids


def _rows(path: Path) -> Iterator[tuple[int, dict]]:
    if path.suffix.lower() == ".jsonl":
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DocumentReadError(path, f"malformed JSON: {exc.msg}", line=number) from None
    elif path.suffix.lower() == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            for row in reader:
                row = {k: unguard_formula(v) for k, v in row.items() if k is not None}
                if "段落" in row:
                    row = {CSV_COLUMNS[k]: v for k, v in row.items() if k in CSV_COLUMNS}
                yield reader.line_num, row
    else:
        raise DocumentReadError(path, "expected a .csv or .jsonl file written by `dangjian label`")


def import_corrections(paths: Sequence[Path], codebook: Codebook) -> list[dict]:
    records = []
    for path in paths:
        for number, row in _rows(Path(path)):
            for key in ("doc", "index", "text", "themes"):
                if key not in row:
                    raise DocumentReadError(path, f"missing column {key!r}", line=number)
            try:
                labels = parse_themes(row["themes"], codebook)
                primary = (row.get("primary") or "").strip() or None
                if primary is not None:
                    primary = parse_themes(primary, codebook)[0]
            except ValueError as exc:
                raise DocumentReadError(path, str(exc), line=number) from None
            if primary not in labels:
                primary = labels[0] if labels else None
            doc = str(row["doc"])
            records.append({"id": f"{doc}-p{row['index']}", "text": row["text"], "labels": labels, "primary": primary,
                            "source": f"corrections:{Path(path).name}", "article": doc})
    return records


def correction_records(records: Sequence[dict], annotator: str, timestamp: str) -> list[dict]:
    """Store records (``pass: correction``) for imported corrections."""
    return [dict(r, **{"pass": "correction", "round": "corrections", "annotator": annotator,
                       "guide_version": GUIDE_VERSION, "timestamp": timestamp, "split": "train"})
            for r in records]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="dangjian import-corrections", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Append an analyst's corrections to the annotation store.\n\n"
                    "Give the .csv or .jsonl written by 'dangjian label' with its themes (and optionally primary)\n"
                    "column edited (in the CSV: 主题 and 主要主题): ids or Chinese names, separated by ; , ， 、 or spaces, scores optional\n"
                    "('governance:0.91; assessment' and '基层治理、考核评价' both work); an empty cell means no theme.\n"
                    "Each row becomes a record with pass 'correction'; the next 'dangjian train' uses it, and a\n"
                    "correction wins over an older label of the same text.")
    parser.add_argument("paths", nargs="+", type=Path, help="corrected .csv or .jsonl outputs of 'dangjian label'")
    parser.add_argument("--store", type=Path, default=Path("data") / STORE_PATH,
                        help="the annotation store to append to (default: data/annotations/annotations.jsonl)")
    parser.add_argument("--annotator", default="analyst", help="who corrected the labels (default: analyst)")
    parser.add_argument("--themes", type=Path, default=None, help="codebook (default: the packaged codebook)")
    args = parser.parse_args(argv)
    try:
        codebook = load_codebook(args.themes)
        records = correction_records(import_corrections(args.paths, codebook), args.annotator, utc_now())
        n = append_records(args.store, records, codebook)
    except (DocumentReadError, ValueError) as exc:
        print(f"dangjian import-corrections: {exc}", file=sys.stderr)
        return 1
    print(f"appended {n} corrections to {args.store}", file=sys.stderr)
    return 0
