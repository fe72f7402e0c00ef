"""Baselines the classifier is reported against: a theme when its score passes
a fixed threshold, primary the highest. Keyword matching (seed keyword hits
>= 1) and the seeded LDA's topic -> theme mapping (topic weight >= 0.25)."""
from __future__ import annotations

from typing import Sequence

KEYWORD_BASELINE_MIN_HITS = 1
LDA_BASELINE_THRESHOLD = 0.25


def threshold_baseline(scores, themes: Sequence[str], threshold: float) -> tuple[list[list[str]], list[str | None]]:
    """Per unit: the themes whose score is at least ``threshold`` (highest
    first) and the highest of them as primary."""
    import numpy as np

    labels, primary = [], []
    for row in scores:
        idx = [k for k in np.argsort(-row, kind="stable") if row[k] >= threshold]
        labels.append([themes[k] for k in idx])
        primary.append(themes[idx[0]] if idx else None)
    return labels, primary


def keyword_baseline(hits, themes):
    """A theme when at least one of its seed keywords occurs; primary = most hits."""
    return threshold_baseline(hits, themes, KEYWORD_BASELINE_MIN_HITS)


def lda_baseline(topic_scores, themes):
    """A theme when its seeded topic's weight is at least 0.25; primary = heaviest."""
    return threshold_baseline(topic_scores, themes, LDA_BASELINE_THRESHOLD)
