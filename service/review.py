"""``dangjian review load|export``: fill the review store and read corrections out of it.

- ``dangjian review load LABELS... --db PATH [--model DIR]`` loads the rows
  that ``dangjian label`` wrote (``.jsonl`` or ``.csv``: one row per
  paragraph with ``doc``, ``index``, ``text``, ``source``) into the review
  queue. Every unit is scored again with the model (default
  ``models/latest``), so that the store knows every theme's score, the
  keyword themes and what a correction is worth (see
  :mod:`dangjian.model.review_queue`). Loading the same file with the same
  model again adds nothing; a malformed row is reported by line and skipped.
- ``dangjian review export --db PATH -o corrections.jsonl`` writes each
  corrected unit's latest correction in the codebook's record format
  (``id``, ``text``, ``labels``, ``primary``, ``article``, ``source``, with
  ``reviewer``, ``timestamp``, ``note`` and the corrected prediction's
  ``model_version``), ready for ``dangjian evaluate`` or the annotation store.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator, Sequence

from dangjian.model.errors import DocumentReadError, TopicModelError
from dangjian.model.review_store import LoadCounts, ReviewStore, text_hash

logger = logging.getLogger(__name__)

DEFAULT_DB = Path("data") / "review.sqlite"
SCORE_CHUNK = 256  # units scored per model call
REQUIRED_COLUMNS = ("doc", "index", "text")


def iter_label_rows(path: Path, codebook) -> Iterator[tuple[int, dict | DocumentReadError]]:
    """``(line, row)`` for every row of a ``dangjian label`` output (``.jsonl``
    or ``.csv``); a malformed row comes as a DocumentReadError naming the file
    and line, and the rows after it still come."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        with open(path, encoding="utf-8-sig") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except (ValueError, RecursionError) as exc:
                    yield number, DocumentReadError(path, f"malformed JSON: {exc}", line=number)
                    continue
                yield number, _checked(row, path, number)
    elif suffix == ".csv":
        from .label_writers import CsvCodec

        codec = CsvCodec(codebook)  # the CSV that `dangjian label` writes: one physical line per row
        with open(path, encoding="utf-8-sig", newline="") as fh:
            header = fh.readline()
            for number, line in enumerate(fh, start=2):
                if not line.strip():
                    continue
                try:
                    row = next(codec.iter_rows([header, line]))
                except (KeyError, ValueError, TypeError, StopIteration) as exc:
                    yield number, DocumentReadError(path, f"malformed row ({type(exc).__name__}: {exc}); is this a "
                                                          f"CSV written by `dangjian label`?", line=number)
                    continue
                yield number, _checked(row, path, number)
    else:
        raise DocumentReadError(path, "expected a .jsonl or .csv file written by `dangjian label`")


def _checked(row: object, path: Path, number: int) -> dict | DocumentReadError:
    if not isinstance(row, dict):
        return DocumentReadError(path, f"expected a JSON object, got {type(row).__name__}", line=number)
    missing = [k for k in REQUIRED_COLUMNS if k not in row]
    if missing:
        return DocumentReadError(path, f"missing field(s) {missing}; is this an output of `dangjian label`?", line=number)
    if not isinstance(row["text"], str) or not row["text"].strip():
        return DocumentReadError(path, "'text' must be a non-empty string", line=number)
    return row


def load_labels(store: ReviewStore, path: Path, model) -> tuple[int, int, int, list[DocumentReadError]]:
    """Load one labelled file into the store, streaming it in chunks. Returns
    (rows, units added, predictions added, errors). Units that already have a
    prediction of this model are not scored again."""
    version = model.version or "unknown"
    counts, errors = LoadCounts(), []
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    chunk: list[dict] = []
    for _, row in iter_label_rows(path, model.codebook):
        if isinstance(row, DocumentReadError):
            errors.append(row)
            continue
        counts.n_rows += 1
        chunk.append(row)
        if len(chunk) >= SCORE_CHUNK:
            _load_chunk(store, chunk, model, version, counts)
            chunk = []
    if chunk:
        _load_chunk(store, chunk, model, version, counts)
    store.record_load(str(path), digest.hexdigest(), counts)
    return counts.n_rows, counts.n_units_added, counts.n_predictions_added, errors


def _load_chunk(store: ReviewStore, rows: list[dict], model, version: str, counts: LoadCounts) -> None:
    from dangjian.model.review_queue import review_units

    known = store.known_predictions((text_hash(r["text"]) for r in rows), version)
    todo: dict[str, dict] = {}
    for r in rows:
        if text_hash(r["text"]) not in known:
            todo.setdefault(r["text"], r)  # a text repeated in the file: its first row
    if not todo:
        return
    reviews = review_units(model, list(todo))
    units = [{"text": r["text"], "key": f"{r['doc']}-p{r['index']}", "article": str(r["doc"]), "source": r.get("source")}
             for r in todo.values()]
    added = store.add_units(zip(units, reviews))
    counts.n_units_added += added.n_units_added
    counts.n_predictions_added += added.n_predictions_added


def export_record(correction: dict) -> dict:
    """A correction as a record of the codebook's format (with provenance)."""
    return {"id": correction["key"], "text": correction["text"], "labels": correction["labels"],
            "primary": correction["primary"], "article": correction["article"], "source": correction["source"],
            "reviewer": correction["reviewer"], "timestamp": correction["created_utc"], "note": correction["note"],
            "model_version": (correction["prediction"] or {}).get("model_version")}


def write_export(store: ReviewStore, out: Path, since: str | None = None) -> int:
    """Write the latest correction of every corrected unit to ``out``
    (atomically: a temporary file beside it, then renamed)."""
    records = [export_record(c) for c in store.corrections(since=since, latest_only=True)]
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(records)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dangjian review",
                                     description="The review store: load labelled paragraphs, export corrections.")
    sub = parser.add_subparsers(dest="action", required=True)
    load = sub.add_parser("load", help="load the output of 'dangjian label' into the review queue (idempotent)")
    load.add_argument("paths", nargs="+", type=Path, help=".jsonl or .csv files written by 'dangjian label'")
    load.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"the review store (default {DEFAULT_DB}; created if missing)")
    load.add_argument("--model", default="models/latest",
                      help="bundle that scores the units for the queue (default models/latest)")
    export = sub.add_parser("export", help="write the corrections in the codebook's record format (JSON Lines)")
    export.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"the review store (default {DEFAULT_DB})")
    export.add_argument("-o", "--output", type=Path, required=True, help="output .jsonl")
    export.add_argument("--since", help="only corrections made after this ISO time")
    export.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    args = parser.parse_args(argv)

    if args.action == "export":
        if not args.db.exists():
            print(f"dangjian review: {args.db}: no review store here", file=sys.stderr)
            return 1
        if args.output.exists() and not args.overwrite:
            print(f"dangjian review: {args.output}: exists; refusing to overwrite it (--overwrite replaces it)",
                  file=sys.stderr)
            return 1
        try:
            n = write_export(ReviewStore.open(args.db), args.output, since=args.since)
        except (TopicModelError, ValueError, OSError) as exc:
            print(f"dangjian review: {exc}", file=sys.stderr)
            return 1
        print(f"{n} corrected units -> {args.output}", file=sys.stderr)
        return 0

    from dangjian.model.bundle import load_bundle

    started = time.perf_counter()
    missing = [p for p in args.paths if not p.is_file()]
    for path in missing:
        print(f"dangjian review: {path}: no such file", file=sys.stderr)
    if len(missing) == len(args.paths):
        return 1  # nothing to load: the store is not created or touched
    try:
        model = load_bundle(args.model)
        store = ReviewStore.open(args.db, model.codebook.ids)
    except TopicModelError as exc:
        print(f"dangjian review: {exc}", file=sys.stderr)
        return 1
    failed = len(missing)
    for path in (p for p in args.paths if p not in missing):
        try:
            n_rows, n_units, n_predictions, errors = load_labels(store, path, model)
        except (DocumentReadError, OSError) as exc:
            print(f"dangjian review: {exc}", file=sys.stderr)
            failed += 1
            continue
        except TopicModelError as exc:
            print(f"dangjian review: {path}: {exc}", file=sys.stderr)
            failed += 1
            continue
        for error in errors:
            print(f"dangjian review: {error}", file=sys.stderr)
        failed += len(errors)
        print(f"{path}: {n_rows} rows, {n_units} new units, {n_predictions} new predictions "
              f"(model {model.version})", file=sys.stderr)
    progress = store.progress()
    print(f"{args.db}: {progress['queued']} units, {progress['reviewed']} reviewed "
          f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 1 if failed else 0
