"""The annotation store: one append-only JSON Lines file with provenance.

``data/annotations/annotations.jsonl`` holds every label ever given to a
paragraph unit, one record per decision::

    {"id", "text", "source", "article", "labels", "primary",
     "pass": "first" | "second" | "adjudicated" | "correction",
     "round", "annotator", "guide_version", "timestamp", "split": "train" | "heldout",
     "heldout_set"?: "v1" | "news" | "theme-rich", "note"?: str}

Records are only ever appended. What a unit's label *is* is derived by
:func:`resolve`: adjudications and corrections beat first-pass labels, and
among those the latest wins; blind second-pass labels never decide a label
(they measure agreement, see :func:`agreement`). Training reads the resolved
units of each split; nothing is copied by hand. ``rounds.json`` beside the
store says how each round's units were chosen (sampler, seed, quota).

``dangjian annotations stats|agreement|export`` reads it from the command line.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

from dangjian.model.codebook import Codebook, load_codebook
from dangjian.model.errors import DocumentReadError
from dangjian.model.resources import default_themes

from .data import LabeledUnit, data_resource

logger = logging.getLogger(__name__)

STORE_PATH = Path("annotations") / "annotations.jsonl"  # under the data directory
GUIDE_VERSION = 2  # the version of data/annotations/GUIDE.md that new labels follow
PASSES = ("first", "second", "adjudicated", "correction")
SPLITS = ("train", "heldout")
DECIDING_PASSES = ("first", "adjudicated", "correction")
REQUIRED_FIELDS = ("id", "text", "source", "article", "labels", "primary", "pass", "round", "annotator",
                   "guide_version", "timestamp", "split")


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def validate_record(rec: object, codebook: Codebook) -> dict:
    """The record if it is well formed; ValueError saying what is wrong otherwise."""
    if not isinstance(rec, dict):
        raise ValueError(f"expected a JSON object, got {type(rec).__name__}")
    missing = [k for k in REQUIRED_FIELDS if k not in rec]
    if missing:
        raise ValueError(f"missing field(s) {missing}")
    if not isinstance(rec["text"], str) or not rec["text"].strip():
        raise ValueError("'text' must be a non-empty string")
    labels = rec["labels"]
    if not isinstance(labels, list) or not all(isinstance(t, str) for t in labels):
        raise ValueError("'labels' must be a list of theme ids")
    unknown = set(labels) - set(codebook.ids)
    if unknown:
        raise ValueError(f"unknown theme id(s) {sorted(unknown)}")
    if len(set(labels)) != len(labels):
        raise ValueError(f"repeated theme in {labels}")
    primary = rec["primary"]
    if (primary is None) != (not labels) or (primary is not None and primary not in labels):
        raise ValueError(f"primary {primary!r} must be one of {labels} (null only when labels are empty)")
    if rec["pass"] not in PASSES:
        raise ValueError(f"'pass' must be one of {PASSES}, got {rec['pass']!r}")
    if rec["split"] not in SPLITS:
        raise ValueError(f"'split' must be one of {SPLITS}, got {rec['split']!r}")
    return rec


def read_store(path: str | Path, codebook: Codebook) -> list[dict]:
    """Every record of the store, validated; an error names the file and line.
    A missing store is empty."""
    path = Path(path)
    if not path.exists():
        return []
    records = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                records.append(validate_record(json.loads(line), codebook))
            except (ValueError, RecursionError) as exc:
                raise DocumentReadError(path, f"invalid annotation record: {exc}", line=number) from None
    return records


def append_records(path: str | Path, records: Iterable[dict], codebook: Codebook) -> int:
    """Validate all records first, then append them (never rewriting what is there)."""
    records = [validate_record(dict(r), codebook) for r in records]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return len(records)


def _rank(rec: dict) -> tuple:
    return (rec["pass"] != "first", rec["timestamp"])


def resolve(records: Iterable[dict]) -> list[dict]:
    """One record per unit text: the deciding record (adjudication or
    correction over a first-pass label; the latest among equals). Units keep
    the split of their first record, so a correction never moves a held-out
    text into training."""
    best: dict[str, dict] = {}
    first_split: dict[str, tuple[str, str | None]] = {}
    for rec in records:
        text = rec["text"]
        if text not in first_split:
            first_split[text] = (rec["split"], rec.get("heldout_set"))
        if rec["pass"] not in DECIDING_PASSES:
            continue
        if text not in best or _rank(rec) >= _rank(best[text]):
            best[text] = rec
    out = []
    for text, rec in best.items():
        split, heldout_set = first_split[text]
        out.append(dict(rec, split=split, heldout_set=heldout_set))
    return out


def to_units(records: Iterable[dict]) -> list[LabeledUnit]:
    known = {"id", "text", "labels", "primary", "article", "source"}
    return [LabeledUnit(id=str(r["id"]), text=r["text"], labels=list(r["labels"]), primary=r["primary"],
                        article=str(r["article"]), source=r.get("source"),
                        extra={k: v for k, v in r.items() if k not in known})
            for r in records]


def load_splits(data_dir: str | Path, codebook: Codebook,
                extra_records: Iterable[dict] = ()) -> tuple[list[LabeledUnit], list[LabeledUnit]]:
    """(training units, held-out units) resolved from the store under ``data_dir``
    and ``extra_records`` (store records appended after it, such as the review
    store's corrections). A training unit whose article is held out is left out of training."""
    resolved = resolve(read_store(Path(data_dir) / STORE_PATH, codebook) + list(extra_records))
    heldout = [r for r in resolved if r["split"] == "heldout"]
    held_articles = {r["article"] for r in heldout}
    train = [r for r in resolved if r["split"] == "train" and r["article"] not in held_articles]
    key = lambda r: r["id"]  # noqa: E731 - a stable order, whatever the order of appending
    return to_units(sorted(train, key=key)), to_units(sorted(heldout, key=key))


# -- agreement ------------------------------------------------------------------------------------

def agreement(records: Sequence[dict], themes: Sequence[str], rounds: set | None = None) -> dict:
    """First pass against the blind second pass, over the units that have both
    (optionally only those of ``rounds``): exact agreement of label sets,
    primary agreement, per-theme Cohen's kappa and counts."""
    from sklearn.metrics import cohen_kappa_score, f1_score

    first = {r["id"]: r for r in records if r["pass"] == "first"}
    second = {r["id"]: r for r in records if r["pass"] == "second"}
    ids = sorted(i for i in set(first) & set(second) if rounds is None or first[i]["round"] in rounds)
    if not ids:
        return {"n": 0}
    y1 = [[t in first[i]["labels"] for t in themes] for i in ids]
    y2 = [[t in second[i]["labels"] for t in themes] for i in ids]
    per_theme = {}
    for k, theme in enumerate(themes):
        a, b = [row[k] for row in y1], [row[k] for row in y2]
        kappa = cohen_kappa_score(a, b) if (any(a) or any(b)) and not (all(a) and all(b)) else float("nan")
        per_theme[theme] = {"kappa": round(float(kappa), 3), "first": sum(a), "second": sum(b),
                            "both": sum(x and y for x, y in zip(a, b))}
    any1, any2 = [any(r) for r in y1], [any(r) for r in y2]
    return {
        "n": len(ids),
        "exact": round(sum(set(first[i]["labels"]) == set(second[i]["labels"]) for i in ids) / len(ids), 3),
        "primary": round(sum(first[i]["primary"] == second[i]["primary"] for i in ids) / len(ids), 3),
        "any_theme_kappa": round(float(cohen_kappa_score(any1, any2)), 3),
        "micro_f1": round(float(f1_score(y1, y2, average="micro", zero_division=0)), 3),
        "macro_f1": round(float(f1_score(y1, y2, average="macro", zero_division=0)), 3),
        "per_theme": per_theme,
    }


def disagreements(records: Sequence[dict]) -> list[tuple[dict, dict]]:
    """(first, second) pairs whose label sets or primaries differ and that have
    no adjudication yet."""
    first = {r["id"]: r for r in records if r["pass"] == "first"}
    second = {r["id"]: r for r in records if r["pass"] == "second"}
    adjudicated = {r["id"] for r in records if r["pass"] == "adjudicated"}
    return [(first[i], second[i]) for i in sorted(set(first) & set(second))
            if i not in adjudicated and (set(first[i]["labels"]) != set(second[i]["labels"])
                                         or first[i]["primary"] != second[i]["primary"])]


def format_agreement(result: dict, title: str) -> str:
    if not result.get("n"):
        return f"{title}: no unit labelled twice"
    lines = [f"{title}: {result['n']} units labelled twice",
             f"  exact label-set agreement {result['exact']:.3f}, primary agreement {result['primary']:.3f}, "
             f"any-theme kappa {result['any_theme_kappa']:.3f}, micro-F1 {result['micro_f1']:.3f}, "
             f"macro-F1 {result['macro_f1']:.3f}",
             f"  {'theme':<20}{'kappa':>7}{'first':>7}{'second':>7}{'both':>6}"]
    for theme, v in result["per_theme"].items():
        lines.append(f"  {theme:<20}{v['kappa']:>7.3f}{v['first']:>7}{v['second']:>7}{v['both']:>6}")
    return "\n".join(lines)


# -- the command ---------------------------------------------------------------------------------

def stats(records: Sequence[dict], themes: Sequence[str]) -> str:
    resolved = resolve(records)
    lines = [f"{len(records)} records, {len(resolved)} labelled units",
             "records by pass: " + ", ".join(f"{p} {n}" for p, n in Counter(r["pass"] for r in records).most_common())]
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in resolved:
        groups["train" if r["split"] == "train" else f"heldout/{r.get('heldout_set') or '-'}"].append(r)
    lines.append(f"{'part':<20}{'units':>7}{'themed':>8}" + "".join(f"{t[:10]:>11}" for t in themes))
    for name in sorted(groups):
        rs = groups[name]
        counts = Counter(t for r in rs for t in r["labels"])
        themed = sum(bool(r["labels"]) for r in rs)
        lines.append(f"{name:<20}{len(rs):>7}{themed:>8}" + "".join(f"{counts[t]:>11}" for t in themes))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dangjian annotations",
                                     description="Read the annotation store (data/annotations/annotations.jsonl).")
    parser.add_argument("--data", type=Path, default=Path("data"), help="data directory (default: data)")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("stats", help="units and positives per theme, by split")
    agree = sub.add_parser("agreement", help="first pass against the blind second pass, per theme")
    agree.add_argument("--round", action="append", help="only these rounds (repeatable)")
    export = sub.add_parser("export", help="resolved units in the codebook's record format")
    export.add_argument("--split", choices=SPLITS, required=True)
    export.add_argument("--heldout-set", help="only this part of the held-out split (v1, news, theme-rich)")
    export.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    codebook = load_codebook(data_resource(args.data, "themes.yaml", default_themes()))
    try:
        records = read_store(args.data / STORE_PATH, codebook)
    except DocumentReadError as exc:
        print(f"dangjian annotations: {exc}", file=sys.stderr)
        return 1
    if args.action == "stats":
        print(stats(records, codebook.ids))
    elif args.action == "agreement":
        rounds = None
        if args.round:
            rounds = {int(r) if r.isdigit() else r for r in args.round}
        print(format_agreement(agreement(records, codebook.ids, rounds), "agreement"))
    else:
        rows = [r for r in resolve(records) if r["split"] == args.split
                and (args.heldout_set is None or r.get("heldout_set") == args.heldout_set)]
        if args.output.exists():
            print(f"dangjian annotations: {args.output}: exists; refusing to overwrite it", file=sys.stderr)
            return 1
        args.output.parent.mkdir(parents=True, exist_ok=True)
        with open(args.output, "w", encoding="utf-8") as fh:
            for r in sorted(rows, key=lambda r: r["id"]):
                fh.write(json.dumps({k: r[k] for k in ("id", "text", "labels", "primary", "article", "source")},
                                    ensure_ascii=False) + "\n")
        print(f"{len(rows)} units -> {args.output}", file=sys.stderr)
    return 0
