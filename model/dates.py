"""Dates as people and scrapers write them, normalised to ISO 8601 (``YYYY-MM-DD``).

Inputs seen in the corpora and in users' files: ``2020年05月03日``, ``2020年5月3日``,
``二〇二〇年五月三日``, ``2020-5-3``, ``2020/05/03 12:00``, ``2020.05.03``, ``20200503``
(the CCTV news items' ``date`` field), ``2020-05-03T12:00:00+08:00``, and
``datetime.date`` / ``datetime.datetime`` objects. A date inside a longer line
(``发布时间：2020-05-03 来源：新华网``) is found too, except the bare eight-digit
form, which counts only as the whole value (``20200503`` inside a longer number
is more likely an id than a date).

A value that names only a year and a month (``2020年5月``, ``2020-05``) or only a
year (``2017``, a report's ``year`` field) keeps the precision it has:
``2020-05`` and ``2017`` (ISO 8601's reduced forms); nothing is made up.
Years outside 1900–2099 and impossible days (``2021-02-29``) are not dates.
"""
from __future__ import annotations

import datetime as _dt
import re

__all__ = ["normalise_date", "date_parts"]

_CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_YEAR = r"(?<!\d)((?:19|20)\d{2})"
# year, month, day with the usual separators; the day may be missing (year-month).
_YMD = re.compile(_YEAR + r"\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月|[-/.])\s*(\d{1,2})(?!\d)\s*(?:日|号)?")
_YM = re.compile(_YEAR + r"\s*(?:年\s*(\d{1,2})\s*月|[-/.](\d{1,2})(?![\d/.-]))")
_COMPACT = re.compile(r"\s*((?:19|20)\d{2})(\d{2})(\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\s*")
_YEAR_ONLY = re.compile(r"\s*((?:19|20)\d{2})\s*年?\s*")
# 十, 二十, 二十一, 十二: Chinese numerals for a month or day.
_CN_NUMBER = re.compile(r"([一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])")
_CN_DATE = re.compile(r"([〇○零一二三四五六七八九]{4})年" + _CN_NUMBER.pattern + r"月(?:" + _CN_NUMBER.pattern + r"[日号])?")


def _cn_number(text: str) -> int:
    if "十" not in text:
        return int(_CN_DIGITS[text])
    tens, _, ones = text.partition("十")
    return (int(_CN_DIGITS[tens]) if tens else 1) * 10 + (int(_CN_DIGITS[ones]) if ones else 0)


def _valid(year: int, month: int | None, day: int | None) -> bool:
    if not 1900 <= year <= 2099:
        return False
    if month is None:
        return True
    if not 1 <= month <= 12:
        return False
    if day is None:
        return True
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True


def date_parts(value: object) -> tuple[int, int | None, int | None] | None:
    """``(year, month, day)`` of the first date in ``value`` (month and day
    ``None`` when the value does not give them), or ``None`` when it holds no
    date. See the module docstring for the forms understood."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return (value.year, value.month, value.day) if _valid(value.year, value.month, value.day) else None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    m = _COMPACT.fullmatch(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        return (y, mo, d) if _valid(y, mo, d) else None
    for m in _YMD.finditer(text):
        y, mo, d = (int(g) for g in m.groups())
        if _valid(y, mo, d):
            return y, mo, d
    m = _CN_DATE.search(text)
    if m:
        y = int("".join(_CN_DIGITS[c] for c in m.group(1)))
        mo = _cn_number(m.group(2))
        d = _cn_number(m.group(3)) if m.group(3) else None
        if _valid(y, mo, d):
            return y, mo, d
    for m in _YM.finditer(text):
        y, mo = int(m.group(1)), int(m.group(2) or m.group(3))
        if _valid(y, mo, None):
            return y, mo, None
    m = _YEAR_ONLY.fullmatch(text)
    if m and _valid(int(m.group(1)), None, None):
        return int(m.group(1)), None, None
    return None


def normalise_date(value: object) -> str | None:
    """The date in ``value`` as ``YYYY-MM-DD`` (``YYYY-MM`` or ``YYYY`` when the
    value gives no day or month), or ``None`` when it holds no date.

    >>> normalise_date("2020年05月03日"), normalise_date("20200503"), normalise_date("2020/5/3 12:00")
    ('2020-05-03', '2020-05-03', '2020-05-03')
    """
    parts = date_parts(value)
    if parts is None:
        return None
    year, month, day = parts
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"
