"""Round 8: the theme-rich held-out part, whole news articles the way users' look.

Whole CCTV news articles (every unit of each, 2-12 units) that no earlier
round drew from and that name at least ``--min-terms`` of the grassroots
party-building terms below, at random, until about ``--units`` units. The
terms choose articles; annotators label every unit by reading it. Units of
these articles that an earlier round had already labelled move to the
held-out split with their article.

    python scripts/annotation/sample_heldout_rich.py --corpora CORPORA \
        --exclude data/annotations/rounds/round[1-5]_pool.jsonl data/annotations/rounds/round6_heldout_pool.jsonl \
        --out data/annotations/rounds/round8_heldout_pool.jsonl
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.annotation.sample_active import units_of  # noqa: E402

TERMS = ["党支部", "党组织", "党员", "村党", "社区", "村民", "基层", "合作社", "驻村", "第一书记", "网格", "村干部",
         "集体经济", "党建", "两委", "书记", "村集体", "乡村治理", "村里", "村委"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", type=Path, required=True)
    ap.add_argument("--exclude", type=Path, nargs="*", default=[], help="pools whose articles are not drawn")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=607)
    ap.add_argument("--min-terms", type=int, default=4)
    ap.add_argument("--units", type=int, default=700)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    blocked = {json.loads(line)["article"] for p in args.exclude for line in p.open(encoding="utf-8")}
    candidates, news = [], {}
    for line in (args.corpora / "xwlb_news_2012_2026.jsonl").open(encoding="utf-8"):
        r = json.loads(line)
        art = "xwlb-" + r["id"][:12]
        if art not in blocked and sum(t in r["content"] for t in TERMS) >= args.min_terms:
            candidates.append(art)
            news[art] = r
    rng.shuffle(candidates)
    out, n_articles = [], 0
    for art in candidates:
        r = news[art]
        units = list(units_of(r["content"]))
        if not 2 <= len(units) <= 12:
            continue
        out += [{"id": f"{art}-p{i}", "article": art, "source": f"corpora/xwlb_news_2012_2026.jsonl#{r['id']}",
                 "text": t, "kind": "news", "selected_by": "heldout_theme_rich_article"} for i, t in enumerate(units)]
        n_articles += 1
        if len(out) >= args.units:
            break
    with args.out.open("w", encoding="utf-8") as fh:
        for rec in out:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(json.dumps({"candidate_articles": len(candidates), "units": len(out), "articles": n_articles}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
