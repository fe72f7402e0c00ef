"""Learning curve of the final configuration: held-out macro-F1 when the
classifier is trained on 25%, 50% and 100% of the training labels (whole
articles, drawn at random with a fixed seed), so the next step can be chosen
from figures.

It reuses a trained bundle's representation (tokenizer, TF-IDF vocabularies,
seeded LDA, word vectors; none of them sees a label) and refits only the
calibrated per-theme classifiers, exactly as ``dangjian train`` does. Run by hand:

    python benchmarks/learning_curve.py [--model models/latest] [--seeds 3]
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
from dangjian.training.annotations import load_splits  # noqa: E402
from dangjian.training.evaluate import evaluate_model  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(ROOT / "models" / "latest"))
    ap.add_argument("--data", type=Path, default=ROOT / "data")
    ap.add_argument("--fractions", default="0.25,0.5,1.0")
    ap.add_argument("--seeds", type=int, default=2, help="random article subsets per fraction below 100%%")
    args = ap.parse_args()
    base = load_bundle(args.model)
    train, held = load_splits(args.data, base.codebook)
    themes = base.classifier.themes
    tokens = [base.text_pipeline.tokenize(u.text) for u in train]
    feats = base.classifier.features(tokens)
    Y = np.array([[t in u.labels for t in themes] for u in train], dtype=int)
    articles = np.array([u.article for u in train])
    unique = np.array(sorted(set(articles)))
    parts = sorted({u.extra.get("heldout_set") or "heldout" for u in held})
    print(f"{len(train)} training units from {len(unique)} articles; {len(held)} held out")
    print(f"{'labels':>8} {'units':>6} {'CV macro':>9} {'held-out macro':>15} " + " ".join(f"{p:>12}" for p in parts)
          + f" {'primary':>8}")
    for fraction in (float(f) for f in args.fractions.split(",")):
        runs = 1 if fraction >= 1.0 else args.seeds
        rows = []
        for seed in range(runs):
            t0 = time.perf_counter()
            rng = np.random.default_rng(seed)
            chosen = set(rng.choice(unique, size=max(1, int(round(fraction * len(unique)))), replace=False))
            idx = np.array([i for i, a in enumerate(articles) if a in chosen])
            model = copy.deepcopy(base)
            clf = model.classifier
            clf.fit_classifier(feats.subset(idx), Y[idx], articles[idx])
            oof = clf.cv_proba_
            cv = np.mean([_f1(Y[idx, k], oof[:, k] >= clf.thresholds_[t]) for k, t in enumerate(themes) if Y[idx, k].any()])
            metrics, preds = evaluate_model(model, held)
            per_part = []
            for p in parts:
                sel = [i for i, u in enumerate(held) if (u.extra.get("heldout_set") or "heldout") == p]
                m, _ = evaluate_model(model, [held[i] for i in sel])
                per_part.append(m["macro_f1"])
            rows.append((len(idx), cv, metrics["macro_f1"], per_part, metrics["primary_accuracy_themed"],
                         time.perf_counter() - t0))
        n, cv, ho, pp, prim, secs = (np.mean([r[i] for r in rows], axis=0) for i in range(6))
        print(f"{fraction:>8.0%} {int(n):>6} {cv:>9.3f} {ho:>15.3f} " + " ".join(f"{v:>12.3f}" for v in pp)
              + f" {prim:>8.3f}   ({runs} run{'s' if runs > 1 else ''}, {secs:.0f} s each)", flush=True)
    return 0


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = int((pred & (y == 1)).sum())
    denom = int(pred.sum() + y.sum())
    return 2 * tp / denom if denom else 0.0


if __name__ == "__main__":
    raise SystemExit(main())
