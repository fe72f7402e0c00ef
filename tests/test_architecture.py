"""Imports point one way: training -> model <- service; model is the pure library."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "model": {"service", "training", "cli", "flask", "werkzeug", "tqdm", "openpyxl", "gunicorn"},
    "training": {"service", "cli", "flask"},
    "service": {"training", "cli"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_import_direction(package):
    for path in sorted((REPO / package).rglob("*.py")):
        bad = imported_roots(path) & FORBIDDEN[package]
        assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)}"


def test_importing_the_packages_does_no_work():
    code = ("import logging, sys; logging.basicConfig(level=logging.DEBUG);"
            "import model.text, model.pipeline, model.bundle, model.classifier, model.topics, model.reading,"
            " training.train, training.evaluate, service.app, service.api, service.batch, cli;"
            "import jieba; assert not jieba.dt.initialized, 'jieba was initialised at import'")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Building prefix dict" not in result.stderr and "Loading model" not in result.stderr
