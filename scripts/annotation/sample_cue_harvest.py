"""Round 7 of annotation: harvest what the corpora still hold for the rare themes.

After rounds 1-6, every unit not yet labelled (and not in a held-out article)
that names a cue of one of the rarer themes and at least one grassroots actor
becomes a candidate. Cue words only choose candidates; annotators label each
unit by reading it. The cue table is data: ``data/annotations/rare_theme_cues.json``.

    python scripts/annotation/sample_cue_harvest.py --corpora CORPORA \
        --exclude data/annotation/pool*.jsonl data/annotations/rounds/round6*_pool.jsonl \
        --exclude-articles data/annotations/rounds/round6_heldout*_pool.jsonl \
        --out data/annotations/rounds/round7_cue_pool.jsonl
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from scripts.annotation.sample_active import GRASSROOTS, read_candidates  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", type=Path, required=True)
    ap.add_argument("--cues", type=Path, default=ROOT / "data" / "annotations" / "rare_theme_cues.json")
    ap.add_argument("--exclude", type=Path, nargs="*", default=[])
    ap.add_argument("--exclude-articles", type=Path, nargs="*", default=[])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=707)
    args = ap.parse_args()
    cues = json.loads(args.cues.read_text(encoding="utf-8"))
    seen_ids, seen_texts = set(), set()
    for p in args.exclude:
        for line in p.open(encoding="utf-8"):
            r = json.loads(line)
            seen_ids.add(r["id"])
            seen_texts.add(r.get("text"))
    held = {json.loads(line)["article"] for p in args.exclude_articles for line in p.open(encoding="utf-8")}
    pool, why = [], Counter()
    for c in read_candidates(args.corpora, None):
        if c["id"] in seen_ids or c["text"] in seen_texts or c["article"] in held:
            continue
        if not any(w in c["text"] for w in GRASSROOTS):
            continue
        themes = [t for t, words in cues.items() if any(w in c["text"] for w in words)]
        if themes:
            seen_texts.add(c["text"])
            pool.append(dict(c, selected_by="cue:" + "+".join(themes)))
            why.update(themes)
    random.Random(args.seed).shuffle(pool)
    with args.out.open("w", encoding="utf-8") as fh:
        for r in pool:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(json.dumps({"units": len(pool), "kinds": Counter(r["kind"] for r in pool), "cue_themes": why}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
