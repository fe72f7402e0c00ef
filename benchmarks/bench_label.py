"""Throughput, start-up and peak memory of ``dangjian label``, every engine in one run.

On the same N news items (default: the first 2,000 CCTV items of
``../shared/corpora/xwlb_news_2012_2026.jsonl``, else of data/raw), prints:

- raw jieba on one core: plain ``jieba.Tokenizer().cut`` (its own dictionary,
  HMM on) over the articles' text, in characters per second: the bound;
- start-up in a fresh process: importing, loading the bundle, building the
  segmenter (jieba's dictionary and the user words), the first prediction; the
  first time with an empty dictionary cache (as on a new machine), then again;
- every engine in :data:`ENGINES`: ``dangjian label`` run as a subprocess into a
  fresh output, its wall time (Python start-up included) in characters per second
  and as a share of raw jieba, and the peak RSS of its main process and of its
  largest worker; then a re-run of the first engine on its own output (nothing to do).

The machine is shared and its speed drifts between runs: compare the ratios of
one run. ``--before PYTHON`` also runs each engine with another checkout's
interpreter (e.g. a venv of the code before a change), in the same run.
Figures go to docs/benchmarks.md.

    .venv/bin/python benchmarks/bench_label.py [--articles 2000] [--model models/latest] [--before PYTHON]
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
CORPUS = REPO.parent / "shared" / "corpora" / "xwlb_news_2012_2026.jsonl"
FALLBACK = REPO / "data" / "raw" / "xwlb_news_sample.jsonl"


@dataclass
class Engine:
    """One way to run ``dangjian label``: its name and the options that select it."""

    name: str
    options: tuple[str, ...]
    workers: int  # processes that label (the speed-up is measured against one)


ENGINES = [
    Engine("local engine, 1 worker", ("--workers", "1"), 1),
    Engine("local engine, 2 workers", ("--workers", "2"), 2),
    Engine("dask, local cluster of 2 workers", ("--engine", "dask", "--workers", "2"), 2),
]


# -- in a child process -------------------------------------------------------------------------

def child_label(argv: list[str]) -> int:
    """Run ``dangjian label`` in this process; print wall time and peak RSS as JSON."""
    from dangjian.cli import main as cli_main

    started = time.perf_counter()
    code = cli_main(["label", *argv])
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"code": code, "seconds": seconds, "rss_main_mb": own, "rss_worker_mb": workers}))
    return 0


def child_startup(model_dir: str) -> int:
    """Start-up of a fresh process, step by step; print it as JSON."""
    t0 = time.perf_counter()
    import jieba

    jieba.setLogLevel(logging.WARNING)
    from dangjian.model.bundle import load_bundle

    t1 = time.perf_counter()
    model = load_bundle(model_dir)
    t2 = time.perf_counter()
    model.text_pipeline.tokenize("预热")
    t3 = time.perf_counter()
    model.predict_article("村党支部书记带领党员群众发展集体经济。")
    t4 = time.perf_counter()
    segmenter = getattr(model.text_pipeline.tokenizer, "segmenter", "jieba")
    print(json.dumps({"import": t1 - t0, "load_bundle": t2 - t1, "segmenter_build": t3 - t2, "first_prediction": t4 - t3,
                      "segmenter": segmenter}))
    return 0


# -- the parent ---------------------------------------------------------------------------------

def raw_jieba_rate(texts: list[str]) -> float:
    """Characters per second of plain jieba (its own dictionary, HMM on), one core."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    list(tok.cut("预热"))
    started = time.perf_counter()
    for text in texts:
        for _ in tok.cut(text, HMM=True):
            pass
    return sum(map(len, texts)) / (time.perf_counter() - started)


CHILD_ENV: dict[str, str] = {}  # set by main: an empty jieba dictionary cache for this run


def run_child(python: str, args: list[str]) -> dict:
    result = subprocess.run([python, __file__, *args], capture_output=True, text=True, cwd=REPO,
                            env={**os.environ, **CHILD_ENV})
    if result.returncode != 0:
        raise SystemExit(f"child {args[:2]} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def label(python: str, engine: Engine, source: Path, out: Path, model: str) -> dict:
    argv = [str(source), "-o", str(out), "--model", model, "--no-progress", *engine.options]
    started = time.perf_counter()
    r = run_child(python, ["--child-label", "--", *argv])
    r["wall"] = time.perf_counter() - started  # with the interpreter's own start-up
    if r["code"] != 0:
        raise SystemExit(f"dangjian label {' '.join(argv)} exited {r['code']}")
    return r


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(REPO / "models" / "latest"))
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--input", type=Path, help=f"JSON Lines of news items (default {CORPUS.name})")
    parser.add_argument("--before", metavar="PYTHON", help="also run every engine with this interpreter")
    parser.add_argument("--before-model", help="the bundle for --before (default --model), e.g. the same model in "
                                               "the container that code reads")
    parser.add_argument("--child-label", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-startup", action="store_true", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.child_label:
        return child_label([a for a in rest if a != "--"])
    if args.child_startup:
        return child_startup(args.model)
    source_path = args.input or (CORPUS if CORPUS.exists() else FALLBACK)
    lines = [line for line in source_path.read_text(encoding="utf-8").splitlines() if line.strip()][: args.articles]
    texts = [json.loads(line).get("content") or json.loads(line).get("text") or "" for line in lines]
    chars = sum(map(len, texts))
    pythons = [("", sys.executable, args.model)]
    if args.before:
        pythons.append(("before: ", args.before, args.before_model or args.model))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = tmp / "news.jsonl"
        CHILD_ENV["DANGJIAN_CACHE_DIR"] = str(tmp / "cache")  # so the first start builds it, as on a new machine
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"articles: {len(lines):,} news items from {source_path.name}, {chars:,} characters; model {args.model}")
        rate = raw_jieba_rate(texts)
        print(f"raw jieba, one core: {rate:,.0f} chars/s ({chars / rate:.1f} s)")
        for tag, python, model in pythons:
            for when in ("first start", "again"):  # the first builds the jieba dictionary cache
                s = run_child(python, ["--child-startup", "--model", model])
                total = s["load_bundle"] + s["segmenter_build"]
                print(f"{tag}start-up ({when}): imports {s['import']:.2f} s, load_bundle {s['load_bundle']:.2f} s, "
                      f"building the segmenter ({s['segmenter']}) {s['segmenter_build']:.2f} s, first prediction "
                      f"{s['first_prediction']:.2f} s; bundle + segmenter {total:.2f} s (target <= 1.5)")
        for tag, python, model in pythons:
            runs = []
            for engine in ENGINES:
                r = label(python, engine, source, tmp / f"{tag.strip(': ')}{len(runs)}.jsonl", model)
                runs.append(r)
                speed = chars / r["wall"]
                line = (f"{tag}{engine.name:<34} {r['wall']:6.1f} s  {speed:9,.0f} chars/s  {speed / rate:.2f} of raw jieba")
                if engine.workers > 1:
                    line += f"  {runs[0]['wall'] / r['wall']:.2f}x {ENGINES[0].name}"
                print(f"{line};  peak RSS main {r['rss_main_mb']:.0f} MB, largest worker "
                      + (f"{r['rss_worker_mb']:.0f} MB" if engine.workers > 1 else "(none: labels in the main process)"))
            again = label(python, ENGINES[0], source, tmp / f"{tag.strip(': ')}0.jsonl", model)
            print(f"{tag}re-run of {ENGINES[0].name} with nothing to do: {again['wall']:.2f} s")
        print("targets: 1 worker >= 0.60 of raw jieba; 2 workers >= 1.8x 1 worker; start-up <= 1.5 s; "
              "re-run with nothing to do <= 1.5 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
