"""The import graph of one of our packages, read from the source with ``ast`` (type-only imports
and imports inside functions included), and finding a cycle in it: the import-cycle tests of
``index/`` and ``bot/`` both use it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, modules: set[str]) -> set[str]:
    """The ``modules`` that ``path`` imports anywhere; ``from . import render`` counts as
    importing ``bot.render``."""
    return {name for name in imported_names(path) if name in modules}


def imported_names(path: Path, source: str | None = None) -> set[str]:
    """Every module ``path`` (or ``source``, as if it were there) imports anywhere, and every
    ``module.name`` it imports from one (``from index import Library`` gives ``index`` and
    ``index.Library``)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source if source is not None else path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def graph(package: str) -> dict[str, set[str]]:
    """Module -> the modules of ``package`` it imports."""
    paths = {module_name(p): p for p in (ROOT / package).rglob("*.py")}
    return {name: imports(path, set(paths)) for name, path in paths.items()}


def cycle(edges: dict[str, set[str]], skip: frozenset[str] = frozenset()) -> list[str] | None:
    """One import cycle, as the modules along it, or None. Edges into ``skip`` (package
    ``__init__`` files that only re-export) are not followed."""
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        for target in sorted(edges[name] - skip):
            found = visit(target, [*path, name])
            if found:
                return found
        done.add(name)
        return None

    for name in sorted(edges):
        found = visit(name, [])
        if found:
            return found
    return None
