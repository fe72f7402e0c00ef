"""ThemeModel: articles in, paragraphs with themes out.

It joins the text pipeline (cleaning, segmentation, tokenization), the theme
classifier (with its seeded LDA) and the codebook. The CLI, the batch job and
the HTTP service all call :meth:`ThemeModel.predict_article` or
:meth:`ThemeModel.predict_units`, so they cannot disagree.
"""
from __future__ import annotations

import logging
from typing import Iterable, Sequence

import numpy as np

from .classifier import TopicClassifier
from .codebook import Codebook
from .errors import InvalidDocumentError
from .text_pipeline import ProcessedArticle, TextPipeline
from .results import ArticleLabels, ParagraphLabels
from .topics import RESIDUAL
from .shares import theme_share_fractions, unit_theme_weights  # noqa: F401 - part of this module's API

logger = logging.getLogger(__name__)

__all__ = ["ThemeModel", "theme_share_fractions", "unit_theme_weights"]

TOP_TOPICS = 3
MIN_TOPIC_WEIGHT = 0.15
TOPIC_WORDS = 6
TOPIC_RELEVANCE_WORDS = 30  # a unit's topic is shown only if the unit uses one of its top 30 words
EVIDENCE_TERMS = 5


class ThemeModel:
    """A trained theme model (:func:`dangjian.model.bundle.load_bundle` loads one)."""

    def __init__(self, text_pipeline: TextPipeline, classifier: TopicClassifier, codebook: Codebook):
        self.text_pipeline = text_pipeline
        self.classifier = classifier
        self.codebook = codebook
        self.metadata: dict = {}
        self._topic_words: list[list[str]] | None = None
        self._topic_display: tuple[list[str], list[set[str]]] | None = None

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_topic_words"] = None
        state["_topic_display"] = None
        state["metadata"] = {}
        return state

    @property
    def version(self) -> str | None:
        return self.metadata.get("model_version")

    @property
    def mode(self) -> str:
        return self.classifier.mode_

    # -- topics ------------------------------------------------------------------------------

    def topic_words(self, top_n: int = 10) -> list[list[str]]:
        if not self._topic_words or len(self._topic_words[0]) < top_n:
            self._topic_words = self.classifier.describe_topics(max(top_n, 10))
        return [words[:top_n] for words in self._topic_words]

    def topic_name(self, k: int) -> str:
        """A topic's name for people: its theme's Chinese name, or for a residual
        topic 其他 and its three top words."""
        theme = self.classifier.topic_model_.topic_themes_[k]
        if theme == RESIDUAL:
            return "其他：" + " ".join(self.topic_words(TOPIC_WORDS)[k][:3])
        return self.codebook[theme].name

    def _topic_names_and_words(self) -> tuple[list[str], list[set[str]]]:
        """Every topic's name and the set of its top words that makes it relevant
        to a unit; computed once (scoring reads them on every call)."""
        if getattr(self, "_topic_display", None) is None:
            n_topics = len(self.classifier.topic_model_.topic_themes_)
            self._topic_display = ([self.topic_name(k) for k in range(n_topics)],
                                   [set(w) for w in self.topic_words(TOPIC_RELEVANCE_WORDS)])
        return self._topic_display

    def describe_topics(self, top_n: int = 10) -> list[dict]:
        """Every LDA topic: id, the theme it maps to (or ``residual``), its name, top words."""
        tm = self.classifier.topic_model_
        if tm is None:
            return []
        return [{"id": k, "theme": tm.topic_themes_[k], "name": self.topic_name(k), "words": words}
                for k, words in enumerate(self.topic_words(top_n))]

    def topic_map(self, topic_weights=None, top_n: int = 30):
        """The intertopic distance map of the LDA topics (:func:`.topic_map.build_topic_map`),
        or ``None`` when the model has no topic model. ``topic_weights``: how much
        of a corpus each topic takes (uniform when not given)."""
        from .topic_map import build_topic_map

        tm = self.classifier.topic_model_
        if tm is None:
            return None
        token2id = tm.dictionary_.token2id
        vocabulary = [""] * len(token2id)
        for word, j in token2id.items():
            vocabulary[j] = word
        return build_topic_map(tm.topic_term_, vocabulary, topic_weights, top_n)

    # -- prediction --------------------------------------------------------------------------

    def _label(self, texts: list[str]) -> list[dict]:
        if not texts:
            return []
        tokenize = self.text_pipeline.tokenize
        tokens = [tokenize(t) for t in texts]
        clf = self.classifier
        feats = clf.features(tokens)
        proba = clf.proba_from_features(feats)
        decisions = clf.decide(proba)
        words = self.topic_words(TOPIC_WORDS) if clf.topic_model_ is not None else []
        topic_themes = clf.topic_model_.topic_themes_ if clf.topic_model_ is not None else []
        topic_names, relevance_words = self._topic_names_and_words() if words else ([], [])
        names = {t.id: t.name for t in self.codebook.themes}
        theme_ids = clf.themes
        scores = proba.tolist()  # Python floats: the same values as float(proba[i, k]), without numpy's per-item cost
        out = []
        for i, (passing, primary) in enumerate(decisions):
            row_scores = [round(v, 4) for v in scores[i]]
            themes = [{"id": theme_ids[k], "name": names[theme_ids[k]], "score": row_scores[k]} for k in passing]
            evidence = {clf.themes[k]: clf.evidence(feats, i, k, EVIDENCE_TERMS) for k in passing}
            topics = []
            if words:
                row = feats.doc_topic[i]
                unit_words = set(tokens[i])
                for k in np.argsort(-row)[:TOP_TOPICS]:
                    if row[k] < MIN_TOPIC_WEIGHT:
                        break
                    if not unit_words & relevance_words[k]:
                        continue  # a topic none of whose top words the unit uses is noise of the inference
                    topics.append({"id": int(k), "weight": round(float(row[k]), 4), "words": words[k],
                                   "theme": topic_themes[k], "name": topic_names[k]})
            out.append({
                "themes": themes,
                "primary": clf.themes[primary] if primary is not None else None,
                "scores": dict(zip(theme_ids, row_scores)),
                "evidence": evidence,
                "topics": topics,
            })
        return out

    def predict_units(self, texts: Sequence[str]) -> list[dict]:
        """Label already-segmented units: each text is one unit (no cleaning
        beyond what tokenization does). Returns one dict per text."""
        if isinstance(texts, str):
            raise TypeError("expected an iterable of unit texts, got str")
        texts = list(texts)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise InvalidDocumentError(f"unit {i}: expected str, got {type(t).__name__}")
        return self._label(texts)

    def theme_shares(self, units: Iterable[dict]) -> list[dict]:
        """An article's theme shares (see :func:`theme_share_fractions`), with names, largest first."""
        names = {t.id: t.name for t in self.codebook.themes}
        shares = [{"id": tid, "name": names[tid], "share": round(v, 4)} for tid, v in theme_share_fractions(units).items()]
        return sorted(shares, key=lambda s: (-s["share"], s["id"]))

    def predict_processed(self, article: ProcessedArticle) -> ArticleLabels:
        """Label the units of an article that went through the text pipeline."""
        return self._assemble(article, self._label([u.text for u in article.units]))

    def predict_processed_batch(self, articles: Sequence[ProcessedArticle]) -> list[ArticleLabels]:
        """Label several processed articles in one pass over all their units
        (the topic inference and the classifiers run once per batch)."""
        texts = [u.text for a in articles for u in a.units]
        labels = self._label(texts)
        out, start = [], 0
        for article in articles:
            end = start + len(article.units)
            out.append(self._assemble(article, labels[start:end]))
            start = end
        return out

    def _assemble(self, article: ProcessedArticle, labels: list[dict]) -> ArticleLabels:
        paragraphs = [ParagraphLabels(index=u.index, heading=u.heading, text=u.text, start=u.start, end=u.end, **lab)
                      for u, lab in zip(article.units, labels)]
        as_units = [{"text": p.text, "themes": p.themes} for p in paragraphs]
        themed_chars = sum(len(p.text) for p in paragraphs if p.themes)
        total_chars = sum(len(p.text) for p in paragraphs)
        return ArticleLabels(id=article.id, title=article.title, date=article.date, source=article.source,
                             themes=self.theme_shares(as_units),
                             coverage=round(themed_chars / total_chars, 4) if total_chars else 0.0,
                             paragraphs=paragraphs)

    def predict_article(self, text: str, title: str | None = None, doc_id: str | None = None) -> ArticleLabels:
        """Clean, segment and label one raw article (see :class:`ArticleLabels`)."""
        if not isinstance(text, str):
            raise InvalidDocumentError(f"expected the article text as str, got {type(text).__name__}")
        if not text.strip():
            raise InvalidDocumentError("the article text is empty")
        return self.predict_processed(self.text_pipeline.process(text, doc_id=doc_id, title=title))

    def predict_articles(self, articles: Iterable[tuple[str, str | None, str | None]]) -> list[ArticleLabels]:
        """Batch form of :meth:`predict_article`: ``(text, title, doc_id)``
        triples in, one result per article out, identical to calling
        predict_article on each (the units are labelled together)."""
        processed = []
        for text, title, doc_id in articles:
            if not isinstance(text, str):
                raise InvalidDocumentError(f"{doc_id or 'document'}: expected the article text as str, got {type(text).__name__}")
            if not text.strip():
                raise InvalidDocumentError(f"{doc_id or 'document'}: the article text is empty")
            processed.append(self.text_pipeline.process(text, doc_id=doc_id, title=title))
        return self.predict_processed_batch(processed)
