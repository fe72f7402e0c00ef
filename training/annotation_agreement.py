"""Agreement between the first labels and the blind second pass.

A random 20% of each annotation round was labelled a second time, blind to
the first labels (``data/annotation/relabels*.jsonl``). This prints, over
those units: exact agreement of the label sets, agreement of the primary
theme, and per theme Cohen's kappa and the two passes' positive counts.

    python -m training.annotation_agreement
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from sklearn.metrics import cohen_kappa_score, f1_score

from model.codebook import load_codebook


def read_labels(paths) -> dict[str, dict]:
    out = {}
    for path in paths:
        for line in Path(path).open(encoding="utf-8"):
            rec = json.loads(line)
            out[rec["id"]] = rec
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("data"))
    args = parser.parse_args(argv)
    first = read_labels(sorted((args.data / "labeled").glob("*.jsonl")) + sorted((args.data / "heldout").glob("*.jsonl")))
    second = read_labels(sorted((args.data / "annotation").glob("relabels*.jsonl")))
    ids = sorted(set(first) & set(second))
    themes = load_codebook().ids
    exact = sum(set(first[i]["labels"]) == set(second[i]["labels"]) for i in ids) / len(ids)
    primary = sum(first[i]["primary"] == second[i]["primary"] for i in ids) / len(ids)
    any_theme = [bool(first[i]["labels"]) for i in ids], [bool(second[i]["labels"]) for i in ids]
    print(f"units labelled twice: {len(ids)} of {len(first)} ({100 * len(ids) / len(first):.1f}%)")
    print(f"exact label-set agreement: {exact:.3f}")
    print(f"primary-theme agreement:   {primary:.3f}")
    print(f"any-theme vs none kappa:   {cohen_kappa_score(*any_theme):.3f}")
    y1 = [[t in first[i]["labels"] for t in themes] for i in ids]
    y2 = [[t in second[i]["labels"] for t in themes] for i in ids]
    print(f"micro-F1 of pass 2 against pass 1: {f1_score(y1, y2, average='micro', zero_division=0):.3f}")
    print(f"{'theme':<20}{'kappa':>7}{'pass1':>7}{'pass2':>7}{'both':>6}")
    for k, theme in enumerate(themes):
        a = [row[k] for row in y1]
        b = [row[k] for row in y2]
        kappa = cohen_kappa_score(a, b) if any(a) or any(b) else float("nan")
        print(f"{theme:<20}{kappa:>7.3f}{sum(a):>7}{sum(b):>7}{sum(x and y for x, y in zip(a, b)):>6}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
