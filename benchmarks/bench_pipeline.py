"""Text-pipeline throughput on the bundled corpora, against jieba alone.

Prints characters/second for the whole pipeline (read → clean → t2s →
segment → jieba tokens) and for jieba's own tokenization of the same raw text,
measured in the same run, plus each step's share of the pipeline's time.
Run by hand (``make bench`` or ``python benchmarks/bench_pipeline.py``) and
record the figures in docs/benchmarks.md; never asserted in tests.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import jieba  # noqa: E402

from dangjian.model.chars import get_converter  # noqa: E402
from dangjian.model.text_pipeline import TextPipeline  # noqa: E402
from dangjian.model.reading import Document, iter_documents, iter_paths  # noqa: E402
from dangjian.model.segment import segment_paragraphs  # noqa: E402
from dangjian.model.text import CLEANING_STEPS, _BoilerplateStripper  # noqa: E402


def load(paths):
    docs = []
    for path in iter_paths(paths):
        for doc in iter_documents(path):
            if isinstance(doc, Document):
                docs.append(doc)
    return docs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="*", default=[str(REPO / "data" / "raw"), str(REPO / "data" / "seeds")])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best is kept")
    args = parser.parse_args()
    jieba.setLogLevel(logging.WARNING)

    pipeline = TextPipeline.default()
    tokenizer = pipeline.tokenizer
    tokenizer("预热")  # build jieba + user dictionary outside the timings
    get_converter().convert("鄉")  # load OpenCC outside the timings

    t0 = time.perf_counter()
    docs = load(args.paths)
    read_s = time.perf_counter() - t0
    texts = [d.text for d in docs]
    n_chars = sum(len(t) for t in texts)
    print(f"corpus: {len(docs)} documents, {n_chars:,} characters from {', '.join(args.paths)}")

    # jieba alone on the same raw text, and the whole pipeline, measured in
    # alternation (best of --repeat each) so that machine noise hits both alike.
    jieba_tok = tokenizer.jieba_tokenizer

    def run_jieba():
        for t in texts:
            list(jieba_tok.cut(t))

    def run_pipeline():
        for t in texts:
            art = pipeline.process(t)
            for u in art.units:
                tokenizer(u.text)

    best_jieba = best_pipe = float("inf")
    for _ in range(args.repeat):
        for fn in (run_jieba, run_pipeline):
            t0 = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - t0
            if fn is run_jieba:
                best_jieba = min(best_jieba, elapsed)
            else:
                best_pipe = min(best_pipe, elapsed)
    pipe_total = best_pipe + read_s

    # Per-step shares (one instrumented pass).
    steps = defaultdict(float)
    steps["read"] = read_s
    for t in texts:
        text = t
        for name, step in CLEANING_STEPS:
            s = time.perf_counter()
            text = "\n".join(_BoilerplateStripper(text).run()) if name == "strip_boilerplate" else step(text)
            steps["t2s" if name == "to_simplified" else "clean"] += time.perf_counter() - s
        s = time.perf_counter()
        units = segment_paragraphs(text)
        steps["segment"] += time.perf_counter() - s
        s = time.perf_counter()
        for u in units:
            tokenizer(u.text)
        steps["jieba"] += time.perf_counter() - s
    total_steps = sum(steps.values())

    print(f"jieba alone:        {n_chars / best_jieba:>12,.0f} chars/s  ({best_jieba:.2f} s)")
    print(f"whole pipeline:     {n_chars / pipe_total:>12,.0f} chars/s  ({pipe_total:.2f} s, reading included)")
    print(f"pipeline / jieba:   {best_jieba / pipe_total:>12.2f}  (target >= 0.70)")
    print("share of pipeline time by step:")
    for name in ["read", "clean", "t2s", "segment", "jieba"]:
        print(f"  {name:<8} {100 * steps[name] / total_steps:5.1f}%  ({steps[name]:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
