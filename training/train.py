"""Training: ``dangjian train [--data DIR] [--out DIR] [--topics K] [--seed N] [--force] [--db PATH] [--reuse-topics]``.

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
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from dangjian.model.errors import ArtifactError, TopicModelError

from .annotations import STORE_PATH, load_splits
from .data import LabeledUnit, data_resource, dataset_hash, iter_unlabeled_units
from .evaluate import REPORTED_METRICS, format_metrics, heldout_report, unit_metrics
from .promotion import compare_with_latest, new_bundle_version, point_latest
from .report import render_report
from .topic_selection import REPORT_TOPIC_WORDS, choose_topic_model

# numpy, scikit-learn and gensim are imported inside the functions that use
# them, so that `dangjian train --help` answers at once.
if TYPE_CHECKING:
    import numpy as np

    from dangjian.model.classifier import TopicClassifier
    from dangjian.model.text_pipeline import TextPipeline
    from dangjian.model.topics import SeededLDA

logger = logging.getLogger(__name__)


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


def label_matrix(units: Sequence[LabeledUnit], themes: Sequence[str]) -> np.ndarray:
    import numpy as np

    return np.array([[t in u.labels for t in themes] for u in units], dtype=int)


# -- train --------------------------------------------------------------------------------------

@dataclass
class Corpora:
    """The texts a training run learns from."""

    labeled: list[LabeledUnit]
    heldout: list[LabeledUnit]
    labeled_tokens: list[list[str]]
    topic_tokens: list[list[str]]  # unlabelled units, then labelled ones not among them
    unlabeled_texts: list[str]
    corrections: list[dict]


def read_corpora(config: TrainConfig, codebook, pipeline: TextPipeline) -> Corpora:
    """Labels (the annotation store, plus the review store's corrections), and the
    unlabelled units of ``raw/`` and ``seeds/`` (held-out articles left out), tokenized."""
    from .retrain import review_records

    data_dir = Path(config.data_dir)
    corrections = review_records(config.review_db, codebook)
    labeled, heldout = load_splits(data_dir, codebook, corrections)
    heldout_articles = {u.article for u in heldout}
    unlabeled_dirs = [p for p in (data_dir / "raw", data_dir / "seeds") if p.exists()]
    t0 = time.perf_counter()
    tokenize = pipeline.tokenize
    unlabeled_texts = list(dict.fromkeys(iter_unlabeled_units(unlabeled_dirs, pipeline, heldout_articles)))
    labeled_tokens = [tokenize(u.text) for u in labeled]
    seen = set(unlabeled_texts)
    topic_tokens = ([tokenize(t) for t in unlabeled_texts]
                    + [tok for u, tok in zip(labeled, labeled_tokens) if u.text not in seen])
    if not topic_tokens:
        raise ValueError(f"{data_dir}: no text to train on (data/raw, data/seeds and {STORE_PATH} are empty)")
    logger.info("tokenized %d topic-corpus units and %d labeled units in %.1f s", len(topic_tokens), len(labeled),
                time.perf_counter() - t0)
    return Corpora(labeled, heldout, labeled_tokens, topic_tokens, unlabeled_texts, corrections)


def fit_classifiers(clf: TopicClassifier, corpora: Corpora, config: TrainConfig) -> dict | None:
    """Fit the per-theme classifiers by cross-validation by article and return
    the cross-validated report block (each fold judged with thresholds chosen
    on the other folds, beside the baselines); without labels, fit the
    unsupervised scorer and return None."""
    import numpy as np

    from dangjian.model.classifier import best_f1_threshold

    from .baselines import keyword_baseline, lda_baseline

    labeled, themes = corpora.labeled, list(clf.themes)
    Y = label_matrix(labeled, themes)
    if not (len(labeled) and Y.any()):
        logger.warning("no labeled units in %s: training without labels (seeded LDA and keywords only)",
                       Path(config.data_dir) / STORE_PATH)
        clf.fit_unsupervised()
        return None
    groups = np.array([u.article for u in labeled])
    feats = clf.features(corpora.labeled_tokens)
    folds = clf.cv_folds(len(labeled), groups, n_splits=config.cv_folds)
    clf.fit_classifier(feats, Y, groups, folds=folds)
    oof = clf.cv_proba_
    cv_labels: list = [None] * len(labeled)
    cv_primary: list = [None] * len(labeled)
    for train_idx, test_idx in folds:
        fold_thresholds = {t: best_f1_threshold(Y[train_idx, k], oof[train_idx, k]) for k, t in enumerate(themes)}
        for j, (passing, primary) in enumerate(clf.decide(oof[test_idx], fold_thresholds)):
            i = test_idx[j]
            cv_labels[i] = [themes[k] for k in passing]
            cv_primary[i] = themes[primary] if primary is not None else None
    kw_labels, kw_primary = keyword_baseline(feats.keyword_hits, themes)
    lda_labels, lda_primary = lda_baseline(clf.topic_theme_scores(feats.doc_topic), themes)
    return {"classifier": unit_metrics(labeled, cv_labels, cv_primary, themes),
            "keyword_baseline": unit_metrics(labeled, kw_labels, kw_primary, themes),
            "lda_baseline": unit_metrics(labeled, lda_labels, lda_primary, themes)}


def topic_model_report(lda: SeededLDA, lda_scores: list[dict]) -> dict:
    chosen = next(s for s in lda_scores if s["chosen"])
    return {
        "candidates": [{k: v for k, v in s.items() if not k.endswith("per_topic") and "seed_word_share" not in k}
                       for s in lda_scores],
        "c_v": chosen["c_v"], "c_npmi": chosen["c_npmi"], "diversity": chosen["diversity"],
        "n_topics": lda.n_topics_,
        "seed_word_share": chosen["seed_word_share"],
        "unseeded_seed_word_share": chosen["unseeded_seed_word_share"],
        "unseeded_n_topics": chosen["unseeded_n_topics"],
        "topics": [{"id": k, "theme": lda.topic_themes_[k], "words": w,
                    "c_v": chosen["c_v_per_topic"][k], "c_npmi": chosen["c_npmi_per_topic"][k]}
                   for k, w in enumerate(lda.describe_topics(REPORT_TOPIC_WORDS))],
    }


def save_checked_and_promote(model, report: dict, config: TrainConfig, heldout: list[LabeledUnit],
                             probe: list[str], training_data: dict, topic_metrics: dict, report_md_extra: str = "",
                             started: float | None = None) -> TrainResult:
    """Compare with ``latest`` on the held-out units, write the bundle, reload it
    and check that it predicts exactly what the trained model does, then move
    ``latest`` if the new bundle is not worse (or ``config.force``)."""
    from dangjian.model.bundle import load_bundle, save_bundle

    out_dir = Path(config.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    new_macro_f1 = report["heldout"]["classifier"]["macro_f1"] if report.get("heldout") else None
    comparison = compare_with_latest(new_macro_f1, out_dir, heldout, config.force)
    report["comparison"] = comparison
    if started is not None:
        report["seconds"] = round(time.perf_counter() - started, 1)
    metrics = {key: {m: report[key]["classifier"][m] for m in REPORTED_METRICS}
               for key in ("cv", "heldout") if report.get(key)}
    metrics["topics"] = topic_metrics
    version = report["model_version"]
    bundle = save_bundle(model, out_dir / version, metrics=metrics, parameters=config.to_dict(),
                         training_data=training_data, report=report,
                         report_md=render_report(report) + report_md_extra, model_version=version)
    if load_bundle(bundle).predict_units(probe) != model.predict_units(probe):
        raise ArtifactError(f"{bundle}: reloaded bundle predicts differently from the trained model")
    if comparison["promoted"]:
        point_latest(out_dir, bundle)
    logger.info("bundle %s written (%s)", bundle,
                "now latest" if comparison["promoted"] else f"latest unchanged: {comparison['reason']}")
    return TrainResult(bundle=bundle, promoted=comparison["promoted"], report=report)


def train(config: TrainConfig = TrainConfig()) -> TrainResult:
    """Train a bundle from ``config.data_dir``; see the module docstring."""
    from dangjian.model.classifier import TopicClassifier
    from dangjian.model.codebook import load_codebook
    from dangjian.model.resources import default_themes
    from dangjian.model.theme_model import ThemeModel

    from .retrain import correction_counts

    started = time.perf_counter()
    data_dir = Path(config.data_dir)
    codebook = load_codebook(data_resource(data_dir, "themes.yaml", default_themes()))
    themes = codebook.ids
    seed_words = {t.id: list(t.keywords) for t in codebook.themes}
    pipeline = build_text_pipeline(data_dir, codebook)
    corpora = read_corpora(config, codebook, pipeline)
    labeled, heldout = corpora.labeled, corpora.heldout

    lda, lda_scores = choose_topic_model(corpora.topic_tokens, seed_words, config)
    clf = TopicClassifier(themes=themes, seed_words=seed_words, C=config.C, min_df=config.min_df,
                          max_df=config.max_df, vector_size=config.vector_size, cv=config.cv_folds,
                          random_state=config.random_state)
    clf.fit_representation(corpora.labeled_tokens, corpora.topic_tokens, fitted_topic_model=lda)
    report: dict = {"themes": themes, "config": config.to_dict()}
    cv = fit_classifiers(clf, corpora, config)
    if cv is not None:
        report["cv"] = cv
        report["thresholds"] = {t: round(v, 3) for t, v in clf.thresholds_.items()}
    model = ThemeModel(pipeline, clf, codebook)
    if heldout:
        report["heldout"] = heldout_report(model, heldout)
        if "parts" in report["heldout"]:
            report["heldout_parts"] = report["heldout"].pop("parts")
    report["topic_model"] = topic_model_report(lda, lda_scores)
    data_sha = dataset_hash([data_dir])
    report.update({
        "model_version": new_bundle_version(data_sha),
        "mode": clf.mode_,
        "data": {"n_labeled": len(labeled), "n_heldout": len(heldout), "n_topic_corpus": len(corpora.topic_tokens),
                 "n_unlabeled_units": len(corpora.unlabeled_texts),
                 "n_corrections": correction_counts(corpora.corrections, labeled, heldout)["used_in_training"]},
    })
    tm = report["topic_model"]
    return save_checked_and_promote(
        model, report, config, heldout,
        probe=[u.text for u in (heldout or labeled)[:50]] or corpora.unlabeled_texts[:50],
        training_data={"path": str(data_dir), "sha256": data_sha, "n_labeled": len(labeled),
                       "n_heldout": len(heldout), "n_topic_corpus": len(corpora.topic_tokens)},
        topic_metrics={k: tm[k] for k in ("c_v", "c_npmi", "diversity", "n_topics")}, started=started)


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
