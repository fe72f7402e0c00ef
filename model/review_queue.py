"""What a correction is worth, and the model's view of units for review.

The review queue shows analysts first the paragraphs whose correction teaches
the model most. :func:`correction_worth` scores a unit from the model's
scores alone, so the store can order its queue in SQL and the benchmark
(``benchmarks/bench_review_queue.py``) can order a pool the same way:

- **closeness**: a theme whose score lies near its threshold (the decision
  could go either way): ``1 - min_k |score_k - threshold_k|``;
- **ambiguity**: a small margin between the two top themes, when the top one
  is assigned (the primary could go either way): ``1 - (top1 - top2)``;
- **disagreement**: the classifier and the seed keywords disagree on at
  least one theme (a theme assigned without any of its keywords, or a
  keyword present without its theme).

``worth = closeness + AMBIGUITY_WEIGHT * ambiguity + DISAGREEMENT_WEIGHT * disagreement``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

__all__ = ["correction_worth", "keyword_themes", "UnitReview", "review_units",
           "AMBIGUITY_WEIGHT", "DISAGREEMENT_WEIGHT", "NEAR_THRESHOLD"]

AMBIGUITY_WEIGHT = 0.5
DISAGREEMENT_WEIGHT = 0.5
NEAR_THRESHOLD = 0.15
"""A theme whose score is within this distance below its threshold is a
candidate of the unit: filtering the queue by a theme finds it."""


def correction_worth(scores: dict[str, float], thresholds: dict[str, float], assigned: Sequence[str],
                     keywords: Sequence[str]) -> float:
    """How much a correction of this unit is worth (higher first); see the module docstring.

    ``scores`` and ``thresholds`` map every theme id to a number in [0, 1];
    ``assigned`` are the themes the classifier gives the unit, ``keywords``
    the themes whose seed keywords occur in it.
    """
    if not scores:
        return 0.0
    closeness = 1.0 - min(abs(scores[t] - thresholds[t]) for t in scores)
    ranked = sorted(scores.values(), reverse=True)
    ambiguity = 1.0 - (ranked[0] - ranked[1]) if assigned and len(ranked) > 1 else 0.0
    disagreement = 1.0 if set(assigned) != set(keywords) else 0.0
    return round(closeness + AMBIGUITY_WEIGHT * ambiguity + DISAGREEMENT_WEIGHT * disagreement, 6)


def keyword_themes(tokens: Sequence[str], keyword_theme: dict[str, str], themes: Sequence[str]) -> list[str]:
    """The themes (in codebook order) at least one of whose seed keywords is among ``tokens``."""
    found = {keyword_theme[t] for t in tokens if t in keyword_theme}
    return [t for t in themes if t in found]


@dataclass
class UnitReview:
    """The model's view of one unit, as the review store keeps it."""

    text: str
    model_version: str
    themes: list[dict]                 # [{id, name, score}], best first
    primary: str | None
    scores: dict[str, float]           # every theme
    evidence: dict[str, list[str]]     # per assigned theme
    keyword_themes: list[str]
    candidate_themes: list[str]        # assigned, keyword or near-threshold themes
    worth: float
    thresholds: dict[str, float] = field(default_factory=dict)


def review_units(model, texts: Sequence[str]) -> list[UnitReview]:
    """Score unit texts with a :class:`~dangjian.model.theme_model.ThemeModel`
    for the review queue: its labels, every theme's score, the keyword themes
    and what a correction is worth."""
    if isinstance(texts, str):
        raise TypeError("expected an iterable of unit texts, got str")
    texts = list(texts)
    labels = model.predict_units(texts)
    clf = model.classifier
    thresholds = dict(clf.thresholds_)
    keyword_theme = model.codebook.keyword_theme()
    tokenize = model.text_pipeline.tokenize
    version = model.version or "unknown"
    out = []
    for text, lab in zip(texts, labels):
        assigned = [t["id"] for t in lab["themes"]]
        keywords = keyword_themes(tokenize(text), keyword_theme, clf.themes)
        near = {t for t, s in lab["scores"].items() if s >= thresholds[t] - NEAR_THRESHOLD}
        candidates = [t for t in clf.themes if t in near or t in keywords or t in assigned]
        out.append(UnitReview(text=text, model_version=version, themes=lab["themes"], primary=lab["primary"],
                              scores=lab["scores"], evidence=lab["evidence"], keyword_themes=keywords,
                              candidate_themes=candidates,
                              worth=correction_worth(lab["scores"], thresholds, assigned, keywords),
                              thresholds=thresholds))
    return out
