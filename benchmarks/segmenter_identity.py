"""Does the fast segmenter give exactly jieba's tokens? On every bundled corpus.

Segments, with jieba 0.42.1 and with :class:`dangjian.model.fast_jieba.FastJiebaCut`
(both built with a bundle's user dictionary: the packaged user words plus the
seed keywords), every text of ``../shared/corpora/*.jsonl``, ``data/raw/*.jsonl``
and ``data/seeds/*.txt`` twice: as the pipeline feeds jieba (the cleaned
paragraph units, quoted slogans cut out) and as raw text (uncleaned, traditional
characters and all). Prints the number of texts whose tokens differ (must be
0) and both speeds. Run by hand (about 3 minutes); figures go to docs/benchmarks.md.

    .venv/bin/python benchmarks/segmenter_identity.py [--model models/latest] [--hmm off]
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def corpus_texts(paths: list[Path]) -> list[str]:
    texts = []
    for path in paths:
        if path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    record = json.loads(line)
                    texts.append(record.get("content") or record.get("text") or "")
        else:
            texts.append(path.read_text(encoding="utf-8"))
    return texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="bundle whose tokenizer (user words) to use; default: the packaged "
                                        "dictionary plus the codebook's seed keywords")
    parser.add_argument("--hmm", choices=("on", "off"), default="on")
    args = parser.parse_args()
    import jieba

    jieba.setLogLevel(logging.WARNING)
    from dangjian.model.fast_jieba import FastJiebaCut, load_rust_functions
    from dangjian.model.tokenizer import split_quoted

    if args.model:
        from dangjian.model.bundle import load_bundle

        pipeline = load_bundle(args.model).text_pipeline
    else:
        from dangjian.model.codebook import load_codebook
        from dangjian.training.train import build_text_pipeline

        pipeline = build_text_pipeline(REPO / "data", load_codebook())
    rust = load_rust_functions()
    if rust is None:
        print("jieba-next is not installed: nothing to compare (pip install '.[fast]')")
        return 1
    hmm = args.hmm == "on"
    reference = pipeline.tokenizer.plain_jieba_tokenizer()
    fast = FastJiebaCut(reference, rust)
    corpora = sorted((REPO.parent / "shared" / "corpora").glob("*.jsonl")) + sorted((REPO / "data" / "raw").glob("*.jsonl")) \
        + sorted((REPO / "data" / "seeds").glob("*.txt"))
    print(f"user words: {len(pipeline.tokenizer.user_words)}; HMM {args.hmm}")
    total_differ = 0
    for path in corpora:
        texts = corpus_texts([path])
        pieces = [piece for t in texts for u in pipeline.process(t).units
                  for piece, quoted in split_quoted(u.text) if not quoted]
        for kind, items in (("pipeline units", pieces), ("raw text", texts)):
            n_chars = sum(map(len, items))
            t0 = time.perf_counter()
            expected = [list(reference.cut(s, HMM=hmm)) for s in items]
            t1 = time.perf_counter()
            got = [fast.cut(s, HMM=hmm) for s in items]
            t2 = time.perf_counter()
            differ = [i for i, (a, b) in enumerate(zip(expected, got)) if a != b]
            total_differ += len(differ)
            print(f"{path.relative_to(REPO if path.is_relative_to(REPO) else REPO.parent)} ({kind}): {len(items):,} texts, {n_chars:,} chars; "
                  f"{len(differ)} differ; jieba {n_chars / (t1 - t0):,.0f} chars/s, fast {n_chars / (t2 - t1):,.0f} chars/s "
                  f"({(t1 - t0) / (t2 - t1):.1f}x)")
            for i in differ[:3]:
                print("   ", items[i][:60], expected[i][:12], got[i][:12])
    print(f"texts whose tokens differ: {total_differ}")
    return 0 if total_differ == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
