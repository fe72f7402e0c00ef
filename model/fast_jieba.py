"""jieba 0.42.1's accurate-mode ``cut``, token for token, with its two hot
loops in compiled code.

jieba spends its time in two pure-Python loops: the dictionary DAG with the
best route through it (``get_DAG`` + ``calc``), and the HMM Viterbi that joins
runs of single characters the dictionary does not know (``finalseg``). The
optional package ``jieba-next`` (Rust) has both. This module keeps everything
else of jieba 0.42.1 as it is (its text splitting, its dictionary ``FREQ``
with our user words, its HMM probability tables, its handling of what the HMM
returns) and calls Rust only where that gives jieba's own answer:

- the route: ``jieba_next_rust.PrefixDict(FREQ, total).get_dag_and_calc``,
  built from the very ``FREQ`` and ``total`` of our ``jieba.Tokenizer``. Same
  route as jieba's on all 1,091,831 text blocks of the bundled corpora
  (11.2 million characters), ties included (``谢谢谢谢``, ``买买买``);
- the Viterbi: ``jieba_next_rust._viterbi`` with jieba's own tables, only
  for runs whose every character has an emission probability in every state.
  For a character jieba's HMM never saw (``覚``, ``衞``), all paths score
  about -3.14e100 and the two implementations break those ties differently,
  so such runs go to jieba's Python Viterbi.

What was not adopted, and why, is in docs/benchmarks.md (jieba_fast 0.53
takes other routes on ties and on '-'; rjieba 0.2.2 has another dictionary
and another number splitting). ``tests/model/test_fast_jieba.py`` compares
the tokens with jieba's on the bundled articles, and
``benchmarks/segmenter_identity.py`` on every bundled corpus.
"""
from __future__ import annotations

import importlib.util
import logging
import re
from pathlib import Path

logger = logging.getLogger(__name__)

__all__ = ["FastJiebaCut", "fast_backend_version", "load_rust_functions"]

# jieba 0.42.1's own patterns (jieba/__init__.py and jieba/finalseg/__init__.py).
_RE_HAN = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
_RE_SKIP = re.compile("(\r\n|\\s)", re.U)
_RE_ENG = re.compile("[a-zA-Z0-9]", re.U)
_RE_HMM_HAN = re.compile("([\u4E00-\u9FD5]+)")
_RE_HMM_SKIP = re.compile("([a-zA-Z0-9]+(?:\\.\\d+)?%?)")

RUST_MODULE = "jieba_next.jieba_next_rust"


def load_rust_functions():
    """jieba-next's compiled module, or None when jieba-next is not installed.

    Loaded on its own, without ``jieba_next/__init__`` (which reads package
    metadata and makes a tokenizer of its own: start-up time for nothing).
    """
    import sys
    from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader

    if RUST_MODULE in sys.modules:
        return sys.modules[RUST_MODULE]
    try:
        package = importlib.util.find_spec("jieba_next")  # finds, does not import
    except (ImportError, ValueError):
        return None
    if package is None or not package.submodule_search_locations:
        return None
    candidates = [Path(d) / f"jieba_next_rust{suffix}" for d in package.submodule_search_locations
                  for suffix in EXTENSION_SUFFIXES]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        return None
    try:
        loader = ExtensionFileLoader(RUST_MODULE, str(path))
        spec = importlib.util.spec_from_file_location(RUST_MODULE, path, loader=loader)
        module = importlib.util.module_from_spec(spec)
        loader.exec_module(module)
        sys.modules[RUST_MODULE] = module
    except (ImportError, OSError) as exc:
        logger.warning("jieba-next is installed but its compiled module does not load (%s); using plain jieba", exc)
        return None
    return module


def fast_backend_version() -> str | None:
    """The installed jieba-next version, or None."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jieba-next")
    except PackageNotFoundError:
        return None


class FastJiebaCut:
    """``cut(text, HMM)`` giving what ``jieba_tokenizer.cut(text, HMM=HMM)``
    gives, for an initialised ``jieba.Tokenizer`` whose dictionary no longer
    changes (the route table is a snapshot of its ``FREQ``)."""

    def __init__(self, jieba_tokenizer, rust):
        from jieba import finalseg

        self.freq = jieba_tokenizer.FREQ
        self.prefix_dict = rust.PrefixDict(jieba_tokenizer.FREQ, float(jieba_tokenizer.total))
        self.rust_viterbi = rust._viterbi
        self.finalseg = finalseg
        # Characters with an emission probability in every HMM state.
        emit = finalseg.emit_P
        self.hmm_known = frozenset.intersection(*(frozenset(emit[state]) for state in "BMES"))

    # -- jieba.Tokenizer.cut (accurate mode, no paddle) -----------------------------------------

    def cut(self, sentence: str, HMM: bool = True) -> list[str]:
        out: list[str] = []
        cut_block = self._cut_dag if HMM else self._cut_dag_no_hmm
        # re.split with one group alternates: text between matches (even
        # places), a match (odd places); jieba tells them apart with
        # re_han.match, which here is the parity.
        for i, blk in enumerate(_RE_HAN.split(sentence)):
            if not blk:
                continue
            if i % 2:
                cut_block(blk, out)
            else:
                for j, x in enumerate(_RE_SKIP.split(blk)):
                    if j % 2:
                        out.append(x)
                    else:
                        out.extend(x)
        return out

    def _cut_dag(self, sentence: str, out: list[str]) -> None:
        """jieba.Tokenizer.__cut_DAG."""
        route = self.prefix_dict.get_dag_and_calc(sentence)
        n = len(sentence)
        if route[0] == n - 1:  # the whole block is one word (or one character)
            out.append(sentence)
            return
        freq = self.freq
        x, buf_start = 0, -1  # buf: the run of single characters sentence[buf_start:x]
        append = out.append
        while x < n:
            y = route[x] + 1
            if y - x == 1:
                if buf_start < 0:
                    buf_start = x
            else:
                if buf_start >= 0:
                    self._flush(sentence[buf_start:x], freq, out)
                    buf_start = -1
                append(sentence[x:y])
            x = y
        if buf_start >= 0:
            self._flush(sentence[buf_start:], freq, out)

    def _flush(self, buf: str, freq: dict, out: list[str]) -> None:
        """A run of single characters: as it is, or as the HMM joins it."""
        if len(buf) == 1:
            out.append(buf)
        elif not freq.get(buf):
            self._hmm_cut(buf, out)
        else:
            out.extend(buf)

    def _cut_dag_no_hmm(self, sentence: str, out: list[str]) -> None:
        """jieba.Tokenizer.__cut_DAG_NO_HMM."""
        route = self.prefix_dict.get_dag_and_calc(sentence)
        x, n, buf = 0, len(sentence), ""
        while x < n:
            y = route[x] + 1
            word = sentence[x:y]
            if y - x == 1 and _RE_ENG.match(word):
                buf += word
            else:
                if buf:
                    out.append(buf)
                    buf = ""
                out.append(word)
            x = y
        if buf:
            out.append(buf)

    # -- jieba.finalseg.cut ----------------------------------------------------------------------

    def _hmm_cut(self, sentence: str, out: list[str]) -> None:
        force_split = self.finalseg.Force_Split_Words
        for blk in _RE_HMM_HAN.split(sentence):
            if _RE_HMM_HAN.match(blk):
                for word in self._viterbi_words(blk):
                    if word not in force_split:
                        out.append(word)
                    else:
                        out.extend(word)
            else:
                out.extend(x for x in _RE_HMM_SKIP.split(blk) if x)

    def _viterbi_words(self, sentence: str) -> list[str]:
        """jieba.finalseg.__cut: words from the BMES states of the best path."""
        fs = self.finalseg
        if self.hmm_known.issuperset(sentence):
            _, states = self.rust_viterbi(sentence, "BMES", fs.start_P, fs.trans_P, fs.emit_P)
        else:
            _, states = fs.viterbi(sentence, "BMES", fs.start_P, fs.trans_P, fs.emit_P)
        words, begin, nexti = [], 0, 0
        for i, char in enumerate(sentence):
            state = states[i]
            if state == "B":
                begin = i
            elif state == "E":
                words.append(sentence[begin:i + 1])
                nexti = i + 1
            elif state == "S":
                words.append(char)
                nexti = i + 1
        if nexti < len(sentence):
            words.append(sentence[nexti:])
        return words
