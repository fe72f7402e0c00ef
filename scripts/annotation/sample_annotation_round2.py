"""Second annotation round: paragraph units rich in each theme's cue words.

The first pool (sample_annotation_pool.py) drew whole articles and turned out
to be ~85% paragraphs with no theme. This round draws *units* that contain at
least two distinct cue words of one theme (from the codebook's cue column), up
to a quota per theme, from news items not in the first pool and from the national reports. Cue words only
pick candidates; annotators label every unit by reading it. Cue tables and quotas:
data/annotations/sampler_cues.json. SHARED is the folder holding ``corpora/``:

    python scripts/annotation/sample_annotation_round2.py --round N SHARED EARLIER_POOLS... OUT

"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.annotation.sample_annotation_pool import load_cues, units_of  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("shared", type=Path)
    parser.add_argument("first_pool", type=Path, nargs="+", help="earlier pools whose units are excluded")
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=29)
    parser.add_argument("--round", type=int, choices=[2, 3, 4, 5], default=2,
                        help="2: all themes; 3, 4, 5: the themes still short after the previous round")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    first = [json.loads(l) for p in args.first_pool for l in p.open(encoding="utf-8")]
    # Round two avoids the first pool's articles; round three only its units.
    used_articles = {r["article"] for r in first} if args.round == 2 else set()
    cues = load_cues()
    PARTY_CONTEXT = cues["party_context"]
    MIN_CONTEXT = {int(k): v for k, v in cues["min_context"].items()}
    cue_table, quota = cues["rounds"][str(args.round)]["cues"], cues["rounds"][str(args.round)]["quota"]
    news = [json.loads(l) for l in (args.shared / "corpora" / "xwlb_news_2012_2026.jsonl").open(encoding="utf-8")]
    rng.shuffle(news)
    candidates: list[tuple[str, dict]] = []
    for r in news:
        art = "xwlb-" + r["id"][:12]
        if art in used_articles:
            continue
        for i, text in enumerate(units_of(r["content"])):
            if sum(c in text for c in PARTY_CONTEXT) < min(2, MIN_CONTEXT[args.round]):
                continue
            candidates.append((text, {"id": f"{art}-p{i}", "article": art,
                                      "source": f"corpora/xwlb_news_2012_2026.jsonl#{r['id']}", "text": text}))
    for fname in ["cpc_congress_reports_1_18.jsonl", "government_work_reports_1954_2017.jsonl"]:
        for r in map(json.loads, (args.shared / "corpora" / fname).open(encoding="utf-8")):
            if not ((r.get("congress") or 0) >= 15 or (r.get("year") and int(r["year"]) >= 2003)):
                continue
            art = ("cpc-" if "cpc" in fname else "gwr-") + hashlib.sha1(r["title"].encode()).hexdigest()[:8]
            for i, text in enumerate(units_of(r["content"])):
                candidates.append((text, {"id": f"{art}-p{i}", "article": art,
                                          "source": f"corpora/{fname}#{r['title']}", "text": text}))
    first_ids = {r["id"] for r in first}
    candidates = [(t, rec) for t, rec in candidates if rec["id"] not in first_ids]
    pool, taken_ids, per_article = [], set(), {}
    for theme, cues in cue_table.items():
        # Units with two cue words first, then units with one cue in a
        # grassroots context.
        def strength(text):
            return sum(c in text for c in cues)
        hits = [rec for text, rec in candidates if strength(text) >= 2 and rec["id"] not in taken_ids]
        hits += [rec for text, rec in candidates if strength(text) == 1 and rec["id"] not in taken_ids
                 and sum(c in text for c in PARTY_CONTEXT) >= MIN_CONTEXT[args.round]]
        count = 0
        for rec in hits:
            if count >= quota[theme]:
                break
            if per_article.get(rec["article"], 0) >= (3 if rec["article"].startswith("xwlb") else 6):
                continue
            per_article[rec["article"]] = per_article.get(rec["article"], 0) + 1
            taken_ids.add(rec["id"])
            pool.append(rec)
            count += 1
    rng.shuffle(pool)
    with args.out.open("w", encoding="utf-8") as fh:
        for rec in pool:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"{len(pool)} units from {len({r['article'] for r in pool})} articles -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
