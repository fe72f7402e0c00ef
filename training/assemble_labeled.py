"""Merge annotation rounds into data/labeled/ and data/heldout/.

Reads the candidate pools (``data/annotation/pool*.jsonl``: id, article,
source, text) and the annotators' decisions (``labels_batch_*.jsonl``: id,
labels, primary), validates every record against the codebook, and writes
records in the codebook's format plus ``source`` and ``article``:

- ``data/heldout/heldout.jsonl``: a fixed 20% of units, chosen by *article*
  (whole articles go to one side), never used for training;
- ``data/labeled/<origin>.jsonl``: everything else, by origin (seeds, news,
  national reports).

    python -m training.assemble_labeled
"""
from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter, defaultdict
from pathlib import Path

from model.codebook import load_codebook

HELDOUT_SHARE = 0.20
SALT = "dangjian-heldout-v1"
ORIGIN_FILES = {"seed": "seeds.jsonl", "xwlb": "news_xwlb.jsonl", "gwr": "national_reports.jsonl", "cpc": "national_reports.jsonl"}


def heldout_articles(units_per_article: dict[str, int], share: float = HELDOUT_SHARE) -> set[str]:
    """Articles in a fixed pseudo-random order (salted hash); take them until
    ``share`` of the units is reached."""
    order = sorted(units_per_article, key=lambda a: hashlib.sha1(f"{SALT}:{a}".encode()).hexdigest())
    target = share * sum(units_per_article.values())
    chosen, total = set(), 0
    for art in order:
        if total >= target:
            break
        chosen.add(art)
        total += units_per_article[art]
    return chosen


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--annotation", type=Path, default=Path("data/annotation"))
    parser.add_argument("--labeled", type=Path, default=Path("data/labeled"))
    parser.add_argument("--heldout", type=Path, default=Path("data/heldout"))
    args = parser.parse_args(argv)
    theme_ids = set(load_codebook().ids)
    pool = {}
    for path in sorted(args.annotation.glob("pool*.jsonl")):
        for line in path.open(encoding="utf-8"):
            rec = json.loads(line)
            pool[rec["id"]] = rec
    records = []
    for path in sorted(args.annotation.glob("labels_batch_*.jsonl")):
        for number, line in enumerate(path.open(encoding="utf-8"), start=1):
            lab = json.loads(line)
            labels, primary = lab["labels"], lab["primary"]
            bad = set(labels) - theme_ids
            if bad or len(set(labels)) != len(labels) or (primary is None) != (not labels) or (primary and primary not in labels):
                raise SystemExit(f"{path}:{number}: invalid labels {labels!r} / primary {primary!r}")
            src = pool[lab["id"]]
            records.append({"id": lab["id"], "text": src["text"], "labels": labels, "primary": primary,
                            "source": src["source"], "article": src["article"]})
    per_article = Counter(r["article"] for r in records)
    held = heldout_articles(per_article)
    out: dict[Path, list] = defaultdict(list)
    for rec in sorted(records, key=lambda r: r["id"]):
        if rec["article"] in held:
            out[args.heldout / "heldout.jsonl"].append(rec)
        else:
            out[args.labeled / ORIGIN_FILES[rec["article"].split("-")[0]]].append(rec)
    for path, recs in out.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as fh:
            for rec in recs:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    for path, recs in sorted(out.items()):
        counts = Counter(t for r in recs for t in r["labels"])
        empty = sum(not r["labels"] for r in recs)
        print(f"{path}: {len(recs)} units, {len({r['article'] for r in recs})} articles, {empty} without theme, "
              + ", ".join(f"{t}={counts[t]}" for t in sorted(theme_ids)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
