"""The journal of ``dangjian label``: an append-only file of rows, one
physical line per row, the rows of an article contiguous, each row carrying
its article's content hash and number of rows. A re-run reads it to learn
which articles are complete and cuts off a torn or partly written last
article, so rows are never duplicated or lost, whatever killed the last run.

How a row becomes a line (JSON Lines, CSV) is the codec's business
(:mod:`dangjian.service.label_writers`).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Iterator

logger = logging.getLogger(__name__)


class RowJournal:
    def __init__(self, path: Path, codec):
        self.path = Path(path)
        self.codec = codec  # render(rows) -> str, article_key(line) -> (hash, n_rows), iter_rows(fh), header
        self.done: set[str] = set()
        self.fh = None

    def recover(self) -> None:
        """Read what a previous run wrote: the complete articles go to
        :attr:`done`; a torn last line, a damaged line and everything after
        it, and a partly written last article are cut off, to be redone."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        data = self.path.read_bytes()
        good_end = data.rfind(b"\n") + 1  # bytes up to the last complete line
        offset = 0
        current, seen_rows, expected, article_start = None, 0, 0, 0
        header = self.codec.header is not None
        for raw in data[:good_end].splitlines(keepends=True):
            line = raw.decode("utf-8-sig" if offset == 0 else "utf-8").rstrip("\n")
            if header:
                header = False
                offset += len(raw)
                article_start = offset
                continue
            try:
                key, n_units = self.codec.article_key(line)
            except (ValueError, KeyError, IndexError, TypeError, StopIteration):
                good_end = offset  # a damaged line: keep only what precedes it
                break
            if key != current:
                if current is not None and seen_rows == expected:
                    self.done.add(current)
                current, seen_rows, expected, article_start = key, 0, n_units, offset
            seen_rows += 1
            offset += len(raw)
        cut = good_end
        if current is not None:
            if seen_rows == expected:
                self.done.add(current)
            else:
                cut = min(cut, article_start)
        if cut < len(data):
            logger.warning("%s: dropping %d bytes of an unfinished article; it will be labeled again",
                           self.path, len(data) - cut)
            with open(self.path, "r+b") as fh:
                fh.truncate(cut)

    def open(self) -> "RowJournal":
        new = not self.path.exists() or self.path.stat().st_size == 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "a", encoding="utf-8", newline="")
        if new and self.codec.header is not None:
            self.fh.write("\ufeff" + self.codec.header + "\n")
            self.fh.flush()
        return self

    def write_article(self, key: str, lines: str) -> None:
        """Append one article's rows and hand them to the OS at once, so a
        crash or Ctrl-C of this process loses nothing already written."""
        self.fh.write(lines)
        self.fh.flush()
        self.done.add(key)

    def close(self) -> None:
        if self.fh is None:
            return
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        self.fh = None

    def iter_rows(self) -> Iterator[dict]:
        """The rows back, as dicts."""
        if not self.path.exists():
            return
        with open(self.path, encoding="utf-8-sig", newline="") as fh:
            yield from self.codec.iter_rows(fh)
