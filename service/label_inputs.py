"""What ``dangjian label`` reads: articles from files, directories and
collections (JSON Lines, CSV), each with the content hash that resume and
de-duplication go by."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from dangjian.model.errors import DocumentReadError
from dangjian.model.reading import iter_records


@dataclass
class Article:
    doc: str
    text: str
    title: str | None
    fields: dict
    path: str
    content_hash: str


def content_hash(text: str, title: str | None) -> str:
    return hashlib.sha256(f"{title or ''}\n{text}".encode("utf-8")).hexdigest()[:24]


def article_from_document(doc) -> Article:
    """A read :class:`~dangjian.model.reading.Document` as an article to label."""
    return Article(doc.id, doc.text, doc.title, doc.fields, doc.path or "", content_hash(doc.text, doc.title))


def iter_articles(paths: Sequence[str], exclude: Iterable[Path] = ()) -> Iterator[Article | DocumentReadError]:
    """Articles from files and directories; read errors are yielded, not raised.
    Files in ``exclude`` (the run's own outputs) are never read as input."""
    for item in iter_records(paths, exclude):
        if isinstance(item, DocumentReadError):
            yield item
        else:
            yield article_from_document(item)

