"""Second annotation round: paragraph units rich in each theme's cue words.

The first pool (sample_annotation_pool.py) drew whole articles and turned out
to be ~85% paragraphs with no theme. This round draws *units* that contain at
least two distinct cue words of one theme (from the codebook's cue column), up
to a quota per theme, from news items not in the first pool and from the national reports. Cue words only
pick candidates; annotators label every unit by reading it.

    python -m training.sample_annotation_round2 ../shared data/annotation/pool.jsonl data/annotation/pool2.jsonl
    python -m training.sample_annotation_round2 --round 3 ../shared data/annotation/pool.jsonl data/annotation/pool2.jsonl data/annotation/pool3.jsonl
    python -m training.sample_annotation_round2 --round 4 ../shared data/annotation/pool.jsonl data/annotation/pool2.jsonl data/annotation/pool3.jsonl data/annotation/pool4.jsonl
    python -m training.sample_annotation_round2 --round 5 ../shared data/annotation/pool*.jsonl data/annotation/pool5.jsonl
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
from pathlib import Path

from training.sample_annotation_pool import units_of

CODEBOOK_CUES = {
    "cadre_training": ["培训班", "轮训", "授课", "课堂", "党校", "夜校", "送学", "研修", "专题辅导", "考察学习", "学习教育", "主题教育", "培训", "党课"],
    "leadership_team": ["换届", "选举", "选任", "选拔", "一肩挑", "交叉任职", "年龄", "学历", "后备干部", "后备人才", "头雁", "带头人", "不称职", "村党组织书记"],
    "party_members": ["发展党员", "入党", "党员积分", "设岗定责", "先锋模范", "双报到", "流动党员", "无职党员", "党员中心户", "亮身份", "党员示范", "老党员"],
    "organization": ["党组织设置", "覆盖", "网格党支部", "党小组", "联村党委", "两新组织", "规范化", "标准化", "三会一课", "组织生活", "软弱涣散", "党群服务中心", "活动阵地", "成立党支部"],
    "collective_economy": ["村集体经济", "集体收入", "合作社", "领办", "抱团", "飞地", "产业", "增收", "致富", "分红", "入股"],
    "governance": ["网格", "三治融合", "枫桥经验", "矛盾纠纷", "调解", "积分超市", "四议两公开", "村务公开", "治安", "人居环境", "村规民约", "诉求", "民生实事", "为民服务", "议事"],
    "assessment": ["考核", "考评", "述职评议", "星级", "评定", "排名", "通报", "督导", "擂台比武", "评比", "验收", "绩效", "打分", "问责"],
    "responsibility": ["责任制", "书记抓", "书记项目", "联系点", "包村", "包保", "驻村", "结对帮扶", "帮扶", "共建", "经费", "报酬", "待遇", "第一书记"],
    "brand_building": ["党建品牌", "示范点", "示范村", "典型", "选树", "培树", "一镇一品", "创建", "红旗党支部", "五星", "经验推广", "先进基层党组织", "示范带动"],
}
PARTY_CONTEXT = ["党", "村", "社区", "基层", "干部", "群众"]
# Round one was short of these themes; draw more candidates for them.
QUOTA = {"cadre_training": 70, "leadership_team": 70, "party_members": 70, "organization": 60,
         "assessment": 70, "brand_building": 70, "responsibility": 30, "collective_economy": 20, "governance": 20}


# Round three: the four themes still under 40 positives after round two,
# with broader single cues (a candidate needs one cue in a grassroots context).
ROUND3_CUES = {
    "brand_building": ["党建品牌", "示范点", "示范村", "典型", "选树", "培树", "创建", "红旗", "五星", "先进基层党组织",
                       "表彰", "命名", "标杆", "样板", "品牌"],
    "assessment": ["考核", "考评", "述职", "星级", "排名", "通报", "督导", "评比", "验收", "测评", "评议", "打分"],
    "leadership_team": ["换届", "选举", "一肩挑", "后备", "年轻干部", "带头人", "选派", "选拔", "村干部", "班子"],
    "party_members": ["发展党员", "入党", "先锋", "模范", "亮身份", "承诺", "党员积分", "老党员", "无职党员", "流动党员"],
}
ROUND3_QUOTA = {"brand_building": 65, "assessment": 50, "leadership_team": 50, "party_members": 45}
# Round four: the two themes still under 40.
ROUND4_CUES = {
    "leadership_team": ["换届", "选举", "一肩挑", "后备", "年轻干部", "带头人", "选派", "选拔", "村干部", "班子", "书记",
                        "村主任", "选优配强", "任职", "调整"],
    "brand_building": ["品牌", "示范", "典型", "选树", "创建", "红旗", "星级", "先进", "表彰", "命名", "标杆", "样板",
                       "榜样", "推广"],
}
ROUND4_QUOTA = {"leadership_team": 50, "brand_building": 50}
# Round five: brand_building alone, still under 40; specific model/creation cues.
ROUND5_CUES = {"brand_building": ["党建品牌", "示范点", "示范村", "先进基层党组织", "红旗党支部", "五星", "示范党支部",
                                  "标杆", "样板", "选树", "培树", "示范区", "创建活动", "命名", "评选"]}
ROUND5_QUOTA = {"brand_building": 80}
# How many grassroots-context words a one-cue candidate needs, per round.
MIN_CONTEXT = {2: 3, 3: 2, 4: 2, 5: 1}
ROUNDS = {2: (CODEBOOK_CUES, QUOTA), 3: (ROUND3_CUES, ROUND3_QUOTA), 4: (ROUND4_CUES, ROUND4_QUOTA),
          5: (ROUND5_CUES, ROUND5_QUOTA)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("shared", type=Path)
    parser.add_argument("first_pool", type=Path, nargs="+", help="earlier pools whose units are excluded")
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=29)
    parser.add_argument("--round", type=int, choices=sorted(ROUNDS), default=2,
                        help="2: all themes; 3, 4, 5: the themes still short after the previous round")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    first = [json.loads(l) for p in args.first_pool for l in p.open(encoding="utf-8")]
    # Round two avoids the first pool's articles; round three only its units.
    used_articles = {r["article"] for r in first} if args.round == 2 else set()
    cue_table, quota = ROUNDS[args.round]
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
