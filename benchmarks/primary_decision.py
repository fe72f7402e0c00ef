"""Primary theme: the argmax of the calibrated scores among the assigned themes
(what the model does) against a dedicated multinomial model of the primary
theme trained on the nine calibrated scores (out of fold, by article).

Run by hand: python benchmarks/primary_decision.py [--model models/latest]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dangjian.model.bundle import load_bundle  # noqa: E402
from dangjian.training.annotations import load_splits  # noqa: E402
from dangjian.training.train import label_matrix  # noqa: E402


def main() -> int:
    from sklearn.linear_model import LogisticRegression

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", default=str(ROOT / "models" / "latest"))
    ap.add_argument("--data", type=Path, default=ROOT / "data")
    args = ap.parse_args()
    model = load_bundle(args.model)
    clf = model.classifier
    themes = list(clf.themes)
    train, held = load_splits(args.data, model.codebook)
    tok = model.text_pipeline.tokenize
    feats = clf.features([tok(u.text) for u in train])
    Y = label_matrix(train, themes)
    groups = np.array([u.article for u in train])
    folds = clf.cv_folds(len(train), groups)
    clf.fit_classifier(feats, Y, groups, folds=folds)  # same as training: sets the out-of-fold scores
    oof = clf.cv_proba_
    held_scores = clf.proba_from_features(clf.features([tok(u.text) for u in held]))
    prim = np.array([themes.index(u.primary) if u.primary else -1 for u in train])
    themed = prim >= 0

    def argmax_primary(scores, decisions):
        return [p for _, p in decisions]

    def model_primary(prob, decisions):
        out = []
        for (passing, _), row in zip(decisions, prob):
            out.append(max(passing, key=lambda k: row[k]) if passing else None)
        return out

    def accuracy(units, pred):
        gold = [themes.index(u.primary) if u.primary else None for u in units]
        sel = [i for i, g in enumerate(gold) if g is not None]
        return sum(pred[i] == gold[i] for i in sel) / len(sel), len(sel)

    # out-of-fold multinomial over the scores, for the CV figure
    oof_prob = np.zeros_like(oof)
    for tr, te in folds:
        sel = tr[themed[tr]]
        m = LogisticRegression(C=1.0, max_iter=2000).fit(oof[sel], prim[sel])
        oof_prob[np.ix_(te, m.classes_)] = m.predict_proba(oof[te])
    final = LogisticRegression(C=1.0, max_iter=2000).fit(oof[themed], prim[themed])
    held_prob = np.zeros_like(held_scores)
    held_prob[:, final.classes_] = final.predict_proba(held_scores)
    cv_dec, ho_dec = clf.decide(oof), clf.decide(held_scores)
    for name, fn_cv, fn_ho in (("argmax of calibrated scores (current)", argmax_primary(oof, cv_dec), argmax_primary(held_scores, ho_dec)),
                               ("multinomial on the scores", model_primary(oof_prob, cv_dec), model_primary(held_prob, ho_dec))):
        cv_acc, n_cv = accuracy(train, fn_cv)
        ho_acc, n_ho = accuracy(held, fn_ho)
        print(f"{name:<40} CV primary accuracy (themed units) {cv_acc:.3f} (n={n_cv}) | held-out {ho_acc:.3f} (n={n_ho})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
