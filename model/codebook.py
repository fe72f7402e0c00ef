"""The theme codebook (the packaged ``themes.yaml``): loading and validation."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import CodebookError

__all__ = ["Theme", "Codebook", "load_codebook", "parse_codebook"]

_THEME_KEYS = {"id", "name", "name_en", "description", "keywords"}
_TOP_KEYS = {"version", "themes"}
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
MIN_KEYWORDS = 1


@dataclass(frozen=True)
class Theme:
    id: str
    name: str
    name_en: str
    description: str
    keywords: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "name_en": self.name_en,
                "description": self.description, "keywords": list(self.keywords)}


@dataclass(frozen=True)
class Codebook:
    themes: tuple[Theme, ...]
    version: int = 1

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.themes]

    def __getitem__(self, theme_id: str) -> Theme:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)

    def __len__(self) -> int:
        return len(self.themes)

    def colours(self) -> dict[str, str]:
        """Theme id → its ``#RRGGBB`` colour (:mod:`.palette`), in codebook order."""
        from .palette import theme_colours

        return theme_colours(self.ids)

    def keyword_theme(self) -> dict[str, str]:
        """keyword → theme id."""
        return {kw: t.id for t in self.themes for kw in t.keywords}

    def to_dict(self) -> dict:
        return {"version": self.version, "themes": [t.to_dict() for t in self.themes]}


def _where(index: int, entry: object) -> str:
    if isinstance(entry, dict) and isinstance(entry.get("id"), str):
        return f"theme {index + 1} ({entry['id']!r})"
    return f"theme {index + 1}"


def parse_codebook(data: object, source: str = "<codebook>") -> Codebook:
    """Validate a parsed YAML document and build a :class:`Codebook`."""
    if not isinstance(data, dict):
        raise CodebookError(f"{source}: expected a mapping with 'themes', got {type(data).__name__}")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise CodebookError(f"{source}: unknown top-level key(s) {sorted(unknown)}; expected {sorted(_TOP_KEYS)}")
    entries = data.get("themes")
    if not isinstance(entries, list) or not entries:
        raise CodebookError(f"{source}: 'themes' must be a non-empty list")
    version = data.get("version", 1)
    if not isinstance(version, int):
        raise CodebookError(f"{source}: 'version' must be an integer, got {version!r}")
    themes: list[Theme] = []
    seen_ids: set[str] = set()
    keyword_owner: dict[str, str] = {}
    for index, entry in enumerate(entries):
        where = f"{source}: {_where(index, entry)}"
        if not isinstance(entry, dict):
            raise CodebookError(f"{where}: expected a mapping, got {type(entry).__name__}")
        unknown = set(entry) - _THEME_KEYS
        if unknown:
            raise CodebookError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_THEME_KEYS)}")
        missing = _THEME_KEYS - set(entry)
        if missing:
            raise CodebookError(f"{where}: missing key(s) {sorted(missing)}")
        theme_id = entry["id"]
        if not isinstance(theme_id, str) or not _ID.match(theme_id):
            raise CodebookError(f"{where}: id must be lower_snake_case, got {theme_id!r}")
        if theme_id in seen_ids:
            raise CodebookError(f"{where}: duplicate id {theme_id!r}")
        seen_ids.add(theme_id)
        for key in ("name", "name_en", "description"):
            if not isinstance(entry[key], str) or not entry[key].strip():
                raise CodebookError(f"{where}: {key!r} must be a non-empty string")
        keywords = entry["keywords"]
        if not isinstance(keywords, list) or len(keywords) < MIN_KEYWORDS:
            raise CodebookError(f"{where}: 'keywords' must be a non-empty list")
        cleaned: list[str] = []
        for kw in keywords:
            if not isinstance(kw, str) or not kw.strip():
                raise CodebookError(f"{where}: keyword {kw!r} must be a non-empty string")
            kw = kw.strip()
            if kw in cleaned:
                raise CodebookError(f"{where}: keyword {kw!r} is listed twice")
            if kw in keyword_owner:
                raise CodebookError(f"{where}: keyword {kw!r} is already seeded for theme {keyword_owner[kw]!r}")
            keyword_owner[kw] = theme_id
            cleaned.append(kw)
        themes.append(Theme(theme_id, entry["name"].strip(), entry["name_en"].strip(),
                            " ".join(entry["description"].split()), tuple(cleaned)))
    return Codebook(tuple(themes), version)


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Load and validate the packaged codebook ``themes.yaml`` (or ``path``)."""
    import yaml

    from .resources import default_themes

    path = Path(path) if path is not None else default_themes()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CodebookError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CodebookError(f"{path}: invalid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    return parse_codebook(data, str(path))
