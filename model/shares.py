"""Theme shares: the one definition of how much of a text each theme takes,
used by the API's article themes, the batch summary and the HTML report.
(No heavy imports: the batch command reads it before it loads a model.)"""
from __future__ import annotations

from typing import Iterable

__all__ = ["theme_share_fractions", "unit_theme_weights"]


def unit_theme_weights(unit: dict) -> dict[str, float]:
    """A labelled unit's characters split among its themes in proportion to their scores."""
    themes = unit["themes"]
    score_sum = sum(t["score"] for t in themes)
    return {t["id"]: len(unit["text"]) * t["score"] / score_sum for t in themes} if score_sum else {}


def theme_share_fractions(units: Iterable[dict]) -> dict[str, float]:
    """Theme shares of a set of labelled units (sum of :func:`unit_theme_weights`),
    normalised to sum to 1 over the themes present; empty when no unit has a theme."""
    totals: dict[str, float] = {}
    for unit in units:
        for tid, weight in unit_theme_weights(unit).items():
            totals[tid] = totals.get(tid, 0.0) + weight
    grand = sum(totals.values())
    return {tid: v / grand for tid, v in totals.items()} if grand else {}
