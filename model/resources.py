"""The runtime resources that ship inside the package (``dangjian/model/assets``):
the codebook ``themes.yaml``, the jieba user dictionary and the stop words.

Read with :mod:`importlib.resources`, so an installed package finds them from
any working directory. Functions, not module constants: nothing is resolved
at import time.
"""
from __future__ import annotations

from contextlib import contextmanager
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Iterator

_PACKAGE = "dangjian.model.assets"


def resource(name: str) -> Traversable:
    """A packaged resource file by name."""
    return resources.files(_PACKAGE).joinpath(name)


@contextmanager
def resource_path(name: str) -> Iterator[Path]:
    """A real file path for a packaged resource (for libraries that want one),
    valid inside the ``with`` block."""
    with resources.as_file(resource(name)) as path:
        yield Path(path)


def default_themes() -> Traversable:
    return resource("themes.yaml")


def default_user_dict() -> Traversable:
    return resource("user_dict.txt")


def default_stop_words() -> Traversable:
    return resource("stopwords.txt")
