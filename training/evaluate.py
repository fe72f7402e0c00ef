"""Evaluation: metrics for multi-label themes with a primary theme, and
``dangjian evaluate --gold FILE [--model DIR] [--predictions OUT]``."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Sequence


logger = logging.getLogger(__name__)


def multilabel_metrics(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]],
                       gold_primary: Sequence[str | None], pred_primary: Sequence[str | None],
                       themes: Sequence[str]) -> dict:
    """Per-theme precision/recall/F1/support, micro and macro F1, exact match,
    and primary-theme accuracy (over all units and over units with a gold theme)."""
    per_theme = {}
    tp_all = fp_all = fn_all = 0
    f1s = []
    for t in themes:
        tp = sum(t in g and t in p for g, p in zip(gold, pred))
        fp = sum(t not in g and t in p for g, p in zip(gold, pred))
        fn = sum(t in g and t not in p for g, p in zip(gold, pred))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_theme[t] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                        "support": tp + fn, "predicted": tp + fp}
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        if tp + fn:
            f1s.append(f1)
    micro_p = tp_all / (tp_all + fp_all) if tp_all + fp_all else 0.0
    micro_r = tp_all / (tp_all + fn_all) if tp_all + fn_all else 0.0
    micro = 2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0
    n = len(gold)
    with_theme = [i for i in range(n) if gold_primary[i] is not None]
    return {
        "n_units": n,
        "per_theme": per_theme,
        "micro_f1": round(micro, 4),
        "micro_precision": round(micro_p, 4),
        "micro_recall": round(micro_r, 4),
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
        "exact_match": round(sum(set(g) == set(p) for g, p in zip(gold, pred)) / n, 4) if n else 0.0,
        "primary_accuracy": round(sum(g == p for g, p in zip(gold_primary, pred_primary)) / n, 4) if n else 0.0,
        "primary_accuracy_themed": round(sum(gold_primary[i] == pred_primary[i] for i in with_theme) / len(with_theme), 4)
        if with_theme else 0.0,
        "n_themed": len(with_theme),
    }


def format_metrics(metrics: dict, title: str = "") -> str:
    lines = [title] if title else []
    lines.append(f"{'theme':<20}{'precision':>10}{'recall':>8}{'F1':>8}{'support':>9}")
    for t, m in metrics["per_theme"].items():
        lines.append(f"{t:<20}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}{m['support']:>9}")
    lines.append(f"micro F1 {metrics['micro_f1']:.3f}   macro F1 {metrics['macro_f1']:.3f}   "
                 f"exact match {metrics['exact_match']:.3f}")
    lines.append(f"primary accuracy {metrics['primary_accuracy']:.3f} (all {metrics['n_units']} units), "
                 f"{metrics['primary_accuracy_themed']:.3f} ({metrics['n_themed']} units with a gold theme)")
    return "\n".join(lines)


def evaluate_model(model, gold_units) -> tuple[dict, list[dict]]:
    """Classify each gold unit's text as one unit; metrics and prediction records."""
    results = model.predict_units([u.text for u in gold_units])
    pred = [[t["id"] for t in r["themes"]] for r in results]
    metrics = multilabel_metrics([u.labels for u in gold_units], pred, [u.primary for u in gold_units],
                                 [r["primary"] for r in results], model.codebook.ids)
    records = [{"id": u.id, "labels": p, "primary": r["primary"], "scores": r["scores"]}
               for u, p, r in zip(gold_units, pred, results)]
    return metrics, records


def unit_metrics(units, labels, primary, themes) -> dict:
    """:func:`multilabel_metrics` of predictions for labelled units."""
    return multilabel_metrics([u.labels for u in units], labels, [u.primary for u in units], primary, themes)


REPORTED_METRICS = ("micro_f1", "macro_f1", "primary_accuracy", "primary_accuracy_themed", "exact_match")


def heldout_report(model, heldout) -> dict:
    """The held-out block of a training report: the model's figures beside the
    two baselines (:mod:`.baselines`), and, when the split has several parts
    (v1, news, theme-rich), the model's and the keyword baseline's per part."""
    from .baselines import keyword_baseline, lda_baseline

    themes = model.codebook.ids
    clf = model.classifier
    metrics, predictions = evaluate_model(model, heldout)
    feats = clf.features([model.text_pipeline.tokenize(u.text) for u in heldout])
    kw_labels, kw_primary = keyword_baseline(feats.keyword_hits, themes)
    lda_labels, lda_primary = lda_baseline(clf.topic_theme_scores(feats.doc_topic), themes)
    block = {"classifier": metrics,
             "keyword_baseline": unit_metrics(heldout, kw_labels, kw_primary, themes),
             "lda_baseline": unit_metrics(heldout, lda_labels, lda_primary, themes)}
    parts: dict[str, list[int]] = {}
    for i, u in enumerate(heldout):
        parts.setdefault(u.extra.get("heldout_set") or "heldout", []).append(i)
    if len(parts) > 1:
        block["parts"] = {
            name: {"classifier": unit_metrics([heldout[i] for i in idx], [predictions[i]["labels"] for i in idx],
                                              [predictions[i]["primary"] for i in idx], themes),
                   "keyword_baseline": unit_metrics([heldout[i] for i in idx], [kw_labels[i] for i in idx],
                                                    [kw_primary[i] for i in idx], themes)}
            for name, idx in sorted(parts.items())}
    return block


def main(argv: Sequence[str] | None = None) -> int:
    from dangjian.model.bundle import load_bundle
    from dangjian.model.errors import ArtifactError, DocumentReadError

    from .data import read_gold_file

    parser = argparse.ArgumentParser(
        prog="dangjian evaluate",
        description="Score a model bundle on gold units in the codebook's record format (id, text, labels, primary): "
                    "per-theme precision, recall and F1, micro and macro F1, exact match and primary-theme accuracy. "
                    "Export the held-out split with 'dangjian annotations export --split heldout -o FILE'.")
    parser.add_argument("--gold", required=True, type=Path, help="JSON Lines in the codebook's record format")
    parser.add_argument("--model", type=Path, default=Path("models/latest"), help="bundle directory (default models/latest)")
    parser.add_argument("--predictions", type=Path, help="write predictions here (id, labels, primary, scores)")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    args = parser.parse_args(argv)
    try:
        model = load_bundle(args.model)
        gold = read_gold_file(args.gold, model.codebook)
    except (ArtifactError, DocumentReadError) as exc:
        print(f"dangjian evaluate: {exc}", file=sys.stderr)
        return 1
    if not gold:
        print(f"dangjian evaluate: {args.gold}: no records", file=sys.stderr)
        return 1
    metrics, records = evaluate_model(model, gold)
    if args.predictions:
        args.predictions.parent.mkdir(parents=True, exist_ok=True)
        with args.predictions.open("w", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps(metrics, ensure_ascii=False, indent=1))
    else:
        print(format_metrics(metrics, f"{args.gold} ({len(gold)} units), model {model.version}"))
    return 0
