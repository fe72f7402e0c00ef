"""Build data/annotations/annotations.jsonl: run once, when the store was introduced.

1. ``legacy``: migrates annotation rounds 1-5 (the pools, now
   ``data/annotations/rounds/round<N>_pool.jsonl``, and the decisions
   ``data/annotation/labels_batch_*.jsonl``, ``relabels*.jsonl``; the held-out split of
   ``data/heldout/heldout.jsonl``) into store records, and checks that the
   resolved store gives exactly the units of ``data/labeled`` and
   ``data/heldout`` (text, labels, primary, split): nothing is lost.
2. ``ingest``: appends annotators' batch outputs (``{"id", "labels", "primary",
   "note"?}`` per line, one file per batch) with the unit text, article and
   source taken from the round pools, the batch's annotator name and pass.

    python scripts/annotation/build_store.py legacy --git-time 2026-11-22T07:58:19Z
    python scripts/annotation/build_store.py ingest OUT_DIR --pass first --batches t01 t02 ...
    python scripts/annotation/build_store.py ingest OUT_DIR --pass adjudicated --batches adjudicated

Later rounds append with ``ingest`` (or ``dangjian import-corrections``); nothing
rewrites the store.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from dangjian.model.codebook import load_codebook  # noqa: E402
from dangjian.training.annotations import GUIDE_VERSION, STORE_PATH, append_records, read_store, resolve  # noqa: E402

DATA = ROOT / "data"
ROUNDS_DIR = DATA / "annotations" / "rounds"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def legacy(git_time: str) -> int:
    codebook = load_codebook()
    legacy_dir = DATA / "annotation"
    pool, round_of = {}, {}
    for number in range(1, 6):
        path = ROUNDS_DIR / f"round{number}_pool.jsonl"
        for rec in read_jsonl(path):
            pool[rec["id"]] = rec
            round_of[rec["id"]] = number
    heldout_ids = {r["id"] for r in read_jsonl(DATA / "heldout" / "heldout.jsonl")}
    records = []
    for kind, pattern, prefix in (("first", "labels_batch_*.jsonl", "legacy-batch-"),
                                  ("second", "relabels*.jsonl", "legacy-relabel-")):
        for path in sorted(legacy_dir.glob(pattern)):
            tag = path.stem.rsplit("_", 1)[-1] if kind == "first" else (path.stem[8:] or "1")
            for lab in read_jsonl(path):
                src = pool[lab["id"]]
                held = lab["id"] in heldout_ids
                records.append({
                    "id": lab["id"], "text": src["text"], "source": src["source"], "article": src["article"],
                    "labels": lab["labels"], "primary": lab["primary"], "pass": kind, "round": round_of[lab["id"]],
                    "annotator": prefix + tag, "guide_version": 1, "timestamp": git_time,
                    "split": "heldout" if held else "train", **({"heldout_set": "v1"} if held else {}),
                })
    # nothing lost: every unit of data/labeled + data/heldout is a first-pass
    # record with the same text, labels, primary, split, article and source,
    # and the resolved store holds every one of their texts
    expected = {}
    for path in sorted((DATA / "labeled").glob("*.jsonl")) + [DATA / "heldout" / "heldout.jsonl"]:
        split = "heldout" if path.parent.name == "heldout" else "train"
        for r in read_jsonl(path):
            expected[r["id"]] = (r["text"], r["labels"], r["primary"], split, r["article"], r["source"])
    got = {r["id"]: (r["text"], r["labels"], r["primary"], r["split"], r["article"], r["source"])
           for r in records if r["pass"] == "first"}
    if got != expected:
        missing = set(expected) - set(got)
        differ = [i for i in set(expected) & set(got) if expected[i] != got[i]]
        raise SystemExit(f"migration would change data: {len(missing)} units missing, {len(differ)} differ")
    if {r["text"] for r in resolve(records)} != {v[0] for v in expected.values()}:
        raise SystemExit("migration would lose a unit text")
    store = DATA / STORE_PATH
    if store.exists():
        raise SystemExit(f"{store} exists; the legacy migration runs once")
    n = append_records(store, records, codebook)
    print(f"{n} records ({sum(r['pass'] == 'first' for r in records)} first, "
          f"{sum(r['pass'] == 'second' for r in records)} second) -> {store}; resolved units match data/labeled + data/heldout")
    return 0


def ingest(out_dir: Path, batches: list[str], pass_: str, guide_version: int) -> int:
    """Append the decisions of ``batches`` (files ``out_dir/<batch>.jsonl``)."""
    codebook = load_codebook()
    rounds = json.loads((DATA / "annotations" / "rounds.json").read_text(encoding="utf-8"))
    pool, round_of, split_of = {}, {}, {}
    for rnd in rounds["rounds"]:
        for name in rnd.get("pools", []):
            for rec in read_jsonl(ROUNDS_DIR / name):
                pool.setdefault(rec["id"], rec)
                round_of.setdefault(rec["id"], rnd["round"])
    for rnd in rounds["rounds"]:  # held-out articles, whichever round drew a unit of them
        for name in rnd.get("pools", []):
            if rnd.get("split") == "heldout":
                for rec in read_jsonl(ROUNDS_DIR / name):
                    split_of[rec["article"]] = rnd["heldout_set"]
    store = DATA / STORE_PATH
    stored = read_store(store, codebook)
    existing = {(r["id"], r["pass"], r["annotator"]) for r in stored}
    first_of = {r["id"]: r for r in stored if r["pass"] == "first"}  # a unit keeps its round and split
    records = []
    for batch in batches:
        path = out_dir / f"{batch}.jsonl"
        stamp = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        for number, lab in enumerate(read_jsonl(path), start=1):
            if lab["id"] not in pool:
                raise SystemExit(f"{path}:{number}: unknown unit {lab['id']!r}")
            src = pool[lab["id"]]
            annotator = f"helper-{batch}"
            if (lab["id"], pass_, annotator) in existing:
                continue
            first = first_of.get(lab["id"])
            heldout_set = first.get("heldout_set") if first else split_of.get(src["article"])
            rec = {"id": lab["id"], "text": src["text"], "source": src["source"], "article": src["article"],
                   "labels": lab["labels"], "primary": lab["primary"], "pass": pass_,
                   "round": first["round"] if first else round_of[lab["id"]],
                   "annotator": annotator, "guide_version": guide_version, "timestamp": stamp,
                   "split": first["split"] if first else ("heldout" if heldout_set else "train")}
            if heldout_set:
                rec["heldout_set"] = heldout_set
            if lab.get("note"):
                rec["note"] = lab["note"]
            records.append(rec)
    n = append_records(store, records, codebook)
    print(f"{n} {pass_} records from {len(batches)} batches -> {store}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="action", required=True)
    leg = sub.add_parser("legacy")
    leg.add_argument("--git-time", required=True, help="when rounds 1-5 were committed (their timestamp)")
    ing = sub.add_parser("ingest")
    ing.add_argument("out_dir", type=Path)
    ing.add_argument("--batches", nargs="+", required=True)
    ing.add_argument("--pass", dest="pass_", choices=["first", "second", "adjudicated"], required=True)
    ing.add_argument("--guide-version", type=int, default=GUIDE_VERSION)
    args = ap.parse_args()
    if args.action == "legacy":
        return legacy(args.git_time)
    return ingest(args.out_dir, args.batches, args.pass_, args.guide_version)


if __name__ == "__main__":
    raise SystemExit(main())
