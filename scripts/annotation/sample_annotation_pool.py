"""Draw the pool of paragraph units that humans annotate for data/labeled/.

Candidates are chosen so that every codebook theme and enough negatives are
represented (articles are picked by cue words and at random); the *labels* are
never produced here: annotators read every unit against the codebook.

Round 1 (run once; SHARED is the folder holding ``seeds/`` and ``corpora/``):

    python scripts/annotation/sample_annotation_pool.py SHARED data/annotations/rounds/round1_pool.jsonl
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from dangjian.model.segment import segment_paragraphs  # noqa: E402
from dangjian.model.text import clean_article  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
# Cue words used only to *find* candidate articles for each theme (recall of the
# pool), never to label them: data/annotations/sampler_cues.json, "round1".
CUES_PATH = ROOT / "data" / "annotations" / "sampler_cues.json"


def load_cues() -> dict:
    return json.loads(CUES_PATH.read_text(encoding="utf-8"))


def units_of(text: str):
    for unit in segment_paragraphs(clean_article(text).text):
        if len(unit.text) >= 25:
            yield unit.text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("shared", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    cues = load_cues()["round1"]
    THEME_CUES, NEGATIVE_TITLES = cues["theme_cues"], cues["negative_titles"]
    pool = []

    for path in sorted((args.shared / "seeds").glob("*.txt")):
        art = "seed-" + path.stem.split("_")[0]
        for i, text in enumerate(units_of(path.read_text(encoding="utf-8"))):
            pool.append({"id": f"{art}-p{i}", "article": art, "source": f"seeds/{path.name}", "text": text})

    news = [json.loads(l) for l in (args.shared / "corpora" / "xwlb_news_2012_2026.jsonl").open(encoding="utf-8")]
    rng.shuffle(news)
    chosen: dict[str, dict] = {}
    for theme, cues in THEME_CUES.items():
        hits = [r for r in news if any(c in r["content"] for c in cues) and r["id"] not in chosen]
        for r in hits[:12]:
            chosen[r["id"]] = r
    negatives = [r for r in news if any(t in r["title"] for t in NEGATIVE_TITLES) and r["id"] not in chosen]
    for r in negatives[:14]:
        chosen[r["id"]] = r
    others = [r for r in news if r["id"] not in chosen]
    for r in others[:16]:
        chosen[r["id"]] = r
    for r in chosen.values():
        art = "xwlb-" + r["id"][:12]
        for i, text in enumerate(units_of(r["content"])):
            if i >= 6:
                break
            pool.append({"id": f"{art}-p{i}", "article": art, "source": f"corpora/xwlb_news_2012_2026.jsonl#{r['id']}", "text": text})

    # Look-alikes: units that share cue words with a theme but are about
    # something else (sports points, school safety, company appraisal, hotel
    # stars, model factories, corporate training).
    lookalike_pairs = cues["lookalike_pairs"]
    taken = 0
    for r in news:
        if r["id"] in chosen or taken >= 60:
            continue
        art = "xwlb-" + r["id"][:12]
        for i, text in enumerate(units_of(r["content"])):
            if any(all(p in text for p in pair) for pair in lookalike_pairs):
                pool.append({"id": f"{art}-p{i}", "article": art, "source": f"corpora/xwlb_news_2012_2026.jsonl#{r['id']}", "text": text})
                taken += 1
                break

    report_cues = cues["report_cues"]
    for fname in ["cpc_congress_reports_1_18.jsonl", "government_work_reports_1954_2017.jsonl"]:
        recs = [json.loads(l) for l in (args.shared / "corpora" / fname).open(encoding="utf-8")]
        recs = [r for r in recs if (r.get("congress") or 0) >= 14 or (r.get("year") and int(r["year"]) >= 1998)]
        for r in recs:
            art = ("cpc-" if "cpc" in fname else "gwr-") + hashlib.sha1(r["title"].encode()).hexdigest()[:8]
            units = list(units_of(r["content"]))
            on = [u for u in units if sum(c in u for c in report_cues) >= 2]
            off = [u for u in units if not any(c in u for c in report_cues)]
            picks = rng.sample(on, min(6, len(on))) + rng.sample(off, min(2, len(off)))
            for text in picks:
                idx = units.index(text)
                pool.append({"id": f"{art}-p{idx}", "article": art, "source": f"corpora/{fname}#{r['title']}", "text": text})

    seen = set()
    unique = []
    for rec in pool:
        if rec["text"] not in seen:
            seen.add(rec["text"])
            unique.append(rec)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for rec in unique:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"{len(unique)} units from {len({r['article'] for r in unique})} articles -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
