"""Where the bundled data files live (``data/`` at the repository root).

Functions, not module constants, so nothing is resolved at import time.
"""
from __future__ import annotations

from pathlib import Path


def data_dir() -> Path:
    """The repository's ``data/`` directory."""
    return Path(__file__).resolve().parent.parent / "data"


def default_user_dict() -> Path:
    return data_dir() / "dict" / "user_dict.txt"


def default_stop_words() -> Path:
    return data_dir() / "dict" / "stopwords.txt"


def default_themes() -> Path:
    return data_dir() / "themes.yaml"
