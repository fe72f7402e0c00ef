"""Paragraph units from cleaned text.

Input is :attr:`model.text.CleanArticle.text` (one paragraph or heading per
line). Output is a list of :class:`Unit`: the paragraphs, with the heading they
sit under as context, long paragraphs split at sentence ends, and character
offsets into that cleaned text (``text[start:end] == unit.text``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .text import TERMINAL_PUNCT

__all__ = ["Unit", "segment_paragraphs", "is_heading", "split_long", "MAX_UNIT_CHARS"]

MAX_UNIT_CHARS = 400
MAX_HEADING_CHARS = 40

_HEADING_PREFIX = re.compile(
    r"^([一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[部分章节条篇]"
    r"|[A-H](?=[\u4e00-\u9fff“])|\d{1,2}[、.．](?=[\u4e00-\u9fff“]))"
)
_SENTENCE_END = re.compile(r"[。！？；!?;…]+[”’」』）)]*")


@dataclass
class Unit:
    """One paragraph unit of an article."""

    index: int
    text: str
    start: int
    end: int
    heading: str | None = None


def is_heading(line: str, next_line: str | None) -> bool:
    """A short line that labels the text below it rather than saying something.

    It has no sentence-final punctuation, at most ``MAX_HEADING_CHARS``
    characters, and either a section number (``一、`` ``（二）`` ``A`` ``3、``)
    or a longer paragraph right after it.
    """
    if not line or len(line) > MAX_HEADING_CHARS or next_line is None:
        return False
    if any(ch in line for ch in TERMINAL_PUNCT) or line.endswith(("：", ":")):
        return False
    if _HEADING_PREFIX.match(line):
        return True
    return len(next_line) > max(len(line) * 2, 30)


def split_long(text: str, max_chars: int = MAX_UNIT_CHARS) -> list[tuple[int, int]]:
    """Split ``text`` at sentence ends into spans of similar size ≤ ~max_chars.

    Returns ``(start, end)`` offsets into ``text``. A single sentence longer
    than ``max_chars`` stays whole: cutting inside a sentence loses meaning.
    """
    if len(text) <= max_chars:
        return [(0, len(text))]
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    if not ends or ends[-1] != len(text):
        ends.append(len(text))
    n_parts = math.ceil(len(text) / max_chars)
    target = len(text) / n_parts
    spans: list[tuple[int, int]] = []
    start = 0
    for i, end in enumerate(ends):
        size = end - start
        next_end = ends[i + 1] if i + 1 < len(ends) else None
        if next_end is None:
            spans.append((start, end))
            break
        # Close the span when adding the next sentence would overshoot more
        # than stopping here undershoots, or would break the hard limit.
        if size >= target or (next_end - start > max_chars and size >= target / 2):
            spans.append((start, end))
            start = end
    # Merge a tiny tail into the previous span.
    if len(spans) > 1 and spans[-1][1] - spans[-1][0] < target / 4:
        spans[-2:] = [(spans[-2][0], spans[-1][1])]
    return spans


def segment_paragraphs(text: str, max_chars: int = MAX_UNIT_CHARS) -> list[Unit]:
    """Units of a cleaned article; see the module docstring."""
    lines: list[tuple[int, str]] = []
    offset = 0
    for line in text.split("\n"):
        lines.append((offset, line))
        offset += len(line) + 1
    units: list[Unit] = []
    heading: str | None = None
    for i, (start, line) in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        lead = len(line) - len(line.lstrip())
        start += lead
        next_line = next((l.strip() for _, l in lines[i + 1:] if l.strip()), None)
        if is_heading(stripped, next_line):
            heading = stripped
            continue
        for a, b in split_long(stripped, max_chars):
            piece = stripped[a:b]
            left = len(piece) - len(piece.lstrip())
            piece = piece.strip()
            if not piece:
                continue
            s = start + a + left
            units.append(Unit(index=len(units), text=piece, start=s, end=s + len(piece), heading=heading))
    return units
