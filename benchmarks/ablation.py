"""Feature ablations for the theme classifier (issue 10): cross-validated and
held-out macro-F1 of each feature set, printed as a table for docs/model.md.

It reuses a trained bundle's tokenizer, TF-IDF vocabularies and seeded LDA,
and fits plain per-theme logistic regressions (liblinear, balanced classes)
on the annotation store's training split, with thresholds chosen on
out-of-fold scores (5 folds by article), so every variant is judged the same
way. Run by hand:

    python benchmarks/ablation.py --model models/latest [--variants base,+xchars,...]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dangjian.model.bundle import load_bundle  # noqa: E402
from dangjian.model.classifier import best_f1_threshold  # noqa: E402
from dangjian.training.annotations import load_splits  # noqa: E402
from dangjian.training.train import label_matrix  # noqa: E402
from dangjian.training.data import iter_unlabeled_units  # noqa: E402
from dangjian.training.evaluate import multilabel_metrics  # noqa: E402

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")


def fit_predict(X_tr, Y, X_te, C, groups, folds):
    """Out-of-fold scores on the training units and scores on X_te, per theme."""
    from sklearn.linear_model import LogisticRegression

    n_themes = Y.shape[1]
    oof = np.zeros(Y.shape)
    test = np.zeros((X_te.shape[0], n_themes))
    Cs = C if isinstance(C, (list, tuple, np.ndarray)) else [C] * n_themes
    for k in range(n_themes):
        make = lambda: LogisticRegression(C=Cs[k], class_weight="balanced", solver="liblinear", max_iter=2000)  # noqa: E731
        for tr, te in folds:
            oof[te, k] = make().fit(X_tr[tr], Y[tr, k]).decision_function(X_tr[te])
        test[:, k] = make().fit(X_tr, Y[:, k]).decision_function(X_te)
    return oof, test


def decide(scores, thresholds, themes):
    labels, primary = [], []
    for row in scores:
        passing = [k for k in np.argsort(-row) if row[k] >= thresholds[k]]
        labels.append([themes[k] for k in passing])
        primary.append(themes[passing[0]] if passing else None)
    return labels, primary


def to_unit_scale(s):
    return 1 / (1 + np.exp(-s))


def evaluate(units, labels, primary, themes):
    return multilabel_metrics([u.labels for u in units], labels, [u.primary for u in units], primary, themes)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(ROOT / "models" / "latest"))
    ap.add_argument("--data", type=Path, default=ROOT / "data")
    ap.add_argument("--variants", default="base,+xchars,+w2v,+w2v+sentmax,+xchars+w2v,+xchars+w2v+sentmax,tuned_C,primary_model")
    ap.add_argument("--out", type=Path, help="also write the figures as JSON here")
    ap.add_argument("--tune-on", default=None,
                    help="feature set that tuned_C and primary_model build on (default: the best CV variant run)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    model = load_bundle(args.model)
    clf = model.classifier
    themes = list(clf.themes)
    train, held = load_splits(args.data, model.codebook)
    tok = model.text_pipeline.tokenize
    tr_tokens = [tok(u.text) for u in train]
    he_tokens = [tok(u.text) for u in held]
    Y = label_matrix(train, themes)
    groups = np.array([u.article for u in train])
    from sklearn.model_selection import GroupKFold

    folds = list(GroupKFold(n_splits=5).split(Y, Y, groups))
    ftr, fte = clf.features(tr_tokens), clf.features(he_tokens)
    blocks_tr = {"base": ftr.X}
    blocks_te = {"base": fte.X}
    print(f"# {len(train)} training units, {len(held)} held out; base features {ftr.X.shape[1]} "
          f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr)

    # character 1-3-grams of the cleaned unit text, across token boundaries
    from sklearn.feature_extraction.text import TfidfVectorizer

    xv = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, max_df=0.5, sublinear_tf=True,
                         max_features=150_000)
    xv.fit([u.text for u in train])
    blocks_tr["xchars"], blocks_te["xchars"] = xv.transform([u.text for u in train]), xv.transform([u.text for u in held])

    # word vectors (gensim Word2Vec) on the topic corpus (bundled news, reports, seeds) and the training units
    from gensim.models import Word2Vec

    unl = [tok(t) for t in iter_unlabeled_units([args.data / "raw", args.data / "seeds"], model.text_pipeline,
                                                {u.article for u in held})]
    t1 = time.perf_counter()
    w2v = Word2Vec(sentences=unl + tr_tokens, vector_size=100, window=5, min_count=3, workers=2, epochs=8, seed=0, sg=1)
    print(f"# word2vec on {len(unl) + len(tr_tokens)} units in {time.perf_counter() - t1:.0f} s", file=sys.stderr)
    idf = dict(zip(clf.vectorizer_.get_feature_names_out(), clf.vectorizer_.idf_))
    default_idf = max(idf.values())

    def vec_block(token_lists):
        mean = np.zeros((len(token_lists), 100))
        mx = np.zeros((len(token_lists), 100))
        for i, toks in enumerate(token_lists):
            vs = [(w2v.wv[t], idf.get(t, default_idf)) for t in toks if t in w2v.wv]
            if vs:
                m = np.array([v for v, _ in vs])
                w = np.array([x for _, x in vs])
                mean[i] = (m * w[:, None]).sum(0) / w.sum()
                mx[i] = m.max(0)
        for a in (mean, mx):
            norms = np.linalg.norm(a, axis=1, keepdims=True)
            norms[norms == 0] = 1
            a /= norms
        return sp.csr_matrix(np.hstack([mean, mx]))

    def sentence_block(units):
        out = []
        for u in units:
            sents = [s for s in _SENTENCE_END.split(u.text) if len(s) >= 6] or [u.text]
            sv = vec_block([tok(s) for s in sents]).toarray()[:, :100]
            out.append(sv.max(0))
        return sp.csr_matrix(np.array(out))

    blocks_tr["w2v"], blocks_te["w2v"] = vec_block(tr_tokens), vec_block(he_tokens)
    blocks_tr["sentmax"], blocks_te["sentmax"] = sentence_block(train), sentence_block(held)
    print(f"# feature blocks ready ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)

    parts = {}
    for i, u in enumerate(held):
        parts.setdefault(u.extra.get("heldout_set") or "heldout", []).append(i)

    def run(name, block_names, C=8.0, primary_model=False):
        X_tr = sp.hstack([blocks_tr[b] for b in block_names], format="csr")
        X_te = sp.hstack([blocks_te[b] for b in block_names], format="csr")
        oof, test = fit_predict(X_tr, Y, X_te, C, groups, folds)
        thr = [best_f1_threshold(Y[:, k], to_unit_scale(oof[:, k]), 0.05, 0.95) for k in range(len(themes))]
        thr = np.array(thr)
        cv_l, cv_p = decide(to_unit_scale(oof), thr, themes)
        te_l, te_p = decide(to_unit_scale(test), thr, themes)
        if primary_model:
            cv_p, te_p = primary_by_model(X_tr, Y, oof, test, cv_l, te_l)
        row = {"variant": name, "cv": evaluate(train, cv_l, cv_p, themes), "heldout": evaluate(held, te_l, te_p, themes)}
        row["parts"] = {p: evaluate([held[i] for i in idx], [te_l[i] for i in idx], [te_p[i] for i in idx], themes)
                        for p, idx in sorted(parts.items())}
        return row

    def primary_by_model(X_tr, Y, oof, test, cv_l, te_l):
        """A multinomial model of the primary theme among the themed units, on
        the per-theme scores and the features; applied only to units with 2+ themes."""
        from sklearn.linear_model import LogisticRegression

        prim = np.array([themes.index(u.primary) if u.primary else -1 for u in train])
        themed = prim >= 0
        Z_tr = sp.hstack([sp.csr_matrix(oof), X_tr], format="csr")

        oof_p = np.zeros((len(train), len(themes)))
        for tr, te in folds:
            sel = tr[themed[tr]]
            m = LogisticRegression(C=2.0, max_iter=3000).fit(Z_tr[sel], prim[sel])
            oof_p[np.ix_(te, m.classes_)] = m.predict_proba(Z_tr[te])
        m = LogisticRegression(C=2.0, max_iter=3000).fit(Z_tr[themed], prim[themed])
        Z_te = sp.hstack([sp.csr_matrix(test), blocks_te["__X_te"]], format="csr") if "__X_te" in blocks_te else None
        te_prob = np.zeros((test.shape[0], len(themes)))
        te_prob[:, m.classes_] = m.predict_proba(Z_te)

        def pick(labels, prob):
            out = []
            for ls, pr in zip(labels, prob):
                out.append(max(ls, key=lambda t: pr[themes.index(t)]) if ls else None)
            return out

        return pick(cv_l, oof_p), pick(te_l, te_prob)

    variants = {
        "base": ["base"],
        "+xchars": ["base", "xchars"],
        "+w2v": ["base", "w2v"],
        "+w2v+sentmax": ["base", "w2v", "sentmax"],
        "+xchars+w2v": ["base", "xchars", "w2v"],
        "+xchars+w2v+sentmax": ["base", "xchars", "w2v", "sentmax"],
    }
    rows = []
    for name in args.variants.split(","):
        t1 = time.perf_counter()
        if name == "tuned_C":
            best_blocks = variants[args.tune_on or max((r for r in rows if r["variant"] in variants),
                                                       key=lambda r: r["cv"]["macro_f1"])["variant"]]
            X_tr = sp.hstack([blocks_tr[b] for b in best_blocks], format="csr")
            X_te = sp.hstack([blocks_te[b] for b in best_blocks], format="csr")
            Cs = []
            for k in range(len(themes)):
                best = None
                for C in (0.5, 2.0, 8.0, 32.0):
                    o, _ = fit_predict(X_tr, Y[:, [k]], X_te[:1], C, groups, folds)
                    thr = best_f1_threshold(Y[:, k], to_unit_scale(o[:, 0]), 0.05, 0.95)
                    pred = to_unit_scale(o[:, 0]) >= thr
                    tp = (pred & (Y[:, k] == 1)).sum()
                    f1 = 2 * tp / (pred.sum() + Y[:, k].sum())
                    if best is None or f1 > best[0]:
                        best = (f1, C)
                Cs.append(best[1])
            row = run(f"tuned_C({'+'.join(best_blocks)}: {dict(zip(themes, Cs))})", best_blocks, C=Cs)
        elif name == "primary_model":
            best = args.tune_on or max((r for r in rows if r["variant"] in variants), key=lambda r: r["cv"]["macro_f1"])["variant"]
            blocks_te["__X_te"] = sp.hstack([blocks_te[b] for b in variants[best]], format="csr")
            row = run(f"primary_model({best})", variants[best], primary_model=True)
        else:
            row = run(name, variants[name])
        rows.append(row)
        h, c = row["heldout"], row["cv"]
        pr = " ".join(f"{p} {v['macro_f1']:.3f}/{v['primary_accuracy_themed']:.3f}" for p, v in row["parts"].items())
        print(f"{row['variant']:<40} CV macro {c['macro_f1']:.3f} micro {c['micro_f1']:.3f} prim {c['primary_accuracy_themed']:.3f} | "
              f"held-out macro {h['macro_f1']:.3f} micro {h['micro_f1']:.3f} prim {h['primary_accuracy_themed']:.3f} | "
              f"parts (macro/prim) {pr} ({time.perf_counter() - t1:.0f} s)", flush=True)
    if args.out:
        args.out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
