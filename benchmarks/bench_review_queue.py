"""Does the review queue's order help? A simulation of the review loop on the
annotated data.

For each seed: half of the training split's articles are "labelled"; the
classifiers are fitted on them as ``dangjian train`` does (calibrated, with
cross-validated thresholds). The other half is the pool an analyst could
review. 300 pool units are "reviewed" (given their annotated labels), either
in the queue's order (:func:`dangjian.model.review_queue.correction_worth`
on the half-model's scores, exactly as ``dangjian review load`` orders the
store) or at random; then the classifiers are refitted on the half plus the
300 as ``dangjian train --reuse-topics`` does (each theme's regression
refitted, calibration and thresholds kept). Reported: held-out macro-F1 of
the half-model and of both refits.

The representation (tokenizer, TF-IDF vocabularies, seeded LDA, word
vectors; none of them sees a label) is the bundle's. Run by hand:

    python benchmarks/bench_review_queue.py [--model models/latest] [--seeds 3] [--add 300]
"""
from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dangjian.model.bundle import load_bundle  # noqa: E402
from dangjian.model.review_queue import correction_worth  # noqa: E402
from dangjian.training.annotations import load_splits  # noqa: E402
from dangjian.training.evaluate import multilabel_metrics  # noqa: E402


def heldout_metrics(clf, feats, units) -> dict:
    proba = clf.proba_from_features(feats)
    decisions = clf.decide(proba)
    pred = [[clf.themes[k] for k in passing] for passing, _ in decisions]
    primary = [clf.themes[p] if p is not None else None for _, p in decisions]
    return multilabel_metrics([u.labels for u in units], pred, [u.primary for u in units], primary, clf.themes)


def queue_order(clf, feats) -> np.ndarray:
    """Pool positions, the most worth correcting first (ties: pool order)."""
    proba = clf.proba_from_features(feats)
    decisions = clf.decide(proba)
    worth = []
    for i, (passing, _) in enumerate(decisions):
        scores = {t: float(proba[i, k]) for k, t in enumerate(clf.themes)}
        assigned = [clf.themes[k] for k in passing]
        keywords = [t for k, t in enumerate(clf.themes) if feats.keyword_hits[i, k] >= 1]
        worth.append(correction_worth(scores, clf.thresholds_, assigned, keywords))
    return np.argsort(-np.asarray(worth), kind="stable")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(ROOT / "models" / "latest"))
    ap.add_argument("--data", type=Path, default=ROOT / "data")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--add", type=int, default=300, help="units reviewed from the pool (default 300)")
    ap.add_argument("--n-jobs", type=int, default=2)
    args = ap.parse_args()
    started = time.perf_counter()
    base = load_bundle(args.model)
    train, held = load_splits(args.data, base.codebook)
    themes = base.classifier.themes
    tokenize = base.text_pipeline.tokenize
    feats = base.classifier.features([tokenize(u.text) for u in train])
    held_feats = base.classifier.features([tokenize(u.text) for u in held])
    Y = np.array([[t in u.labels for t in themes] for u in train], dtype=int)
    articles = np.array([u.article for u in train])
    unique = np.array(sorted(set(articles)))
    print(f"model {base.version}; {len(train)} training units from {len(unique)} articles; {len(held)} held out; "
          f"features in {time.perf_counter() - started:.0f} s")
    print(f"{'seed':>4} {'half units':>10} {'half':>7} {'+queue':>7} {'+random':>8} {'queue themed':>13} "
          f"{'random themed':>14} {'s':>5}")
    rows = []
    for seed in range(args.seeds):
        t0 = time.perf_counter()
        rng = np.random.default_rng(seed)
        chosen = set(rng.choice(unique, size=len(unique) // 2, replace=False))
        half = np.array([i for i, a in enumerate(articles) if a in chosen])
        pool = np.array([i for i, a in enumerate(articles) if a not in chosen])
        clf = copy.copy(base.classifier)
        clf.fit_classifier(feats.subset(half), Y[half], articles[half])
        f1_half = heldout_metrics(clf, held_feats, held)["macro_f1"]
        picks = {"queue": pool[queue_order(clf, feats.subset(pool))[:args.add]],
                 "random": rng.choice(pool, size=args.add, replace=False)}
        result = {}
        for arm, added in picks.items():
            idx = np.concatenate([half, added])
            refit = copy.copy(clf).refit_regressions(feats.subset(idx), Y[idx], n_jobs=args.n_jobs)
            result[arm] = (heldout_metrics(refit, held_feats, held)["macro_f1"], int(Y[added].any(axis=1).sum()))
        rows.append((f1_half, result["queue"][0], result["random"][0]))
        print(f"{seed:>4} {len(half):>10} {f1_half:>7.3f} {result['queue'][0]:>7.3f} {result['random'][0]:>8.3f} "
              f"{result['queue'][1]:>13} {result['random'][1]:>14} {time.perf_counter() - t0:>5.0f}", flush=True)
    table = np.array(rows)
    mean, sd = table.mean(axis=0), table.std(axis=0, ddof=1) if len(rows) > 1 else np.zeros(3)
    print(f"mean {'':>10} {mean[0]:>7.3f} {mean[1]:>7.3f} {mean[2]:>8.3f}")
    print(f"sd   {'':>10} {sd[0]:>7.3f} {sd[1]:>7.3f} {sd[2]:>8.3f}")
    gain = table[:, 1] - table[:, 2]
    print(f"queue - random: {gain.mean():+.3f} macro-F1 on average ({', '.join(f'{g:+.3f}' for g in gain)}); "
          f"queue - half: {(table[:, 1] - table[:, 0]).mean():+.3f}; random - half: {(table[:, 2] - table[:, 0]).mean():+.3f}")
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
