"""Round 6 of annotation: units chosen by active learning from the current model.

Candidates are every paragraph unit (cleaned and segmented by the product's own
pipeline, 25+ characters) of the CCTV news corpus, the national reports and the
seed articles that is not in an earlier round. The current model bundle scores
them; the scores only *choose* units, annotators never see them.

Two pools come out:

* ``heldout``: whole news articles about grassroots matters (every unit of each),
  drawn at random among articles that name a grassroots actor, the way users'
  articles look. They are kept out of training, split by article.
* ``train``: from the remaining articles,
  - per theme, units whose score is near that theme's threshold (in logit
    distance), or where the keywords and the classifier disagree, round-robin
    over the units' dominant LDA topics (diversity), at most a few units per
    news article;
  - 15% uniformly at random from all candidates (keeps calibration honest);
  - hard negatives: units with a theme keyword but no grassroots context
    (look-alikes from other fields).

Usage (from the repository root; CORPORA is the folder of the shared corpora):

    python scripts/annotation/sample_active.py --corpora CORPORA --seeds SEEDS \
        --model models/latest --exclude data/annotation/pool*.jsonl --out-dir data/annotations/round6
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from dangjian.model.bundle import load_bundle  # noqa: E402
from dangjian.model.segment import segment_paragraphs  # noqa: E402
from dangjian.model.text import clean_article  # noqa: E402

MIN_UNIT_CHARS = 25
GRASSROOTS = ["党", "村", "社区", "基层", "干部", "支部", "群众", "乡镇", "街道"]
# Units per theme, chosen where the model is unsure; rarer themes get more.
THEME_QUOTA = {"leadership_team": 720, "organization": 700, "brand_building": 650, "assessment": 650,
               "party_members": 650, "cadre_training": 450, "responsibility": 450, "collective_economy": 380,
               "governance": 380}
RANDOM_SHARE = 0.15
HARD_NEGATIVE_SHARE = 0.05
MAX_PER_NEWS_ARTICLE = 3
# How far (in logits) from a theme's threshold a score may be and still count as "unsure".
MAX_LOGIT_DISTANCE = 4.0
MAX_PER_REPORT = 40
MAX_REPORT_SHARE = 0.22


def units_of(text: str):
    for unit in segment_paragraphs(clean_article(text).text):
        if len(unit.text) >= MIN_UNIT_CHARS:
            yield unit.text


def read_candidates(corpora: Path, seeds: Path | None):
    """(record, article text) for every unit of every source."""
    out = []
    for r in map(json.loads, (corpora / "xwlb_news_2012_2026.jsonl").open(encoding="utf-8")):
        art = "xwlb-" + r["id"][:12]
        for i, text in enumerate(units_of(r["content"])):
            out.append({"id": f"{art}-p{i}", "article": art, "source": f"corpora/xwlb_news_2012_2026.jsonl#{r['id']}",
                        "text": text, "kind": "news", "date": r.get("date")})
    for fname in ["cpc_congress_reports_1_18.jsonl", "government_work_reports_1954_2017.jsonl"]:
        for r in map(json.loads, (corpora / fname).open(encoding="utf-8")):
            art = ("cpc-" if "cpc" in fname else "gwr-") + hashlib.sha1(r["title"].encode()).hexdigest()[:8]
            for i, text in enumerate(units_of(r["content"])):
                out.append({"id": f"{art}-p{i}", "article": art, "source": f"corpora/{fname}#{r['title']}",
                            "text": text, "kind": "report"})
    if seeds is not None:
        for path in sorted(seeds.glob("*.txt")):
            art = "seed-" + path.stem.split("_")[0]
            for i, text in enumerate(units_of(path.read_text(encoding="utf-8"))):
                out.append({"id": f"{art}-p{i}", "article": art, "source": f"seeds/{path.name}", "text": text,
                            "kind": "news"})
    return out


def context_count(text: str) -> int:
    return sum(w in text for w in GRASSROOTS)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", type=Path, required=True)
    ap.add_argument("--seeds", type=Path)
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "latest")
    ap.add_argument("--exclude", type=Path, nargs="*", default=[], help="earlier pools/labelled files (ids and texts excluded)")
    ap.add_argument("--out-dir", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=606)
    ap.add_argument("--train-size", type=int, default=6300)
    ap.add_argument("--heldout-units", type=int, default=680)
    ap.add_argument("--max-distance", type=float, default=MAX_LOGIT_DISTANCE,
                    help="how far from a threshold (logits) a unit still counts as unsure")
    ap.add_argument("--random-share", type=float, default=RANDOM_SHARE)
    ap.add_argument("--hard-share", type=float, default=HARD_NEGATIVE_SHARE)
    ap.add_argument("--exclude-articles", type=Path, nargs="*", default=[],
                    help="files whose articles are held out: none of their units is drawn")
    args = ap.parse_args()
    rng = random.Random(args.seed)

    seen_ids, seen_texts, seen_articles = set(), set(), Counter()
    for p in args.exclude:
        for line in p.open(encoding="utf-8"):
            r = json.loads(line)
            seen_ids.add(r["id"])
            if r.get("text"):
                seen_texts.add(r["text"])
            if r.get("article"):
                seen_articles[r["article"]] += 1
    held_articles = {json.loads(line)["article"] for p in args.exclude_articles for line in p.open(encoding="utf-8")}
    cands = [c for c in read_candidates(args.corpora, args.seeds)
             if c["id"] not in seen_ids and c["text"] not in seen_texts and c["article"] not in held_articles]
    # one copy of each text
    uniq = {}
    for c in cands:
        uniq.setdefault(c["text"], c)
    cands = list(uniq.values())
    print(f"{len(cands)} candidate units", file=sys.stderr)

    # -- held-out: whole grassroots news articles not used before -----------------------------
    by_article = defaultdict(list)
    for c in cands:
        by_article[c["article"]].append(c)
    news_articles = [a for a, us in by_article.items() if a.startswith("xwlb-") and a not in seen_articles
                     and sum(context_count(u["text"]) for u in us) >= 4 and 2 <= len(us) <= 12]
    rng.shuffle(news_articles)
    heldout, heldout_articles = [], set()
    for a in news_articles:
        if len(heldout) >= args.heldout_units:
            break
        heldout.extend(by_article[a])
        heldout_articles.add(a)
    cands = [c for c in cands if c["article"] not in heldout_articles]

    # -- score the rest with the current model ------------------------------------------------
    model = load_bundle(args.model)
    clf = model.classifier
    themes = list(clf.themes)
    texts = [c["text"] for c in cands]
    proba = np.zeros((len(texts), len(themes)))
    hits = np.zeros((len(texts), len(themes)))
    topic = np.zeros(len(texts), dtype=int)
    step = 2000
    for s in range(0, len(texts), step):
        toks = [model.text_pipeline.tokenize(t) for t in texts[s:s + step]]
        f = clf.features(toks)
        proba[s:s + step] = clf.proba_from_features(f)
        hits[s:s + step] = f.keyword_hits
        topic[s:s + step] = f.doc_topic.argmax(1) if f.doc_topic.shape[1] else 0
        print(f"scored {min(s + step, len(texts))}/{len(texts)}", file=sys.stderr)
    thr = np.array([clf.thresholds_[t] for t in themes])
    logit = lambda p: np.log(np.clip(p, 1e-6, 1 - 1e-6) / (1 - np.clip(p, 1e-6, 1 - 1e-6)))  # noqa: E731
    dist = np.abs(logit(proba) - logit(thr))            # (n, themes): 0 at the threshold
    disagree = (hits > 0) != (proba >= thr)              # keywords vs classifier
    ctx = np.array([context_count(t) for t in texts])

    chosen, reason = [], {}
    per_article = Counter()
    n_report = 0
    max_report = int(args.train_size * MAX_REPORT_SHARE)

    def take(i: int, why: str) -> bool:
        nonlocal n_report
        c = cands[i]
        if c["id"] in reason:
            return False
        cap = MAX_PER_NEWS_ARTICLE if c["kind"] == "news" else MAX_PER_REPORT
        if per_article[c["article"]] >= cap:
            return False
        if c["kind"] == "report" and n_report >= max_report:
            return False
        per_article[c["article"]] += 1
        n_report += c["kind"] == "report"
        reason[c["id"]] = why
        chosen.append(i)
        return True

    n_random = int(args.train_size * args.random_share)
    n_hard = int(args.train_size * args.hard_share)
    # random first, so that the calibration sample is a true random sample of candidates
    order = list(range(len(cands)))
    rng.shuffle(order)
    got = 0
    for i in order:
        if got >= n_random:
            break
        got += take(int(i), "random")
    # per theme: uncertainty, with keyword disagreement counted as near, round-robin over topics
    scale = (args.train_size - n_random - n_hard) / sum(THEME_QUOTA.values())
    for k, theme in enumerate(themes):
        quota = int(THEME_QUOTA[theme] * scale)
        # candidates: near the threshold or keyword/classifier disagreement; need some
        # grassroots context or a keyword so that the pool stays theme-rich
        priority = dist[:, k] - 1.5 * disagree[:, k]
        eligible = np.where(((dist[:, k] < args.max_distance) | disagree[:, k]) & ((ctx >= 1) | (hits[:, k] > 0)))[0]
        eligible = eligible[np.argsort(priority[eligible], kind="stable")]
        buckets = defaultdict(list)
        for i in eligible:
            buckets[topic[i]].append(int(i))
        queues = [list(reversed(b)) for b in buckets.values()]
        got = 0
        while got < quota and any(queues):
            for q in queues:
                while q:
                    if take(q.pop(), f"uncertain:{theme}"):
                        got += 1
                        break
                if got >= quota:
                    break
        print(f"{theme}: {got} of quota {quota} (eligible {len(eligible)})", file=sys.stderr)
    # themes that ran short leave room: fill it with the units nearest any threshold
    short = args.train_size - n_hard - len(chosen)
    nearest = np.argsort((dist - 1.5 * disagree).min(1) + 10.0 * (ctx == 0), kind="stable")
    got = 0
    for i in nearest:
        if got >= short:
            break
        got += take(int(i), "uncertain:any")
    print(f"any theme: {got} of {short}", file=sys.stderr)
    # hard negatives: a keyword, no grassroots context
    hard = [i for i in range(len(cands)) if hits[i].sum() > 0 and ctx[i] == 0]
    rng.shuffle(hard)
    got = 0
    for i in hard:
        if got >= n_hard:
            break
        got += take(i, "hard_negative")
    print(f"hard negatives: {got} of {n_hard} (eligible {len(hard)})", file=sys.stderr)

    args.out_dir.mkdir(parents=True, exist_ok=True)
    train = [dict(cands[i], selected_by=reason[cands[i]["id"]]) for i in chosen]
    rng.shuffle(train)
    for name, rows in [("train_pool.jsonl", train), ("heldout_pool.jsonl", [dict(h, selected_by="heldout_article") for h in heldout])]:
        with (args.out_dir / name).open("w", encoding="utf-8") as fh:
            for r in rows:
                r = {k: v for k, v in r.items() if k != "date"}
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    kinds = Counter(r["kind"] for r in train)
    print(json.dumps({"train": len(train), "train_kinds": kinds, "by_reason": Counter(r["selected_by"] for r in train),
                      "heldout": len(heldout), "heldout_articles": len(heldout_articles)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
