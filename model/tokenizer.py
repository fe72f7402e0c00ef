"""Word tokenization with jieba, a domain user dictionary and stopwords.

A ``jieba.Tokenizer`` holds an ``RLock`` and a large ``FREQ`` dict: it cannot be
pickled and should not be. :class:`JiebaTokenizer` pickles only its settings
(the user words and stopwords themselves, so a bundle carries them) and
rebuilds the jieba tokenizer lazily after loading.

Building it is the larger part of start-up: jieba reads its own cache of the
349,046-word dictionary with ``marshal`` (about 1 s here), then adds the user
words. :func:`build_jieba` keeps the finished dictionary (jieba's words plus
the user words, exactly as ``add_word`` left them) in a cache file of its own,
keyed by jieba's version, its dictionary file and the user words, and loads
that (about 0.2 s). The cache lives in ``$DANGJIAN_CACHE_DIR``, else
``$XDG_CACHE_HOME/dangjian``, else ``~/.cache/dangjian``; without a writable
one, jieba is built as before. It is a pickle in the user's own cache
directory: whoever can write there can already change what the user runs.

Segmentation itself runs on jieba-next's Rust route and HMM where installed
(``pip install 'dangjian-topics[fast]'``), with jieba 0.42.1's tokens (see
:mod:`dangjian.model.fast_jieba`), else on plain jieba.
``DANGJIAN_SEGMENTER=jieba`` forces plain jieba.
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
import tempfile
import threading
from pathlib import Path
from typing import Iterable

logger = logging.getLogger(__name__)

__all__ = ["JiebaTokenizer", "read_word_list", "read_user_dict", "build_jieba", "split_quoted", "cache_dir",
           "SEGMENTER_VARIABLE"]

SEGMENTER_VARIABLE = "DANGJIAN_SEGMENTER"
CACHE_VARIABLE = "DANGJIAN_CACHE_DIR"
_CACHE_FORMAT = 1

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


def split_quoted(text: str) -> list[tuple[str, bool]]:
    """``text`` as (piece, is_slogan) in order: each quoted slogan's inner text
    (kept whole), and the stretches between them (for jieba)."""
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for m in _QUOTED.finditer(text):
        if m.start() > pos:
            pieces.append((text[pos:m.start()], False))
        pieces.append((m.group(1), True))
        pos = m.end()
    if pos < len(text):
        pieces.append((text[pos:], False))
    return pieces


def cache_dir() -> Path:
    """Where the built jieba dictionary is cached (see the module docstring)."""
    explicit = os.environ.get(CACHE_VARIABLE)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dangjian"


def _dictionary_key(jieba_module, user_words: tuple) -> str:
    """What the built dictionary depends on: jieba's version and dictionary
    file, and the user words in their order (``add_word`` is order-dependent)."""
    h = hashlib.sha256()
    h.update(f"{_CACHE_FORMAT}\n{getattr(jieba_module, '__version__', '')}\n".encode())
    with jieba_module.get_dict_file() as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    h.update(repr(user_words).encode("utf-8"))
    return h.hexdigest()


def _read_cached(path: Path, key: str):
    try:
        with open(path, "rb") as fh:
            state = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001 - a damaged cache is rebuilt, whatever is wrong with it
        logger.warning("%s: unreadable jieba cache (%s); rebuilding it", path, exc)
        return None
    if not isinstance(state, dict) or state.get("key") != key:
        return None
    return state


def _write_cached(path: Path, state: dict) -> None:
    """Write atomically (another process may be reading or writing it too)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        logger.info("cannot cache the jieba dictionary in %s (%s); it is rebuilt each start", path.parent, exc)


def build_jieba(user_words: Iterable[tuple] = ()):
    """An initialised ``jieba.Tokenizer`` with ``user_words`` added, from the
    cache when it holds this exact dictionary, else built and cached. The same
    ``FREQ``, ``total`` and forced splits either way."""
    import jieba
    from jieba import finalseg

    user_words = tuple(tuple(entry) for entry in user_words)
    tok = jieba.Tokenizer()
    try:
        key = _dictionary_key(jieba, user_words)
    except OSError as exc:
        logger.info("cannot read jieba's dictionary file for the cache key (%s); building without cache", exc)
        key = None
    path = cache_dir() / f"jieba-{key[:24]}.pickle" if key else None
    state = _read_cached(path, key) if path else None
    if state is not None:
        tok.FREQ, tok.total = state["freq"], state["total"]
        tok.user_word_tag_tab = dict(state["tags"])
        tok.initialized = True
        for word in state["force_split"]:
            finalseg.add_force_split(word)
        return tok
    tok.initialize()
    force_split = []
    for word, freq, tag in user_words:
        tok.add_word(word, freq, tag)
        if freq is not None and int(freq) == 0:
            force_split.append(word)
    if path:
        _write_cached(path, {"key": key, "freq": tok.FREQ, "total": tok.total,
                             "tags": dict(tok.user_word_tag_tab), "force_split": force_split})
    return tok


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
        self._cut = None
        self._segmenter: str | None = None
        self._lock = threading.Lock()
        self._content_cache: dict[str, str] = {}

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
        """The underlying ``jieba.Tokenizer`` (jieba's dictionary plus the user
        words), built on first use; see :func:`build_jieba`."""
        self._build()
        return self._jieba

    @property
    def segmenter(self) -> str:
        """Which implementation segments: ``jieba-next <version>`` (Rust, with
        jieba 0.42.1's tokens; see :mod:`dangjian.model.fast_jieba`) or ``jieba``."""
        self._build()
        return self._segmenter

    def plain_jieba_tokenizer(self):
        """A ``jieba.Tokenizer`` with the user words (what :meth:`segment` must equal)."""
        return build_jieba(self.user_words)

    def _build(self) -> None:
        if self._cut is not None:
            return
        with self._lock:
            if self._cut is not None:
                return
            tok = build_jieba(self.user_words)
            fast = None
            if os.environ.get(SEGMENTER_VARIABLE, "").strip().lower() != "jieba":
                from .fast_jieba import FastJiebaCut, fast_backend_version, load_rust_functions

                rust = load_rust_functions()
                if rust is not None:
                    fast = FastJiebaCut(tok, rust)
                    self._segmenter = f"jieba-next {fast_backend_version()}"
            if fast is not None:
                cut = fast.cut
            else:
                self._segmenter = "jieba"

                def cut(text, HMM=True, _cut=tok.cut):
                    return list(_cut(text, HMM=HMM))
            self._jieba = tok
            self._cut = cut
            logger.debug("segmenter %s built with %d user words", self._segmenter, len(self.user_words))

    def segment(self, text: str) -> list[str]:
        """Raw jieba segmentation (every piece, punctuation included)."""
        self._build()
        return self._cut(text, self.hmm)

    def keep(self, token: str) -> bool:
        """Whether a jieba token is a content token."""
        return bool(self.content(token))

    def content(self, token: str) -> str:
        """The token as a content token (stripped), or "" when it is dropped.
        Memoised: tokens repeat."""
        found = self._content_cache.get(token)
        if found is None:
            found = token.strip() if self._keep(token) else ""
            if len(self._content_cache) > 200_000:
                self._content_cache.clear()
            self._content_cache[token] = found
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
        self._build()
        cut, hmm = self._cut, self.hmm
        tokens: list[str] = []
        for piece, quoted in split_quoted(text):
            if quoted:
                tokens.append(piece)
            else:
                tokens.extend(cut(piece, hmm))
        cache, content = self._content_cache, self.content
        out = []
        for t in tokens:
            c = cache.get(t)
            if c is None:
                c = content(t)
            if c:
                out.append(c)
        return out
