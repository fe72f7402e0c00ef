"""Throughput and peak memory of ``dangjian label``, 1 vs 2 workers, in one run.

Labels N news items from data/raw (JSON Lines) into a fresh output each time,
each run in its own process so peak memory (max RSS of the main process and of
its largest worker) is its own. Runs: 1 worker and 2 workers on 3,000
articles, and 1 worker on 1,000 articles (memory must not grow with the
number of articles). Also times the text pipeline alone on one core over the
same articles. Run by hand; figures go to docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import logging
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def child(args) -> int:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    from dangjian.service.batch import run_label

    stats = run_label([args.input], Path(args.out), args.model, workers=args.workers, batch_size=8, progress=False)
    seconds = stats.seconds
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "startup": stats.startup_seconds, "units": stats.units, "articles": stats.labeled,
                      "rss_main_mb": own, "rss_worker_mb": kids}))
    return 0


def pipeline_rate(path: Path, model_dir: str) -> tuple[float, int]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    from dangjian.model.bundle import load_bundle
    from dangjian.model.reading import Document, iter_documents

    pipeline = load_bundle(model_dir).text_pipeline
    docs = [d for d in iter_documents(path) if isinstance(d, Document)]
    pipeline.tokenize("预热")
    t0 = time.perf_counter()
    units = 0
    for d in docs:
        for u in pipeline.process(d.text).units:
            pipeline.tokenize(u.text)
            units += 1
    return units / (time.perf_counter() - t0), units


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=str(REPO / "models" / "latest"))
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    source = (REPO / "data" / "raw" / "xwlb_news_sample.jsonl").read_text(encoding="utf-8").splitlines()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        small, large = tmp / "small.jsonl", tmp / "large.jsonl"
        small.write_text("\n".join(source[: args.articles // 3]) + "\n", encoding="utf-8")
        large.write_text("\n".join(source[: args.articles]) + "\n", encoding="utf-8")
        rate, n_units = pipeline_rate(large, args.model)
        print(f"text pipeline alone, one core: {rate:,.0f} paragraphs/s ({n_units} paragraphs)")
        runs = {}
        for name, path, workers in (("1 worker", large, 1), ("2 workers", large, 2), ("1 worker, 1/3 of the articles", small, 1)):
            out = tmp / f"{name.replace(' ', '_').replace(',', '').replace('/', '-')}.jsonl"
            result = subprocess.run([sys.executable, __file__, "--child", "--input", str(path), "--out", str(out),
                                     "--model", args.model, "--workers", str(workers)],
                                    capture_output=True, text=True, cwd=REPO, check=True)
            r = json.loads(result.stdout.strip().splitlines()[-1])
            runs[name] = r
            r["steady"] = r["units"] / (r["seconds"] - r["startup"])
            print(f"{name:<32} {r['articles']:>5} articles {r['units']:>6} paragraphs {r['seconds']:6.1f} s "
                  f"(start-up {r['startup']:.1f} s)  {r['units'] / r['seconds']:7.1f} paragraphs/s, "
                  f"{r['steady']:7.1f} after start-up;  peak RSS main {r['rss_main_mb']:.0f} MB, "
                  f"largest worker {r['rss_worker_mb']:.0f} MB")
        one, two = runs["1 worker"], runs["2 workers"]
        speedup = (two["units"] / two["seconds"]) / (one["units"] / one["seconds"])
        print(f"2 workers / 1 worker: {speedup:.2f}x wall clock, {two['steady'] / one['steady']:.2f}x after start-up (target >= 1.8)")
        print(f"1 worker / text pipeline: {(one['units'] / one['seconds']) / rate:.2f} wall clock, "
              f"{one['steady'] / rate:.2f} after start-up (target >= 0.80)")
        small_run = runs["1 worker, 1/3 of the articles"]
        print(f"peak memory, 3x the articles: {one['rss_main_mb']:.0f} MB vs {small_run['rss_main_mb']:.0f} MB "
              f"({one['rss_main_mb'] / small_run['rss_main_mb']:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
