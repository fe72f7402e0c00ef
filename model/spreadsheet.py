"""Spreadsheet cells that stay data: the OWASP rule against formula injection.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is a formula to Excel and LibreOffice. Every text cell that this
project writes to CSV goes through :func:`guard_formula`, which prefixes such
a cell with ``'``. A cell that already starts with ``'`` is prefixed too, so
:func:`unguard_formula` can always undo the guard exactly when the file is
read back. Numbers are not text and are never touched. (XLSX cells are typed
as strings instead; see the batch writers.)
"""
from __future__ import annotations

__all__ = ["FORMULA_PREFIXES", "guard_formula", "unguard_formula"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_GUARD = "'"


def guard_formula(value):
    """``value`` with a ``'`` in front if it is a string a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES + (_GUARD,)):
        return _GUARD + value
    return value


def unguard_formula(value):
    """The inverse of :func:`guard_formula` for a cell read back from CSV."""
    if isinstance(value, str) and value.startswith(_GUARD) and value[1:].startswith(FORMULA_PREFIXES + (_GUARD,)):
        return value[1:]
    return value
