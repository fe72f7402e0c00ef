"""Prediction throughput against the text pipeline's own, in one run.

Prints characters/second for (a) the text pipeline alone (clean, segment,
tokenize), (b) ``ThemeModel.predict_article`` one article per call and (c)
``ThemeModel.predict_articles`` in batches (the same plus features, LDA
inference, classifiers, evidence), on the same articles, and the ratios.
Target: (b) within 80% of (a). Run by hand; figures go to docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import jieba  # noqa: E402

from dangjian.model.bundle import load_bundle  # noqa: E402
from dangjian.model.reading import Document, iter_documents, iter_paths  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=str(REPO / "models" / "latest"))
    parser.add_argument("--docs", type=int, default=600, help="number of articles from data/raw")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", type=int, default=32, help="articles per predict_articles call")
    args = parser.parse_args()
    jieba.setLogLevel(logging.WARNING)
    model = load_bundle(args.model)
    docs = []
    for path in iter_paths([REPO / "data" / "raw" / "xwlb_news_sample.jsonl", REPO / "data" / "seeds"]):
        docs += [d for d in iter_documents(path) if isinstance(d, Document)]
    docs = docs[: args.docs] + [d for d in docs if "seeds" in (d.path or "")]
    texts = [d.text for d in docs]
    n_chars = sum(map(len, texts))
    pipeline = model.text_pipeline
    model.predict_article(texts[0])  # warm up jieba, OpenCC, caches

    def run_pipeline():
        for t in texts:
            for u in pipeline.process(t).units:
                pipeline.tokenize(u.text)

    def run_predict():
        for t in texts:
            model.predict_article(t)

    def run_batch():
        for i in range(0, len(texts), args.batch):
            model.predict_articles((t, None, None) for t in texts[i:i + args.batch])

    best = {}
    for name, fn in (("pipeline", run_pipeline), ("predict", run_predict), ("batch", run_batch)):
        best[name] = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    n_units = sum(len(pipeline.process(t).units) for t in texts)
    print(f"model {model.version}: {len(texts)} articles, {n_units} units, {n_chars:,} characters")
    print(f"text pipeline alone:   {n_chars / best['pipeline']:>10,.0f} chars/s  ({best['pipeline']:.2f} s)")
    print(f"predict_article:       {n_chars / best['predict']:>10,.0f} chars/s  ({best['predict']:.2f} s, "
          f"{n_units / best['predict']:.0f} units/s)")
    print(f"predict_articles({args.batch}):  {n_chars / best['batch']:>10,.0f} chars/s  ({best['batch']:.2f} s, "
          f"{n_units / best['batch']:.0f} units/s)")
    print(f"predict / pipeline:    {best['pipeline'] / best['predict']:>10.2f}  one article per call (target >= 0.80)")
    print(f"batch / pipeline:      {best['pipeline'] / best['batch']:>10.2f}  {args.batch} articles per call (target >= 0.80)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
