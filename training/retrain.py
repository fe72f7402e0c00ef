"""Learning from the review store: ``dangjian train --db PATH [--reuse-topics]``.

- :func:`review_records` turns the corrections in the review store
  (:class:`~dangjian.model.review_store.ReviewStore`) into records of the
  annotation store (``pass: correction``, ``round: review``), so that
  :func:`~dangjian.training.annotations.resolve` lets a correction win over an
  older label of the same text, exactly as for ``import-corrections``. A
  corrected text the store already holds keeps its split (a held-out text
  stays held out); a new one goes to training.
- :func:`retrain_classifiers` is the fast path (``--reuse-topics``): it keeps
  the current bundle's text pipeline, LDA, vocabularies and word vectors, and
  refits each theme's regression on the labels with the corrections
  (:meth:`~dangjian.model.classifier.TopicClassifier.refit_regressions`: the
  calibrations and thresholds stay those of the bundle, so no
  cross-validation runs). The new bundle is evaluated on the held-out split
  and promoted as ``dangjian train`` does: ``latest`` moves only if held-out
  macro-F1 is not worse.
"""
from __future__ import annotations

import copy
import json
import logging
import time
from pathlib import Path

from dangjian.model.errors import ArtifactError

from .annotations import GUIDE_VERSION, load_splits
from .data import LabeledUnit

logger = logging.getLogger(__name__)

REVIEW_ROUND = "review"


def review_records(db_path: str | Path | None, codebook) -> list[dict]:
    """Every correction in the review store at ``db_path`` as an annotation
    store record, oldest first (none without a path)."""
    from dangjian.model.review_store import ReviewStore

    if db_path is None:
        return []
    db_path = Path(db_path)
    if not db_path.is_file():
        raise FileNotFoundError(f"{db_path}: no review store here (it is filled by `dangjian review load`)")
    store = ReviewStore.open(db_path, codebook.ids)
    records = []
    for c in store.corrections():
        records.append({"id": c["key"], "text": c["text"], "source": c["source"] or f"review:{db_path.name}",
                        "article": c["article"], "labels": c["labels"], "primary": c["primary"],
                        "pass": "correction", "round": REVIEW_ROUND, "annotator": c["reviewer"],
                        "guide_version": GUIDE_VERSION, "timestamp": c["created_utc"][:19] + "Z", "split": "train",
                        **({"note": c["note"]} if c["note"] else {})})
    logger.info("%d corrections of %d units from the review store %s", len(records),
                len({r["text"] for r in records}), db_path)
    return records


def correction_counts(records: list[dict], labeled: list[LabeledUnit], heldout: list[LabeledUnit]) -> dict:
    """How many corrections there were and how many decide a unit's label."""
    def decided(units):
        return sum(1 for u in units if u.extra.get("round") == REVIEW_ROUND and u.extra.get("pass") == "correction")

    return {"records": len(records), "units": len({r["text"] for r in records}),
            "used_in_training": decided(labeled), "in_heldout": decided(heldout)}


def retrain_classifiers(config, bundle: str | Path | None = None):
    """Refit the classifiers of the current bundle (``config.out_dir/latest``
    unless ``bundle`` is given) on the annotation store plus the review
    store's corrections; write, check and maybe promote a new bundle.
    Returns a :class:`~dangjian.training.train.TrainResult`."""
    from dangjian.model.bundle import load_bundle
    from dangjian.model.theme_model import ThemeModel

    from .evaluate import heldout_report
    from .promotion import new_bundle_version, read_latest
    from .train import label_matrix, save_checked_and_promote

    started = time.perf_counter()
    out_dir = Path(config.out_dir)
    source = Path(bundle) if bundle is not None else read_latest(out_dir)
    if source is None:
        raise ArtifactError(f"{out_dir / 'latest'}: no current bundle to reuse; run `dangjian train` once without "
                            f"--reuse-topics")
    previous = load_bundle(source)
    previous_report_path = Path(source) / "report.json"
    if not previous_report_path.is_file():
        raise ArtifactError(f"{source}: no report.json; --reuse-topics needs a bundle written by `dangjian train`")
    previous_report = json.loads(previous_report_path.read_text(encoding="utf-8"))
    codebook = previous.codebook
    themes = codebook.ids
    records = review_records(config.review_db, codebook)
    labeled, heldout = load_splits(config.data_dir, codebook, records)
    if not labeled:
        raise ValueError(f"{config.data_dir}: no labelled units to refit the classifiers on")
    counts = correction_counts(records, labeled, heldout)

    t0 = time.perf_counter()
    tokenize = previous.text_pipeline.tokenize
    clf = copy.copy(previous.classifier)  # shares the fitted representation; refit_regressions replaces the rest
    feats = clf.features([tokenize(u.text) for u in labeled])
    Y = label_matrix(labeled, themes)
    logger.info("features of %d labelled units in %.1f s", len(labeled), time.perf_counter() - t0)
    t0 = time.perf_counter()
    clf.refit_regressions(feats, Y, n_jobs=config.n_jobs)
    logger.info("refitted %d theme classifiers in %.1f s", len(clf.estimators_), time.perf_counter() - t0)
    model = ThemeModel(previous.text_pipeline, clf, codebook)

    report: dict = {"themes": themes, "config": config.to_dict(), "reused_topics_from": previous.version,
                    "topic_model": previous_report["topic_model"],
                    "thresholds": {t: round(v, 3) for t, v in clf.thresholds_.items()}}
    if heldout:
        report["heldout"] = heldout_report(model, heldout)
        if "parts" in report["heldout"]:
            report["heldout_parts"] = report["heldout"].pop("parts")
    data_sha = previous.metadata.get("training_data", {}).get("sha256", "0" * 8)
    report.update({"model_version": new_bundle_version(data_sha), "mode": clf.mode_,
                   "data": {"n_labeled": len(labeled), "n_heldout": len(heldout),
                            "n_topic_corpus": previous_report["data"]["n_topic_corpus"],
                            "n_corrections": counts["used_in_training"]},
                   "corrections": counts})
    training_data = dict(previous.metadata.get("training_data", {}), n_labeled=len(labeled), n_heldout=len(heldout),
                         review_db=str(config.review_db) if config.review_db else None,
                         n_corrections=counts["used_in_training"], reused_topics_from=previous.version)
    result = save_checked_and_promote(
        model, report, config, heldout, probe=[u.text for u in (heldout or labeled)[:50]],
        training_data=training_data, topic_metrics=previous.metadata.get("metrics", {}).get("topics", {}),
        report_md_extra=_corrections_section(report), started=started)
    logger.info("refitted with %d corrections in %.0f s, reusing the topics of %s", counts["used_in_training"],
                time.perf_counter() - started, previous.version)
    return result


def _corrections_section(report: dict) -> str:
    counts = report["corrections"]
    lines = ["", "## Corrections from the review store", "",
             f"- review store: `{report['config'].get('review_db')}`",
             f"- {counts['records']} corrections of {counts['units']} units; {counts['used_in_training']} decide a "
             f"training unit's label, {counts['in_heldout']} a held-out unit's",
             f"- topics, vocabularies and word vectors reused from `{report['reused_topics_from']}`; each theme's "
             "regression refitted, its calibration and threshold kept (no cross-validation)"]
    return "\n".join(lines) + "\n"
