"""The text pipeline: raw article → cleaned text → paragraph units → tokens.

Every use (training, evaluation, HTTP, batch labeling, ``dangjian clean``) goes
through :class:`TextPipeline`, so they all see the same units.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from .errors import InvalidDocumentError
from .segment import MAX_UNIT_CHARS, Unit, segment_paragraphs
from .text import clean_article
from .tokenizer import JiebaTokenizer

logger = logging.getLogger(__name__)

__all__ = ["ProcessedArticle", "TextPipeline"]


@dataclass
class ProcessedArticle:
    """A cleaned, segmented article."""

    id: str | None
    text: str
    units: list[Unit]
    title: str | None = None
    date: str | None = None
    source: str | None = None


class TextPipeline:
    """Cleaning, segmentation and tokenization with one set of settings.

    Picklable (the jieba tokenizer inside rebuilds itself after loading).
    """

    def __init__(self, tokenizer: JiebaTokenizer | None = None, max_unit_chars: int = MAX_UNIT_CHARS):
        self.tokenizer = tokenizer
        self.max_unit_chars = max_unit_chars

    @classmethod
    def default(cls) -> "TextPipeline":
        """The pipeline with the bundled user dictionary and stopwords."""
        from .resources import default_stop_words, default_user_dict

        return cls(JiebaTokenizer.from_files(default_user_dict(), default_stop_words()))

    def process(self, raw: str, doc_id: str | None = None, title: str | None = None) -> ProcessedArticle:
        """Clean and segment one raw article. ``title`` (from the source's own
        metadata) wins over a title found in the text."""
        if not isinstance(raw, str):
            raise InvalidDocumentError(f"expected the article text as str, got {type(raw).__name__}")
        cleaned = clean_article(raw)
        units = segment_paragraphs(cleaned.text, self.max_unit_chars)
        return ProcessedArticle(
            id=doc_id,
            text=cleaned.text,
            units=units,
            title=title or cleaned.title,
            date=cleaned.date,
            source=cleaned.source,
        )

    def tokenize(self, text: str) -> list[str]:
        if self.tokenizer is None:
            raise InvalidDocumentError("this pipeline has no tokenizer")
        return self.tokenizer(text)
