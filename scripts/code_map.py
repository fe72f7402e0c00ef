"""Print the shape of the code: files and lines per package, the longest
functions, and the import circles between modules (module-level imports).

    .venv/bin/python scripts/code_map.py
"""
from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = {"dangjian": REPO / "src" / "dangjian", "dangjian.model": REPO / "model",
            "dangjian.service": REPO / "service", "dangjian.training": REPO / "training"}


def modules() -> dict[str, Path]:
    found = {}
    for package, folder in PACKAGES.items():
        for path in sorted(folder.glob("*.py")):
            name = package if path.stem == "__init__" else f"{package}.{path.stem}"
            found[name] = path
    return found


def module_imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Modules of this project imported at module level (not inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.stem == "__init__" else name.rsplit(".", 1)[0]
    out = set()
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        out.update(t for t in targets if t in known and t != name)
    return out


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, result, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return result


def functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node.end_lineno - node.lineno + 1, node.lineno


def main() -> None:
    mods = modules()
    print("package             files  lines")
    for package, folder in PACKAGES.items():
        files = sorted(folder.glob("*.py"))
        lines = sum(len(f.read_text(encoding="utf-8").splitlines()) for f in files)
        print(f"{package:<20}{len(files):>5}{lines:>7}")
    longest = sorted(((n, f"{path.relative_to(REPO)}:{line} {name}") for path in mods.values()
                      for name, n, line in functions(path)), reverse=True)[:5]
    print("\nlongest functions (lines):")
    for n, where in longest:
        print(f"  {n:>4}  {where}")
    graph = {name: module_imports(name, path, set(mods)) for name, path in mods.items()}
    found = circles(graph)
    print(f"\nimport circles (module level): {len(found)}")
    for c in found:
        print("  " + " <-> ".join(c))


if __name__ == "__main__":
    main()
