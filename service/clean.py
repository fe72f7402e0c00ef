"""``dangjian clean``: print the paragraph units of articles as JSON Lines."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Iterator, Sequence

from dangjian.model.errors import DocumentReadError
from dangjian.model.text_pipeline import TextPipeline
from dangjian.model.reading import iter_records

logger = logging.getLogger(__name__)


def iter_clean_records(paths: Sequence[str], pipeline: TextPipeline, with_tokens: bool = False) -> Iterator[dict | DocumentReadError]:
    """Yield one dict per paragraph unit, or a DocumentReadError per bad file/record."""
    for doc in iter_records(paths):
        if isinstance(doc, DocumentReadError):
            yield doc
            continue
        article = pipeline.process(doc.text, doc_id=doc.id, title=doc.title)
        for unit in article.units:
            record = {
                "doc": doc.id,
                "index": unit.index,
                "heading": unit.heading,
                "text": unit.text,
                "start": unit.start,
                "end": unit.end,
                "title": article.title,
                "date": article.date or doc.fields.get("date"),
                "source": article.source,
            }
            if with_tokens:
                record["tokens"] = pipeline.tokenize(unit.text)
            yield record


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dangjian clean", description="Clean and segment articles; print paragraph units as JSON Lines.")
    parser.add_argument("paths", nargs="+", help="files (.txt .html .jsonl .json .csv) or directories")
    parser.add_argument("--tokens", action="store_true", help="add the jieba tokens of each unit")
    args = parser.parse_args(argv)
    pipeline = TextPipeline.default()
    failures = 0
    out = sys.stdout
    for item in iter_clean_records(args.paths, pipeline, with_tokens=args.tokens):
        if isinstance(item, DocumentReadError):
            failures += 1
            print(f"dangjian clean: {item}", file=sys.stderr)
            continue
        out.write(json.dumps(item, ensure_ascii=False) + "\n")
    out.flush()
    if failures:
        print(f"dangjian clean: {failures} file(s) or record(s) could not be read", file=sys.stderr)
        return 1
    return 0
