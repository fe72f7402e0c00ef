"""Imports point one way: training -> model <- service; model is the pure library."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "model": {"dangjian.service", "dangjian.training", "dangjian.cli", "flask", "werkzeug", "tqdm", "openpyxl", "gunicorn"},
    "training": {"dangjian.service", "dangjian.cli", "flask"},
    "service": {"dangjian.training", "dangjian.cli"},
}
# the checkout's folders must never be imported by their bare names: the installed package is dangjian
BARE = {"model", "service", "training", "cli"}


def _root(name: str) -> str:
    parts = name.split(".")
    return ".".join(parts[:2]) if parts[0] == "dangjian" else parts[0]


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(_root(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(_root(node.module))
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_import_direction(package):
    for path in sorted((REPO / package).rglob("*.py")):
        bad = imported_roots(path) & (FORBIDDEN[package] | BARE)
        assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)}"


def test_importing_the_packages_does_no_work():
    code = ("import logging, sys; logging.basicConfig(level=logging.DEBUG);"
            "import dangjian.model.text, dangjian.model.theme_model, dangjian.model.bundle, dangjian.model.classifier,"
            " dangjian.model.topics, dangjian.model.reading, dangjian.training.train, dangjian.training.evaluate,"
            " dangjian.training.annotations, dangjian.service.app, dangjian.service.api, dangjian.service.batch, dangjian.cli,"
            " dangjian.model.review_store, dangjian.model.review_queue, dangjian.service.review, dangjian.service.review_api,"
            " dangjian.training.retrain;"
            "import jieba; assert not jieba.dt.initialized, 'jieba was initialised at import'")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Building prefix dict" not in result.stderr and "Loading model" not in result.stderr
