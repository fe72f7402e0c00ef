"""One colour per theme: the single definition the web page, the HTML report
and the XLSX workbook all read, so a theme looks the same everywhere.

The colours are Paul Tol's "muted" qualitative scheme (https://personal.sron.nl/~pault/),
nine colours chosen to stay distinct for people with red-green or blue-yellow
colour blindness, with its pale grey for what belongs to no theme (residual
LDA topics). Each codebook theme id has its colour here; a theme id this
module does not know (a user's own codebook) gets the first colour of the
scheme no known theme of that codebook uses, in codebook order, then grey.

Text on a colour: :func:`ink` picks black or white by WCAG contrast, since
white on Tol's sand or light cyan would be unreadable.
"""
from __future__ import annotations

from typing import Iterable

__all__ = ["TOL_MUTED", "THEME_COLOURS", "RESIDUAL_COLOUR", "theme_colours", "ink", "tint"]

TOL_MUTED = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933",
             "#DDCC77", "#CC6677", "#882255", "#AA4499")
"""Paul Tol's muted scheme: indigo, cyan, teal, green, olive, sand, rose, wine, purple."""

RESIDUAL_COLOUR = "#DDDDDD"
"""Tol's pale grey: residual topics, themes beyond the scheme."""

THEME_COLOURS: dict[str, str] = {
    "cadre_training": "#332288",      # indigo
    "leadership_team": "#882255",     # wine
    "party_members": "#CC6677",       # rose
    "organization": "#88CCEE",        # cyan
    "collective_economy": "#117733",  # green
    "governance": "#44AA99",          # teal
    "assessment": "#DDCC77",          # sand
    "responsibility": "#999933",      # olive
    "brand_building": "#AA4499",      # purple
}


def theme_colours(theme_ids: Iterable[str]) -> dict[str, str]:
    """Theme id → ``#RRGGBB`` for the given ids (a codebook's ``ids``), in their order."""
    ids = list(theme_ids)
    used = {THEME_COLOURS[t] for t in ids if t in THEME_COLOURS}
    spare = [c for c in TOL_MUTED if c not in used]
    out = {}
    for theme_id in ids:
        if theme_id in THEME_COLOURS:
            out[theme_id] = THEME_COLOURS[theme_id]
        else:
            out[theme_id] = spare.pop(0) if spare else RESIDUAL_COLOUR
    return out


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"expected a colour as #RRGGBB, got {colour!r}")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ink(colour: str) -> str:
    """``#000000`` or ``#FFFFFF``: whichever has the higher WCAG contrast on ``colour``."""
    lum = _luminance(colour)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#FFFFFF"


def tint(colour: str, strength: float = 0.3) -> str:
    """``colour`` mixed with white (``strength`` of the colour): a background
    light enough for black text, as for highlighted words in a paragraph."""
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"expected a strength in [0, 1], got {strength}")
    r, g, b = (round(255 - (255 - c) * strength) for c in _rgb(colour))
    return f"#{r:02X}{g:02X}{b:02X}"
