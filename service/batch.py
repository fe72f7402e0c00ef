"""Batch labeling: ``dangjian label PATH... -o OUT [--model DIR] [--workers N]
[--summary FILE] [--report FILE] [--batch-size N]``.

Streams articles in (files, directories, JSON Lines/CSV collections;
:mod:`.label_inputs`), labels every paragraph with the model, and streams rows
out through the writer for OUT's suffix (:mod:`.label_writers`: ``.jsonl``,
``.csv``, ``.xlsx``, ``.parquet``):

- resumable: every row carries its article's content hash; a re-run with the
  same OUT skips articles already labeled, and a partly written last article
  (after a kill) is cut off and redone (:mod:`.label_journal`), so rows are
  never duplicated or lost; a re-run with nothing to do does not load the model;
- unreadable files and records go to ``OUT.errors.jsonl`` with name and
  reason; the run goes on and exits 1 at the end if anything failed;
- ``--workers N`` processes each load the model once and render the rows;
  the main process only writes.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from dangjian.model.chars import replace_surrogates
from dangjian.model.errors import ArtifactError, DocumentReadError

from .label_inputs import Article, count_articles, iter_articles
from .label_writers import (SUMMARY_SUFFIXES, WRITERS, OutputConflictError, RowWriter, article_summary,
                            iter_articles_rows, owns_side_file, write_summary, writer_for)

logger = logging.getLogger(__name__)

CARRIED_COLUMNS = ("date", "region", "source")


# -- labeling (in workers) ------------------------------------------------------------------------

@dataclass
class LabeledArticle:
    """What a worker sends back for one article: its rows as the output's
    lines, the number of rows, and the theme shares the model gave it (kept
    for the summary, not recomputed from rows); or why it failed."""

    content_hash: str
    rendered: str | None
    n_rows: int
    shares: dict[str, float] | None
    error: str | None = None


def label_articles(model, articles: Sequence[Article]) -> list[tuple[list[dict], dict[str, float]] | str]:
    """Per article: its rows (one per paragraph unit) and theme shares, or the
    reason it could not be labeled (empty text, nothing left after cleaning)."""
    results = iter(model.predict_articles((a.text, a.title, a.doc) for a in articles if a.text.strip()))
    out: list[tuple[list[dict], dict[str, float]] | str] = []
    for art in articles:
        if not art.text.strip():
            out.append("empty text")
            continue
        result = next(results)
        carried = {
            "date": art.fields.get("date") or result.date,
            "region": art.fields.get("region"),
            "source": art.fields.get("source") or result.source,
        }
        others = {k: v for k, v in art.fields.items() if k not in CARRIED_COLUMNS}
        n_units = len(result.paragraphs)
        rows = [{"doc": art.doc, "title": result.title, **carried, "index": p.index, "heading": p.heading,
                 "text": p.text, "themes": [{"id": t["id"], "score": t["score"]} for t in p.themes],
                 "primary": p.primary, "scores": p.scores, "evidence": p.evidence,
                 "topics": [{"id": t["id"], "weight": t["weight"]} for t in p.topics],
                 "fields": others, "path": art.path, "content_hash": art.content_hash, "n_units": n_units}
                for p in result.paragraphs]
        shares = {t["id"]: t["share"] for t in result.themes}
        out.append((rows, shares) if rows else "no paragraph left after cleaning")
    return out


def label_and_render(model, articles: list[Article], codec) -> list[LabeledArticle]:
    """Label a chunk of articles and render their rows with the output's codec."""
    out = []
    for art, labeled in zip(articles, label_articles(model, articles)):
        if isinstance(labeled, str):
            out.append(LabeledArticle(art.content_hash, None, 0, None, error=labeled))
        else:
            rows, shares = labeled
            out.append(LabeledArticle(art.content_hash, codec.render(rows), len(rows), shares))
    return out


# -- engines: where the labeling runs -----------------------------------------------------------------

_WORKER_MODEL = None


def _init_worker(model_dir: str) -> None:
    global _WORKER_MODEL
    import jieba

    jieba.setLogLevel(logging.WARNING)
    from dangjian.model.bundle import load_bundle

    _WORKER_MODEL = load_bundle(model_dir)


def _label_in_worker(task: tuple[list[Article], object]) -> list[LabeledArticle]:
    articles, codec = task
    return label_and_render(_WORKER_MODEL, articles, codec)


class InProcessEngine:
    """Labels in this process."""

    def __init__(self, model):
        self.model = model

    def map(self, tasks: Iterator[tuple[list[Article], object]]) -> Iterator[list[LabeledArticle]]:
        return (label_and_render(self.model, articles, codec) for articles, codec in tasks)

    def close(self) -> None:
        pass


class ProcessPoolEngine:
    """Worker processes, each with the model loaded once. Where fork exists the
    workers inherit the loaded model (with jieba already built) at no cost;
    elsewhere each worker loads the bundle itself. Results come back in order."""

    def __init__(self, model, model_dir: str, workers: int):
        import multiprocessing as mp

        global _WORKER_MODEL
        if "fork" in mp.get_all_start_methods():
            model.text_pipeline.tokenize("预热")  # build jieba once, before forking
            _WORKER_MODEL = model
            self.pool = mp.get_context("fork").Pool(workers)
        else:
            self.pool = mp.get_context("spawn").Pool(workers, initializer=_init_worker,
                                                     initargs=(str(Path(model_dir).resolve()),))

    def map(self, tasks):
        return self.pool.imap(_label_in_worker, tasks)

    def close(self) -> None:
        self.pool.terminate()
        self.pool.join()


# -- the run -------------------------------------------------------------------------------------

def _chunks(items: Iterator, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class LabelStats:
    labeled: int = 0
    skipped: int = 0
    failed: int = 0
    units: int = 0
    startup_seconds: float = 0.0  # from the start of the run to the first article written
    seconds: float = 0.0
    model_loaded: bool = False


def check_outputs(writer: RowWriter, side_files: dict[Path, str], overwrite: bool) -> None:
    """Refuse to touch an existing file that ``dangjian label`` did not write,
    unless ``overwrite``. Runs before anything is opened for writing."""
    foreign = [] if writer.owns_existing() else [p for p in writer.paths if p.exists()]
    foreign += [p for p, role in side_files.items() if not owns_side_file(p, role)]
    if foreign and not overwrite:
        names = ", ".join(str(p) for p in foreign)
        raise OutputConflictError(
            f"{names}: exists and was not written by 'dangjian label'; refusing to change it. "
            f"Choose another output name, or pass --overwrite to replace it")


def run_label(paths: Sequence[str], out: Path, model_dir: str, workers: int = 1, batch_size: int = 8,
              summary: Path | None = None, report: Path | None = None, progress: bool = True,
              overwrite: bool = False) -> LabelStats:
    from tqdm import tqdm

    from dangjian.model.bundle import bundle_codebook, load_bundle

    started = time.perf_counter()
    if Path(out).suffix.lower() not in WRITERS:
        raise ValueError(f"{out}: unsupported output type {Path(out).suffix or '(none)'}; "
                         f"use one of {', '.join(WRITERS)}")
    if summary is not None and summary.suffix.lower() not in SUMMARY_SUFFIXES:
        raise ValueError(f"{summary}: unsupported summary type; use one of {', '.join(SUMMARY_SUFFIXES)}")
    # The bundle is verified (manifest, checksums) before any file is touched;
    # the model itself is loaded only when there is an article to label.
    codebook = bundle_codebook(model_dir)
    writer = writer_for(out, codebook)
    errors_path = out.with_name(out.name + ".errors.jsonl")
    side_files = {errors_path: "errors"}
    if summary is not None:
        side_files[summary] = "summary"
    if report is not None:
        side_files[report] = "report"
    check_outputs(writer, side_files, overwrite)
    outputs = writer.paths + list(side_files)
    stats = LabelStats()
    model = None

    def get_model():
        nonlocal model
        if model is None:
            model = load_bundle(model_dir)
            stats.model_loaded = True
        return model

    if overwrite:  # start afresh, once the model is known to load; summary and report are rewritten at the end
        get_model()
        writer.remove()
        errors_path.unlink(missing_ok=True)
    done = writer.open()
    articles = iter_articles(paths, outputs)
    # Find the first article to do before loading the model: a re-run with
    # nothing left to do never pays for it.
    pending_errors: list[DocumentReadError] = []
    seen_this_run: set[str] = set()
    first: Article | None = None
    for item in articles:
        if isinstance(item, DocumentReadError):
            pending_errors.append(item)
        elif item.content_hash in done or item.content_hash in seen_this_run:
            stats.skipped += 1
        else:
            first = item
            break
    engine = None
    if first is not None:
        get_model()
        engine = ProcessPoolEngine(model, model_dir, workers) if workers > 1 else InProcessEngine(model)
    errors_fh = None
    kept_shares: dict[str, dict[str, float]] = {}

    def record_error(path: str, reason: str, line: int | None = None):
        nonlocal errors_fh
        stats.failed += 1
        if errors_fh is None:
            errors_fh = open(errors_path, "w", encoding="utf-8")
        path, reason = replace_surrogates(path), replace_surrogates(reason)
        errors_fh.write(json.dumps({"path": path, "line": line, "reason": reason}, ensure_ascii=False) + "\n")
        errors_fh.flush()
        logger.warning("%s%s: %s", path, f":{line}" if line else "", reason)

    bar = tqdm(total=count_articles(paths, outputs), unit="article", disable=not progress or first is None,
               file=sys.stderr, dynamic_ncols=True)
    bar.update(stats.skipped + len(pending_errors))

    def todo() -> Iterator[Article]:
        if first is None:
            return
        seen_this_run.add(first.content_hash)
        yield first
        for item in articles:
            if isinstance(item, DocumentReadError):
                record_error(item.path, item.reason, item.line)
                bar.update(1)
                continue
            if item.content_hash in done or item.content_hash in seen_this_run:
                stats.skipped += 1
                bar.update(1)
                continue
            seen_this_run.add(item.content_hash)
            yield item

    pending: dict[str, Article] = {}

    def tasks():
        for chunk in _chunks(todo(), batch_size):
            for art in chunk:
                pending[art.content_hash] = art
            yield chunk, writer.codec

    try:
        for error in pending_errors:
            record_error(error.path, error.reason, error.line)
        results = engine.map(tasks()) if engine is not None else ()
        for labeled in results:
            for result in labeled:
                art = pending.pop(result.content_hash)
                if result.error is not None:
                    record_error(art.path, f"{art.doc}: {result.error}")
                else:
                    writer.write_article(result.content_hash, result.rendered)
                    if summary is not None:
                        kept_shares[result.content_hash] = result.shares
                    if not stats.labeled:
                        stats.startup_seconds = time.perf_counter() - started
                    stats.labeled += 1
                    stats.units += result.n_rows
                bar.update(1)
    finally:
        bar.close()
        if engine is not None:
            engine.close()
        writer.close()
        if errors_fh is not None:
            errors_fh.close()
    if not stats.failed:
        errors_path.unlink(missing_ok=True)
    if stats.labeled or not writer.path.exists():
        writer.finish()
    if summary is not None:
        theme_ids = codebook.ids
        write_summary(summary, (article_summary(g, theme_ids, kept_shares.get(g[0]["content_hash"]))
                                for g in iter_articles_rows(writer.iter_rows())), codebook)
    if report is not None:
        from .report import write_report

        write_report(report, writer.iter_rows, get_model())
    stats.seconds = time.perf_counter() - started
    return stats


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dangjian label", description="Label every paragraph of many articles.")
    parser.add_argument("paths", nargs="+", help="files, directories (recursive), or JSON Lines/CSV collections")
    parser.add_argument("-o", "--output", required=True, type=Path, help="output file, by its suffix: " + ", ".join(WRITERS))
    parser.add_argument("--model", default="models/latest", help="bundle directory (default models/latest)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (each loads the model once)")
    parser.add_argument("--batch-size", type=int, default=8,
                        help="articles labelled together (default 8); a crash loses at most this many per worker")
    parser.add_argument("--summary", type=Path, help="one row per article with its theme shares (.csv or .jsonl)")
    parser.add_argument("--report", type=Path, help="a self-contained HTML report")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace output files instead of resuming; needed to write over a file that "
                             "'dangjian label' did not write")
    args = parser.parse_args(argv)
    if args.workers < 1 or args.batch_size < 1:
        parser.error("--workers and --batch-size must be at least 1")
    try:
        stats = run_label(args.paths, args.output, args.model, workers=args.workers, batch_size=args.batch_size,
                          summary=args.summary, report=args.report, progress=not args.no_progress,
                          overwrite=args.overwrite)
    except (ArtifactError, ValueError, OSError) as exc:
        print(f"dangjian label: {exc}", file=sys.stderr)
        return 1
    print(f"dangjian label: {stats.labeled} articles labeled ({stats.units} paragraphs), {stats.skipped} already in "
          f"{args.output} or repeated, {stats.failed} failed", file=sys.stderr)
    if stats.failed:
        errors = args.output.with_name(args.output.name + ".errors.jsonl").resolve()
        print(f"dangjian label: see {errors} for what could not be read", file=sys.stderr)
        return 1
    return 0
