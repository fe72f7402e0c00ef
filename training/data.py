"""Training data: annotated units (data/labeled, data/heldout) and unlabeled
articles (data/raw, data/seeds) for the topic model."""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from dangjian.model.codebook import Codebook
from dangjian.model.errors import DocumentReadError
from dangjian.model.text_pipeline import TextPipeline
from dangjian.model.reading import Document, iter_paths, iter_records

logger = logging.getLogger(__name__)


@dataclass
class LabeledUnit:
    id: str
    text: str
    labels: list[str]
    primary: str | None
    article: str
    source: str | None = None
    extra: dict = field(default_factory=dict)


def read_gold_file(path: str | Path, codebook: Codebook) -> list[LabeledUnit]:
    """Records in the codebook's format (``id``, ``text``, ``labels``,
    ``primary``; optional ``article``, ``source``). Errors name file and line."""
    path = Path(path)
    ids = set(codebook.ids)
    units = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise DocumentReadError(path, "no such file") from None
    except UnicodeDecodeError:
        raise DocumentReadError(path, "not UTF-8 text") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DocumentReadError(path, f"malformed JSON: {exc.msg}", line=number) from None
        if not isinstance(rec, dict):
            raise DocumentReadError(path, "expected a JSON object", line=number)
        for key in ("id", "text", "labels"):
            if key not in rec:
                raise DocumentReadError(path, f"missing field {key!r}", line=number)
        if not isinstance(rec["text"], str) or not rec["text"].strip():
            raise DocumentReadError(path, "'text' must be a non-empty string", line=number)
        labels = rec["labels"]
        if not isinstance(labels, list) or not all(isinstance(t, str) for t in labels):
            raise DocumentReadError(path, "'labels' must be a list of theme ids", line=number)
        unknown = set(labels) - ids
        if unknown:
            raise DocumentReadError(path, f"unknown theme id(s) {sorted(unknown)}", line=number)
        primary = rec.get("primary")
        if primary is not None and primary not in labels:
            raise DocumentReadError(path, f"primary {primary!r} is not among labels {labels}", line=number)
        if labels and primary is None:
            primary = labels[0]
        known = {"id", "text", "labels", "primary", "article", "source"}
        units.append(LabeledUnit(
            id=str(rec["id"]), text=rec["text"], labels=list(dict.fromkeys(labels)), primary=primary,
            article=str(rec.get("article") or rec["id"]), source=rec.get("source"),
            extra={k: v for k, v in rec.items() if k not in known},
        ))
    return units


def read_labeled_dir(directory: str | Path, codebook: Codebook) -> list[LabeledUnit]:
    directory = Path(directory)
    if not directory.is_dir():
        return []
    units = []
    for path in sorted(directory.glob("*.jsonl")):
        units.extend(read_gold_file(path, codebook))
    return units


def article_id(doc: Document) -> str:
    """The article id the annotation tools give a document (so held-out
    articles can be kept out of the topic model's corpus)."""
    path = Path(doc.path or "")
    if path.parent.name == "seeds":
        return "seed-" + path.stem.split("_")[0]
    if "xwlb" in path.name:
        return "xwlb-" + doc.id[:12]
    if doc.title and ("report" in path.name or "reports" in path.name):
        prefix = "cpc-" if doc.fields.get("congress") is not None else "gwr-"
        return prefix + hashlib.sha1(doc.title.encode("utf-8")).hexdigest()[:8]
    return f"{path.stem}:{doc.id}"


def iter_unlabeled_units(paths, pipeline: TextPipeline, exclude_articles: set[str] = frozenset()) -> Iterator[str]:
    """Unit texts of every readable article under ``paths``, except excluded articles."""
    for doc in iter_records(paths):
        if isinstance(doc, DocumentReadError):
            logger.warning("skipping %s", doc)
            continue
        if article_id(doc) in exclude_articles:
            continue
        for unit in pipeline.process(doc.text).units:
            yield unit.text


def data_resource(data_dir: str | Path, relative: str, packaged):
    """``data_dir/relative`` when the data directory brings its own (a codebook
    or dictionary to train with), else the packaged resource ``packaged``."""
    path = Path(data_dir) / relative
    return path if path.exists() else packaged


def dataset_hash(paths) -> str:
    """sha256 over the bytes of every file under ``paths`` (sorted by path)."""
    h = hashlib.sha256()
    for p in sorted(str(x) for x in iter_paths(paths, recursive=True)):
        h.update(p.encode())
        h.update(Path(p).read_bytes())
    return h.hexdigest()
