"""Word tokenization with jieba, a domain user dictionary and stopwords.

A ``jieba.Tokenizer`` holds an ``RLock`` and a large ``FREQ`` dict: it cannot be
pickled and should not be. :class:`JiebaTokenizer` pickles only its settings
(the user words and stopwords themselves, so a bundle carries them) and
rebuilds the jieba tokenizer lazily after loading.
"""
from __future__ import annotations

import logging
import re
import threading
from pathlib import Path
from typing import Iterable

logger = logging.getLogger(__name__)

__all__ = ["JiebaTokenizer", "read_word_list", "read_user_dict"]

# A quoted slogan or coined term: “一网三联”, “三治融合”, “双百帮带”.
_QUOTED = re.compile(r"[“\"「『]([\u4e00-\u9fff0-9A-Za-z+]{2,8})[”\"」』]")
_HAS_WORD_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_NUMBER_LIKE = re.compile(r"^[\d.,%％+\-－—~～/]+[万亿千百十余多个名户元%％]*$|^[\d一二三四五六七八九十百千万亿两几]+[个名户元年月日次项条家人亩万亿余多]?$")

# Single characters that carry meaning in this domain; all others are dropped.
KEEP_SINGLE = frozenset("村乡镇党户岗县市区企农")


def read_word_list(path: str | Path) -> list[str]:
    """Words from a text file: one per line, ``#`` comments and blanks ignored."""
    words = []
    source = path if hasattr(path, "read_text") else Path(path)  # a path, or a packaged resource
    for line in source.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.append(line)
    return words


def read_user_dict(path: str | Path) -> list[tuple[str, int | None, str | None]]:
    """Entries of a jieba user dictionary: ``word [freq] [tag]`` per line."""
    entries = []
    for line in read_word_list(path):
        parts = line.split()
        word = parts[0]
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[2] if len(parts) > 2 else None
        entries.append((word, freq, tag))
    return entries


class JiebaTokenizer:
    """Callable ``str -> list[str]`` for scikit-learn vectorizers and gensim.

    Parameters
    ----------
    user_words : entries ``(word, freq, tag)`` added to jieba's dictionary.
    stop_words : words dropped from the output.
    hmm : let jieba guess unknown words with its HMM.
    """

    def __init__(self, user_words: Iterable[tuple] = (), stop_words: Iterable[str] = (), hmm: bool = True):
        self.user_words = tuple(tuple(entry) for entry in user_words)
        self.stop_words = frozenset(stop_words)
        self.hmm = hmm
        self._jieba = None
        self._lock = threading.Lock()
        self._keep_cache: dict[str, bool] = {}

    @classmethod
    def from_files(cls, user_dict: str | Path | None, stop_words: str | Path | None, hmm: bool = True):
        return cls(
            user_words=read_user_dict(user_dict) if user_dict else (),
            stop_words=read_word_list(stop_words) if stop_words else (),
            hmm=hmm,
        )

    def __getstate__(self):
        return {"user_words": self.user_words, "stop_words": sorted(self.stop_words), "hmm": self.hmm}

    def __setstate__(self, state):
        self.__init__(**state)

    def __eq__(self, other):
        return isinstance(other, JiebaTokenizer) and self.__getstate__() == other.__getstate__()

    def __hash__(self):
        return hash((self.user_words, self.stop_words, self.hmm))

    def __repr__(self):
        return f"JiebaTokenizer(user_words=<{len(self.user_words)}>, stop_words=<{len(self.stop_words)}>, hmm={self.hmm})"

    @property
    def jieba_tokenizer(self):
        """The underlying ``jieba.Tokenizer``, built on first use."""
        if self._jieba is None:
            with self._lock:
                if self._jieba is None:
                    import jieba

                    tok = jieba.Tokenizer()
                    tok.initialize()
                    for word, freq, tag in self.user_words:
                        tok.add_word(word, freq, tag)
                    self._jieba = tok
                    logger.debug("jieba tokenizer built with %d user words", len(self.user_words))
        return self._jieba

    def segment(self, text: str) -> list[str]:
        """Raw jieba segmentation (every piece, punctuation included)."""
        return list(self.jieba_tokenizer.cut(text, HMM=self.hmm))

    def keep(self, token: str) -> bool:
        """Whether a jieba token is a content token (memoised: tokens repeat)."""
        found = self._keep_cache.get(token)
        if found is None:
            found = self._keep(token)
            if len(self._keep_cache) > 200_000:
                self._keep_cache.clear()
            self._keep_cache[token] = found
        return found

    def _keep(self, token: str) -> bool:
        token = token.strip()
        if not token or token in self.stop_words:
            return False
        if not _HAS_WORD_CHAR.search(token) or _NUMBER_LIKE.match(token):
            return False
        if len(token) == 1 and token not in KEEP_SINGLE:
            return False
        return True

    def __call__(self, text: str) -> list[str]:
        """Content tokens of ``text``: quoted slogans whole, jieba for the rest,
        then punctuation, numbers, stopwords and stray single characters dropped."""
        if not isinstance(text, str):
            raise TypeError(f"expected str, got {type(text).__name__}")
        tokens: list[str] = []
        pos = 0
        cut = self.jieba_tokenizer.cut
        for m in _QUOTED.finditer(text):
            if m.start() > pos:
                tokens.extend(cut(text[pos:m.start()], HMM=self.hmm))
            tokens.append(m.group(1))
            pos = m.end()
        if pos < len(text):
            tokens.extend(cut(text[pos:], HMM=self.hmm))
        return [t.strip() for t in tokens if self.keep(t)]
