"""The one result type: what the model says about a paragraph and an article.

:meth:`ThemeModel.predict_article` and :meth:`~ThemeModel.predict_articles`
return :class:`ArticleLabels`; the HTTP API answers with their
:meth:`~ArticleLabels.to_dict`, the batch command writes their rows, and the
OpenAPI schema is checked against the same fields (a test pins it). A new
field is added here, once.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

__all__ = ["ParagraphLabels", "ArticleLabels", "ARTICLE_FIELDS"]


@dataclass
class ParagraphLabels:
    """One paragraph unit: where it is, its themes (``[{id, name, score}]``,
    highest first), the primary theme id (or None), every theme's calibrated
    score, the words that drove each assigned theme, and its LDA topics
    (``[{id, weight, words, theme, name}]``)."""

    index: int
    heading: str | None
    text: str
    start: int
    end: int
    themes: list[dict] = field(default_factory=list)
    primary: str | None = None
    scores: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, list[str]] = field(default_factory=dict)
    topics: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


ARTICLE_FIELDS = ("title", "date", "source", "themes", "coverage")
"""The article-level fields of :meth:`ArticleLabels.to_dict`, in order."""


@dataclass
class ArticleLabels:
    """One article: its id (the caller's), metadata found by cleaning, theme
    shares (``[{id, name, share}]``, largest first), coverage (the share of its
    characters in paragraphs with a theme) and its paragraphs."""

    id: str | None
    title: str | None
    date: str | None
    source: str | None
    themes: list[dict]
    coverage: float
    paragraphs: list[ParagraphLabels]

    def to_dict(self) -> dict:
        """``{"article": {title, date, source, themes, coverage}, "paragraphs": [...]}``."""
        return {"article": {name: getattr(self, name) for name in ARTICLE_FIELDS},
                "paragraphs": [p.to_dict() for p in self.paragraphs]}
