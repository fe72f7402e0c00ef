"""Shared fixtures: the bundled seed articles, the real text pipeline."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
SEEDS = sorted((DATA / "seeds").glob("*.txt"))


@pytest.fixture(scope="session", autouse=True)
def _quiet_jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)


@pytest.fixture(scope="session")
def pipeline():
    from model.preprocess import TextPipeline

    return TextPipeline.default()


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in SEEDS}
