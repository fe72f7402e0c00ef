"""Draw the pool of paragraph units that humans annotate for data/labeled/.

Candidates are chosen so that every codebook theme and enough negatives are
represented (articles are picked by cue words and at random); the *labels* are
never produced here: annotators read every unit against the codebook.

Run once from the repository root with ../shared beside it:

    python -m training.sample_annotation_pool ../shared data/annotation/pool.jsonl
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from pathlib import Path

from model.text import clean_article
from model.segment import segment_paragraphs

# Cue words used only to *find* candidate articles for each theme (recall of the
# pool), never to label them.
THEME_CUES = {
    "cadre_training": ["培训", "轮训", "党校", "夜校", "授课", "学习教育", "主题教育"],
    "leadership_team": ["换届", "一肩挑", "后备干部", "选任", "头雁", "带头人"],
    "party_members": ["发展党员", "入党", "党员积分", "先锋模范", "流动党员", "党员中心户", "亮身份"],
    "organization": ["党支部", "党组织覆盖", "软弱涣散", "三会一课", "党群服务中心", "网格党", "两新"],
    "collective_economy": ["村集体经济", "合作社", "集体收入", "增收", "产业"],
    "governance": ["网格", "枫桥经验", "调解", "积分超市", "人居环境", "村规民约", "矛盾纠纷"],
    "assessment": ["考核", "述职评议", "星级", "评比", "排名", "督导", "擂台比武"],
    "responsibility": ["第一书记", "驻村", "结对帮扶", "包村", "联系点", "村干部报酬", "经费"],
    "brand_building": ["党建品牌", "示范村", "示范点", "典型", "先进基层党组织", "红旗"],
}
NEGATIVE_TITLES = ["联赛", "足球", "篮球", "股市", "外交", "会见", "天气", "汛", "航天", "奥运", "汇率"]
MAX_UNIT = 400


def stable_hash(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16)


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
    lookalike_pairs = [("积分",), ("联赛",), ("学校", "安全"), ("企业", "绩效"), ("公司", "考核"),
                       ("星级", "酒店"), ("示范", "工厂"), ("培训", "企业"), ("排名",), ("评比",)]
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

    report_cues = ["基层", "党组织", "党员", "农村", "干部", "村民", "社区", "集体经济"]
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
