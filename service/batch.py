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
- the labelling runs on an engine (:mod:`.label_engines`): this process,
  ``--workers N`` processes, or a Dask cluster (``--engine dask
  [--scheduler ADDRESS]``); workers load the model once and render the rows,
  and the main process only writes, so every engine gives the same files.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from dangjian.model.chars import replace_surrogates
from dangjian.model.errors import ArtifactError, DocumentReadError
from dangjian.model.reading import count_records

from .label_engines import (DaskEngine, EngineError, InProcessEngine, LabelJob, ProcessPoolEngine,
                            Skipped)
from .label_writers import (SUMMARY_SUFFIXES, WRITERS, OutputConflictError, RowWriter, article_summary,
                            iter_articles_rows, owns_side_file, write_summary, writer_for)

logger = logging.getLogger(__name__)

@dataclass
class LabelStats:
    labeled: int = 0
    skipped: int = 0
    failed: int = 0
    units: int = 0
    startup_seconds: float = 0.0  # from the start of the run to the first article written
    seconds: float = 0.0
    model_loaded: bool = False


ENGINES = ("local", "dask")


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


class ErrorLog:
    """``OUT.errors.jsonl``: one record per input that could not be read or
    labelled, opened (and so replaced) only when the first one comes."""

    def __init__(self, path: Path):
        self.path = path
        self.count = 0
        self._fh = None

    def record(self, path: str, reason: str, line: int | None = None) -> None:
        self.count += 1
        if self._fh is None:
            self._fh = open(self.path, "w", encoding="utf-8")
        path, reason = replace_surrogates(path), replace_surrogates(reason)
        self._fh.write(json.dumps({"path": path, "line": line, "reason": reason}, ensure_ascii=False) + "\n")
        self._fh.flush()
        logger.warning("%s%s: %s", path, f":{line}" if line else "", reason)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
        if not self.count:
            self.path.unlink(missing_ok=True)  # a clean run leaves no errors file (nor an old one)


class LazyModel:
    """The bundle's model, loaded on first use: a run with nothing to label never loads it."""

    def __init__(self, model_dir: str):
        self.model_dir = model_dir
        self.model = None

    def __call__(self):
        if self.model is None:
            from dangjian.model.bundle import load_bundle

            self.model = load_bundle(self.model_dir)
        return self.model

    @property
    def loaded(self) -> bool:
        return self.model is not None


def _check_arguments(out: Path, summary: Path | None, engine: str) -> None:
    if Path(out).suffix.lower() not in WRITERS:
        raise ValueError(f"{out}: unsupported output type {Path(out).suffix or '(none)'}; "
                         f"use one of {', '.join(WRITERS)}")
    if summary is not None and summary.suffix.lower() not in SUMMARY_SUFFIXES:
        raise ValueError(f"{summary}: unsupported summary type; use one of {', '.join(SUMMARY_SUFFIXES)}")
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")


def run_label(paths: Sequence[str], out: Path, model_dir: str, workers: int = 1, batch_size: int = 8,
              summary: Path | None = None, report: Path | None = None, progress: bool = True,
              overwrite: bool = False, engine: str = "local", scheduler: str | None = None,
              partition_bytes: int | None = None) -> LabelStats:
    from tqdm import tqdm

    from dangjian.model.bundle import bundle_codebook

    started = time.perf_counter()
    _check_arguments(out, summary, engine)
    # The bundle is verified (manifest, checksums) before any file is touched;
    # the model itself is loaded only when there is an article to label.
    codebook = bundle_codebook(model_dir)
    writer = writer_for(out, codebook)
    errors = ErrorLog(out.with_name(out.name + ".errors.jsonl"))
    side_files = {errors.path: "errors", summary: "summary", report: "report"}
    side_files.pop(None, None)
    check_outputs(writer, side_files, overwrite)
    model = LazyModel(model_dir)
    if overwrite:  # start afresh, once the model is known to load; summary and report are rewritten at the end
        model()
        writer.remove()
        errors.path.unlink(missing_ok=True)
    done = writer.open()
    job = LabelJob(paths, model_dir, writer.codec, done=set(done), exclude=writer.paths + list(side_files),
                   batch_size=batch_size)
    if engine == "dask":
        runner = DaskEngine(model_dir, workers=workers, scheduler=scheduler, partition_bytes=partition_bytes)
    elif workers > 1:
        runner = ProcessPoolEngine(model, model_dir, workers)
    else:
        runner = InProcessEngine(model)
    stats = LabelStats()
    kept_shares: dict[str, dict[str, float]] = {}  # the model's shares per article, for the summary
    tqdm.monitor_interval = 0  # no monitor thread: worker processes may be forked after the bar exists
    bar = tqdm(total=count_records(paths, job.exclude), unit="article", disable=not progress, file=sys.stderr,
               dynamic_ncols=True, delay=0.5)
    try:
        for outcome in runner.outcomes(job):
            if isinstance(outcome, DocumentReadError):
                errors.record(outcome.path, outcome.reason, outcome.line)
            elif isinstance(outcome, Skipped) or outcome.content_hash in done:
                stats.skipped += 1  # done by an earlier run, or repeated in this one
            elif outcome.error is not None:
                errors.record(outcome.path, f"{outcome.doc}: {outcome.error}")
            else:
                writer.write_article(outcome.content_hash, outcome.rendered)
                if summary is not None:
                    kept_shares[outcome.content_hash] = outcome.shares
                if not stats.labeled:
                    stats.startup_seconds = time.perf_counter() - started
                stats.labeled += 1
                stats.units += outcome.n_rows
            bar.update(1)
    finally:
        bar.close()
        runner.close()
        writer.close()
        errors.close()
    stats.failed = errors.count
    stats.model_loaded = model.loaded or (engine == "dask" and stats.labeled > 0)  # dask: on the workers
    if stats.labeled or not writer.path.exists():
        writer.finish()
    if summary is not None:
        write_summary(summary, (article_summary(g, codebook.ids, kept_shares.get(g[0]["content_hash"]))
                                for g in iter_articles_rows(writer.iter_rows())), codebook)
    if report is not None:
        from .report import write_report

        write_report(report, writer.iter_rows, model())
    stats.seconds = time.perf_counter() - started
    return stats


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dangjian label", description="Label every paragraph of many articles.")
    parser.add_argument("paths", nargs="+", help="files, directories (recursive), or JSON Lines/CSV collections")
    parser.add_argument("-o", "--output", required=True, type=Path, help="output file, by its suffix: " + ", ".join(WRITERS))
    parser.add_argument("--model", default="models/latest", help="bundle directory (default models/latest)")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes, each loading the model once (default 1); with --engine dask "
                             "and no --scheduler, the size of the local cluster")
    parser.add_argument("--engine", choices=ENGINES, default="local",
                        help="local: this machine's processes (default); dask: a dask.distributed cluster")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="with --engine dask: the scheduler of a running cluster (e.g. tcp://10.0.0.5:8786); "
                             "without it a local cluster is started. Inputs, outputs' directory and the model "
                             "must be at paths every worker can read")
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
    if args.scheduler and args.engine != "dask":
        parser.error("--scheduler needs --engine dask")
    try:
        stats = run_label(args.paths, args.output, args.model, workers=args.workers, batch_size=args.batch_size,
                          summary=args.summary, report=args.report, progress=not args.no_progress,
                          overwrite=args.overwrite, engine=args.engine, scheduler=args.scheduler)
    except (ArtifactError, ValueError, OSError, TimeoutError) as exc:
        print(f"dangjian label: {exc}", file=sys.stderr)
        return 1
    except EngineError as exc:
        print(f"dangjian label: {exc}; what was written is kept, and running the same command again resumes",
              file=sys.stderr)
        return 1
    print(f"dangjian label: {stats.labeled} articles labeled ({stats.units} paragraphs), {stats.skipped} already in "
          f"{args.output} or repeated, {stats.failed} failed", file=sys.stderr)
    if stats.failed:
        errors = args.output.with_name(args.output.name + ".errors.jsonl").resolve()
        print(f"dangjian label: see {errors} for what could not be read", file=sys.stderr)
        return 1
    return 0
