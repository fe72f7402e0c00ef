"""Training: ``dangjian train [--data DIR] [--out DIR] [--topics K] [--seed N] [--force]``.

``train(config)`` builds a model bundle ``<out>/<version>/`` from ``data/``:

1. the codebook (``themes.yaml``) and a jieba tokenizer with the domain user
   dictionary plus every seed keyword;
2. paragraph units of every unlabeled article (``raw/``, ``seeds/``; held-out
   articles excluded) and the annotated units (``labeled/``) → tokens;
3. a seeded LDA; K chosen by topic coherence (c_v + NPMI) among a few
   candidates unless ``--topics`` is given;
4. with labels: TF-IDF + topic + keyword features, calibrated per-theme
   logistic regressions, thresholds from 5-fold cross-validation by article;
   without labels: topics and keywords alone;
5. a report: cross-validated and held-out figures beside two baselines
   (keyword matching, seeded-LDA topic→theme mapping), coherence, diversity,
   topics; the bundle is saved, reloaded and checked.

``<out>/latest`` moves to the new bundle only if it is not worse than the
current one on the held-out data (``--force`` overrides); old bundles stay.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from dangjian.model.errors import ArtifactError, TopicModelError

from .annotations import STORE_PATH, load_splits
from .data import LabeledUnit, data_resource, dataset_hash, iter_unlabeled_units
from .evaluate import evaluate_model, format_metrics, multilabel_metrics

# numpy, scikit-learn and gensim are imported inside the functions that use
# them, so that `dangjian train --help` answers at once.
if TYPE_CHECKING:
    import numpy as np

    from dangjian.model.classifier import TopicClassifier
    from dangjian.model.text_pipeline import TextPipeline
    from dangjian.model.topics import SeededLDA

logger = logging.getLogger(__name__)

PROMOTION_TOLERANCE = 0.0  # the new bundle must reach the old one's held-out macro-F1


@dataclass(frozen=True)
class TrainConfig:
    data_dir: Path = Path("data")
    out_dir: Path = Path("models")
    n_topics: int | None = None          # None: chosen by coherence
    residual_candidates: tuple[int, ...] = (4, 8)
    random_state: int = 0
    lda_passes: int = 4
    lda_iterations: int = 50
    seed_strength: float = 500.0
    C: float = 8.0
    vector_size: int = 100               # Word2Vec dimensions of the word-vector features (0: none)
    min_df: int = 2
    max_df: float = 0.5
    cv_folds: int = 5
    force: bool = False
    n_jobs: int = 2
    review_db: Path | None = None        # corrections from the review store (dangjian serve --db) join the labels

    def to_dict(self) -> dict:
        d = asdict(self)
        d["data_dir"], d["out_dir"] = str(self.data_dir), str(self.out_dir)
        d["review_db"] = str(self.review_db) if self.review_db is not None else None
        return d


@dataclass
class TrainResult:
    bundle: Path
    promoted: bool
    report: dict = field(default_factory=dict)


# -- building blocks ----------------------------------------------------------------------------

def build_text_pipeline(data_dir: Path, codebook) -> TextPipeline:
    """jieba with the domain dictionary and every seed keyword kept whole."""
    from dangjian.model.resources import default_stop_words, default_user_dict
    from dangjian.model.text_pipeline import TextPipeline
    from dangjian.model.tokenizer import JiebaTokenizer, read_user_dict, read_word_list

    user_words = list(read_user_dict(data_resource(data_dir, "dict/user_dict.txt", default_user_dict())))
    known = {w for w, _, _ in user_words}
    user_words += [(kw, 20, "n") for kw in codebook.keyword_theme() if kw not in known and len(kw) > 1]
    stop_words = read_word_list(data_resource(data_dir, "dict/stopwords.txt", default_stop_words()))
    seeds = set(codebook.keyword_theme())
    return TextPipeline(JiebaTokenizer(user_words=user_words, stop_words=[w for w in stop_words if w not in seeds]))


def _fit_lda(tokens, seed_words, n_residual, config: TrainConfig) -> SeededLDA:
    from dangjian.model.topics import SeededLDA

    return SeededLDA(seed_words=seed_words, n_residual=n_residual, seed_strength=config.seed_strength,
                     passes=config.lda_passes, iterations=config.lda_iterations,
                     random_state=config.random_state).fit(tokens)


DIVERSITY_TOP_WORDS = 25  # topic diversity: share of unique words among each topic's top 25
SEED_SHARE_TOP_WORDS = 20  # how many of a seeded topic's top 20 words are its seeds
REPORT_TOPIC_WORDS = 15  # words per topic in the training report


def _score_lda(lda: SeededLDA, tokens) -> dict:
    from dangjian.model.topics import topic_diversity

    coherence = lda.coherence(tokens)
    return {"n_topics": lda.n_topics_, "c_v": coherence["c_v"]["mean"], "c_npmi": coherence["c_npmi"]["mean"],
            "c_v_per_topic": coherence["c_v"]["per_topic"], "c_npmi_per_topic": coherence["c_npmi"]["per_topic"],
            "diversity": topic_diversity(lda.describe_topics(DIVERSITY_TOP_WORDS)),
            "seed_word_share": lda.seed_word_share(SEED_SHARE_TOP_WORDS)}


def choose_topic_model(tokens, seed_words, config: TrainConfig) -> tuple[SeededLDA, list[dict]]:
    """Fit the candidate Ks (in parallel) and keep the most coherent (c_v + NPMI)."""
    from joblib import Parallel, delayed

    n_themes = len(seed_words)
    if config.n_topics is not None:
        if config.n_topics < n_themes:
            raise ValueError(f"--topics must be at least the number of themes ({n_themes}), got {config.n_topics}")
        residuals = [config.n_topics - n_themes]
    else:
        residuals = list(config.residual_candidates)

    def fit_and_score(n_residual):
        lda = _fit_lda(tokens, seed_words, n_residual, config)
        return lda, _score_lda(lda, tokens)

    def fit_unseeded(n_topics):
        # The seeding check: the same data and K without seeds.
        lda = _fit_lda(tokens, {}, n_topics, config)
        return lda.best_seed_word_share(seed_words, 20)

    jobs = [delayed(fit_and_score)(r) for r in residuals] + [delayed(fit_unseeded)(n_themes + residuals[0])]
    *results, unseeded_share = Parallel(n_jobs=min(config.n_jobs, len(jobs)))(jobs)
    scores = [s for _, s in results]
    best = max(range(len(results)), key=lambda i: scores[i]["c_v"] + scores[i]["c_npmi"])
    for i, s in enumerate(scores):
        s["chosen"] = i == best
        s["unseeded_seed_word_share"] = unseeded_share
        s["unseeded_n_topics"] = n_themes + residuals[0]
        logger.info("LDA K=%d: c_v %.3f, NPMI %.3f, diversity %.2f%s", s["n_topics"], s["c_v"], s["c_npmi"],
                    s["diversity"], " (chosen)" if i == best else "")
    return results[best][0], scores


def label_matrix(units: Sequence[LabeledUnit], themes: Sequence[str]) -> np.ndarray:
    import numpy as np

    return np.array([[t in u.labels for t in themes] for u in units], dtype=int)


# -- baselines ----------------------------------------------------------------------------------

def keyword_baseline(hits: np.ndarray, themes) -> tuple[list[list[str]], list[str | None]]:
    """A theme when at least one of its seed keywords occurs; primary = most hits."""
    import numpy as np

    labels, primary = [], []
    for row in hits:
        idx = [k for k in np.argsort(-row, kind="stable") if row[k] >= 1]
        labels.append([themes[k] for k in idx])
        primary.append(themes[idx[0]] if idx else None)
    return labels, primary


LDA_BASELINE_THRESHOLD = 0.25


def lda_baseline(topic_scores: np.ndarray, themes) -> tuple[list[list[str]], list[str | None]]:
    """A theme when its seeded topic's weight is at least 0.25; primary = heaviest."""
    import numpy as np

    labels, primary = [], []
    for row in topic_scores:
        idx = [k for k in np.argsort(-row, kind="stable") if row[k] >= LDA_BASELINE_THRESHOLD]
        labels.append([themes[k] for k in idx])
        primary.append(themes[idx[0]] if idx else None)
    return labels, primary


def _decisions_to_labels(clf: TopicClassifier, proba: np.ndarray, thresholds: dict) -> tuple[list, list]:
    decisions = clf.decide(proba, thresholds)
    return [[clf.themes[k] for k in passing] for passing, _ in decisions], \
        [clf.themes[p] if p is not None else None for _, p in decisions]


def _metrics(units, labels, primary, themes) -> dict:
    return multilabel_metrics([u.labels for u in units], labels, [u.primary for u in units], primary, themes)


# -- report -------------------------------------------------------------------------------------

def _fmt(x) -> str:
    return f"{x:.3f}" if isinstance(x, (int, float)) else str(x)


def render_report(report: dict) -> str:
    lines = [f"# Training report: {report['model_version']}", ""]
    lines.append(f"- mode: **{report['mode']}**" + (" (no labels in data/labeled: seeded LDA and keywords only)"
                                                     if report["mode"] == "unsupervised" else ""))
    d = report["data"]
    lines.append(f"- units: {d['n_labeled']} labeled for training, {d['n_heldout']} held out, "
                 f"{d['n_topic_corpus']} in the topic-model corpus")
    if d.get("n_corrections") is not None:
        lines.append(f"- corrections from the review store: {d['n_corrections']} decide a training unit's label")
    lines.append(f"- training time: {report['seconds']:.0f} s")
    lines.append("")
    for section, key in (("Cross-validation (5 folds by article, on the training split)", "cv"),
                         ("Held-out split (all parts, by article)", "heldout")):
        block = report.get(key)
        if not block:
            continue
        lines += [f"## {section}", "", "| theme | support | classifier F1 | keyword baseline F1 | seeded-LDA baseline F1 |",
                  "|---|---|---|---|---|"]
        for t in report["themes"]:
            c, k, l = (block[m]["per_theme"][t] for m in ("classifier", "keyword_baseline", "lda_baseline"))
            lines.append(f"| {t} | {c['support']} | {c['f1']:.3f} | {k['f1']:.3f} | {l['f1']:.3f} |")
        lines.append("")
        lines.append("| | classifier | keyword baseline | seeded-LDA baseline |")
        lines.append("|---|---|---|---|")
        for m in ("micro_f1", "macro_f1", "exact_match", "primary_accuracy", "primary_accuracy_themed"):
            lines.append(f"| {m} | " + " | ".join(_fmt(block[x][m]) for x in ("classifier", "keyword_baseline", "lda_baseline")) + " |")
        lines.append("")
    for name, block in (report.get("heldout_parts") or {}).items():
        c, k = block["classifier"], block["keyword_baseline"]
        lines += [f"## Held-out part `{name}` ({c['n_units']} units, {c['n_themed']} with a theme)", "",
                  "| theme | support | classifier F1 | keyword baseline F1 |", "|---|---|---|---|"]
        for t in report["themes"]:
            lines.append(f"| {t} | {c['per_theme'][t]['support']} | {c['per_theme'][t]['f1']:.3f} | {k['per_theme'][t]['f1']:.3f} |")
        lines += ["", "| | classifier | keyword baseline |", "|---|---|---|"]
        for m in ("micro_f1", "macro_f1", "exact_match", "primary_accuracy", "primary_accuracy_themed"):
            lines.append(f"| {m} | {_fmt(c[m])} | {_fmt(k[m])} |")
        lines.append("")
    if report.get("thresholds"):
        lines += ["## Per-theme thresholds (chosen by cross-validated F1)", "",
                  ", ".join(f"{t} {v:.2f}" for t, v in report["thresholds"].items()), ""]
    lda = report["topic_model"]
    lines += ["## Topic model", "",
              "| K | c_v | NPMI | diversity | chosen |", "|---|---|---|---|---|"]
    for s in lda["candidates"]:
        lines.append(f"| {s['n_topics']} | {s['c_v']:.3f} | {s['c_npmi']:.3f} | {s['diversity']:.3f} | {'yes' if s['chosen'] else ''} |")
    lines += ["", "Seeding check: share of the top-20 words that are the theme's seed keywords, in the theme's "
              f"seeded topic, and in the closest topic of an unseeded LDA with K={lda['unseeded_n_topics']} on the same data:", "",
              "| theme | seeded | unseeded |", "|---|---|---|"]
    for t, v in lda["seed_word_share"].items():
        lines.append(f"| {t} | {v:.2f} | {lda['unseeded_seed_word_share'][t]:.2f} |")
    lines += ["", "| topic | theme | top words |", "|---|---|---|"]
    for topic in lda["topics"]:
        lines.append(f"| {topic['id']} | {topic['theme']} | {' '.join(topic['words'][:12])} |")
    if report.get("comparison"):
        c = report["comparison"]
        lines += ["", "## Against the previous bundle", "",
                  f"On {c['heldout_units']} held-out units: previous {c['previous']} macro-F1 {_fmt(c['previous_macro_f1'])}, "
                  f"new macro-F1 {_fmt(c['new_macro_f1'])} → {'promoted' if c['promoted'] else 'NOT promoted'} "
                  f"({c['reason']})."]
    return "\n".join(lines) + "\n"


# -- promotion ----------------------------------------------------------------------------------

def read_latest(out_dir: Path) -> Path | None:
    latest = out_dir / "latest"
    if latest.is_symlink() or latest.exists():
        target = latest.resolve()
        return target if target.is_dir() else None
    return None


def point_latest(out_dir: Path, bundle: Path) -> None:
    """Atomically repoint ``out_dir/latest`` (a relative symlink) at ``bundle``."""
    tmp = out_dir / f".latest.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(bundle.name, tmp)
    os.replace(tmp, out_dir / "latest")


def compare_with_latest(new_macro_f1: float | None, out_dir: Path, heldout: list[LabeledUnit], force: bool) -> dict:
    """Whether the new bundle (held-out macro-F1 ``new_macro_f1``) may become
    ``latest``: yes if there is none yet, or if it is not worse than the
    current one evaluated on the same held-out units, or with ``force``."""
    from dangjian.model.bundle import load_bundle

    previous = read_latest(out_dir)
    if previous is None:
        return {"previous": None, "promoted": True, "reason": "no previous bundle", "heldout_units": len(heldout),
                "previous_macro_f1": None, "new_macro_f1": new_macro_f1}
    if not heldout:
        return {"previous": previous.name, "promoted": True, "reason": "no held-out data to compare on",
                "heldout_units": 0, "previous_macro_f1": None, "new_macro_f1": None}
    try:
        old_model = load_bundle(previous)
        old_metrics, _ = evaluate_model(old_model, heldout)
        old_f1 = old_metrics["macro_f1"]
    except (ArtifactError, TopicModelError, KeyError) as exc:
        logger.warning("previous bundle %s cannot be evaluated (%s); promoting the new one", previous, exc)
        return {"previous": previous.name, "promoted": True, "reason": f"previous bundle unusable: {exc}",
                "heldout_units": len(heldout), "previous_macro_f1": None, "new_macro_f1": new_macro_f1}
    not_worse = new_macro_f1 >= old_f1 - PROMOTION_TOLERANCE
    promoted = not_worse or force
    reason = "not worse on held-out macro-F1" if not_worse else ("worse, but --force" if force else "worse on held-out macro-F1")
    return {"previous": previous.name, "promoted": promoted, "reason": reason, "heldout_units": len(heldout),
            "previous_macro_f1": old_f1, "new_macro_f1": new_macro_f1}


# -- train --------------------------------------------------------------------------------------

def _new_version(data_sha: str) -> str:
    """``<UTC time>-<data hash>-<random>``: two runs on the same data that
    finish in the same second still get different names."""
    import secrets

    return f"{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{data_sha[:8]}-{secrets.token_hex(2)}"


def train(config: TrainConfig = TrainConfig()) -> TrainResult:
    """Train a bundle from ``config.data_dir``; see the module docstring."""
    import numpy as np
    
    from dangjian.model.bundle import load_bundle, save_bundle
    from dangjian.model.classifier import TopicClassifier, best_f1_threshold
    from dangjian.model.codebook import load_codebook
    from dangjian.model.resources import default_themes
    from dangjian.model.theme_model import ThemeModel

    started = time.perf_counter()
    data_dir = Path(config.data_dir)
    codebook = load_codebook(data_resource(data_dir, "themes.yaml", default_themes()))
    themes = codebook.ids
    seed_words = {t.id: list(t.keywords) for t in codebook.themes}
    pipeline = build_text_pipeline(data_dir, codebook)
    tokenize = pipeline.tokenize

    from .retrain import correction_counts, review_records

    corrections = review_records(config.review_db, codebook)
    labeled, heldout = load_splits(data_dir, codebook, corrections)
    heldout_articles = {u.article for u in heldout}
    unlabeled_dirs = [p for p in (data_dir / "raw", data_dir / "seeds") if p.exists()]
    t0 = time.perf_counter()
    unlabeled_texts = list(dict.fromkeys(iter_unlabeled_units(unlabeled_dirs, pipeline, heldout_articles)))
    labeled_tokens = [tokenize(u.text) for u in labeled]
    seen = set(unlabeled_texts)
    topic_tokens = [tokenize(t) for t in unlabeled_texts] + [tok for u, tok in zip(labeled, labeled_tokens) if u.text not in seen]
    if not topic_tokens:
        raise ValueError(f"{data_dir}: no text to train on (data/raw, data/seeds and {STORE_PATH} are empty)")
    logger.info("tokenized %d topic-corpus units and %d labeled units in %.1f s", len(topic_tokens), len(labeled),
                time.perf_counter() - t0)

    lda, lda_scores = choose_topic_model(topic_tokens, seed_words, config)
    clf = TopicClassifier(themes=themes, seed_words=seed_words, C=config.C, min_df=config.min_df,
                          max_df=config.max_df, vector_size=config.vector_size, cv=config.cv_folds,
                          random_state=config.random_state)
    clf.fit_representation(labeled_tokens, topic_tokens, fitted_topic_model=lda)

    report: dict = {"themes": themes, "config": config.to_dict()}
    Y = label_matrix(labeled, themes)
    if len(labeled) and Y.any():
        groups = np.array([u.article for u in labeled])
        feats = clf.features(labeled_tokens)
        folds = clf.cv_folds(len(labeled), groups, n_splits=config.cv_folds)
        clf.fit_classifier(feats, Y, groups, folds=folds)
        oof = clf.cv_proba_
        # CV figures: each fold's units judged with thresholds chosen on the other folds.
        cv_labels: list = [None] * len(labeled)
        cv_primary: list = [None] * len(labeled)
        for train_idx, test_idx in folds:
            fold_thr = {t: best_f1_threshold(Y[train_idx, k], oof[train_idx, k]) for k, t in enumerate(themes)}
            labs, prims = _decisions_to_labels(clf, oof[test_idx], fold_thr)
            for j, i in enumerate(test_idx):
                cv_labels[i], cv_primary[i] = labs[j], prims[j]
        kw_labels, kw_primary = keyword_baseline(feats.keyword_hits, themes)
        lda_labels, lda_primary = lda_baseline(clf.topic_theme_scores(feats.doc_topic), themes)
        report["cv"] = {
            "classifier": _metrics(labeled, cv_labels, cv_primary, themes),
            "keyword_baseline": _metrics(labeled, kw_labels, kw_primary, themes),
            "lda_baseline": _metrics(labeled, lda_labels, lda_primary, themes),
        }
        report["thresholds"] = {t: round(v, 3) for t, v in clf.thresholds_.items()}
    else:
        logger.warning("no labeled units in %s: training without labels (seeded LDA and keywords only)",
                       data_dir / STORE_PATH)
        clf.fit_unsupervised()
    model = ThemeModel(pipeline, clf, codebook)

    if heldout:
        h_tokens = [tokenize(u.text) for u in heldout]
        h_feats = clf.features(h_tokens)
        metrics, predictions = evaluate_model(model, heldout)
        kw_labels, kw_primary = keyword_baseline(h_feats.keyword_hits, themes)
        lda_labels, lda_primary = lda_baseline(clf.topic_theme_scores(h_feats.doc_topic), themes)
        report["heldout"] = {
            "classifier": metrics,
            "keyword_baseline": _metrics(heldout, kw_labels, kw_primary, themes),
            "lda_baseline": _metrics(heldout, lda_labels, lda_primary, themes),
        }
        # every figure on each part of the held-out split too (v1, news, theme-rich)
        parts: dict[str, list[int]] = {}
        for i, u in enumerate(heldout):
            parts.setdefault(u.extra.get("heldout_set") or "heldout", []).append(i)
        if len(parts) > 1:
            report["heldout_parts"] = {
                name: {"classifier": _metrics([heldout[i] for i in idx], [predictions[i]["labels"] for i in idx],
                                              [predictions[i]["primary"] for i in idx], themes),
                       "keyword_baseline": _metrics([heldout[i] for i in idx], [kw_labels[i] for i in idx],
                                                    [kw_primary[i] for i in idx], themes)}
                for name, idx in sorted(parts.items())}

    chosen = next(s for s in lda_scores if s["chosen"])
    report["topic_model"] = {
        "candidates": [{k: v for k, v in s.items() if not k.endswith("per_topic") and "seed_word_share" not in k}
                       for s in lda_scores],
        "c_v": chosen["c_v"], "c_npmi": chosen["c_npmi"], "diversity": chosen["diversity"],
        "seed_word_share": chosen["seed_word_share"],
        "unseeded_seed_word_share": chosen["unseeded_seed_word_share"],
        "unseeded_n_topics": chosen["unseeded_n_topics"],
        "topics": [{"id": k, "theme": lda.topic_themes_[k], "words": w,
                    "c_v": chosen["c_v_per_topic"][k], "c_npmi": chosen["c_npmi_per_topic"][k]}
                   for k, w in enumerate(lda.describe_topics(REPORT_TOPIC_WORDS))],
    }
    data_sha = dataset_hash([data_dir])
    version = _new_version(data_sha)
    report.update({
        "model_version": version,
        "mode": clf.mode_,
        "data": {"n_labeled": len(labeled), "n_heldout": len(heldout), "n_topic_corpus": len(topic_tokens),
                 "n_unlabeled_units": len(unlabeled_texts),
                 "n_corrections": correction_counts(corrections, labeled, heldout)["used_in_training"]},
    })
    out_dir = Path(config.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    new_macro_f1 = report["heldout"]["classifier"]["macro_f1"] if heldout else None
    comparison = compare_with_latest(new_macro_f1, out_dir, heldout, config.force)
    report["comparison"] = comparison
    report["seconds"] = round(time.perf_counter() - started, 1)
    metrics = {}
    for key in ("cv", "heldout"):
        if key in report:
            c = report[key]["classifier"]
            metrics[key] = {m: c[m] for m in ("micro_f1", "macro_f1", "primary_accuracy", "primary_accuracy_themed", "exact_match")}
    metrics["topics"] = {"c_v": chosen["c_v"], "c_npmi": chosen["c_npmi"], "diversity": chosen["diversity"], "n_topics": lda.n_topics_}
    bundle = save_bundle(
        model, out_dir / version, metrics=metrics, parameters=config.to_dict(),
        training_data={"path": str(data_dir), "sha256": data_sha, "n_labeled": len(labeled), "n_heldout": len(heldout),
                       "n_topic_corpus": len(topic_tokens)},
        report=report, report_md=render_report(report), model_version=version,
    )
    # Reload the saved bundle and check that it predicts exactly what the trained model does.
    probe = [u.text for u in (heldout or labeled)[:50]] or unlabeled_texts[:50]
    reloaded = load_bundle(bundle)
    if reloaded.predict_units(probe) != model.predict_units(probe):
        raise ArtifactError(f"{bundle}: reloaded bundle predicts differently from the trained model")
    if comparison["promoted"]:
        point_latest(out_dir, bundle)
    logger.info("bundle %s written in %.0f s (%s)", bundle, report["seconds"],
                "now models/latest" if comparison["promoted"] else f"latest unchanged: {comparison['reason']}")
    return TrainResult(bundle=bundle, promoted=comparison["promoted"], report=report)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dangjian train", description="Train a theme model bundle from data/.")
    parser.add_argument("--data", type=Path, default=Path("data"), help="data directory (default: data)")
    parser.add_argument("--out", type=Path, default=Path("models"), help="where bundles go (default: models)")
    parser.add_argument("--topics", type=int, default=None, help="number of LDA topics (default: chosen by coherence)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--force", action="store_true", help="point models/latest at the new bundle even if it is worse")
    parser.add_argument("--db", type=Path, default=None,
                        help="add the corrections of this review store (dangjian serve --db) to the labels; "
                             "a correction wins over an older label of the same text")
    parser.add_argument("--reuse-topics", action="store_true",
                        help="keep models/latest's LDA, vocabularies and word vectors and refit only the classifiers "
                             "(about a minute)")
    args = parser.parse_args(argv)
    config = TrainConfig(data_dir=args.data, out_dir=args.out, n_topics=args.topics, random_state=args.seed,
                         force=args.force, review_db=args.db)
    try:
        if args.reuse_topics:
            from .retrain import retrain_classifiers

            result = retrain_classifiers(config)
        else:
            result = train(config)
    except (TopicModelError, ValueError, OSError) as exc:
        print(f"dangjian train: {exc}", file=sys.stderr)
        return 1
    report = result.report
    print(f"bundle: {result.bundle}")
    print(f"mode: {report['mode']}; latest {'moved to this bundle' if result.promoted else 'unchanged'} "
          f"({report['comparison']['reason']})")
    for key, title in (("cv", "5-fold cross-validation by article"), ("heldout", "held-out 20%")):
        if key in report:
            print(format_metrics(report[key]["classifier"], f"\n{title}:"))
    if report["data"].get("n_corrections") is not None:
        print(f"\ncorrections from the review store used: {report['data']['n_corrections']}")
    tm = report["topic_model"]
    print(f"\ntopics: K={len(tm['topics'])}, c_v {tm['c_v']:.3f}, NPMI {tm['c_npmi']:.3f}, diversity {tm['diversity']:.3f}")
    print(f"report: {result.bundle / 'report.md'}")
    return 0
