"""No import cycles inside ``index/``, counting imports made only for type checking: the answering
side reads the index, never the reverse."""

import ast
from pathlib import Path

INDEX = Path(__file__).resolve().parents[2] / "index"


def module_name(path: Path) -> str:
    parts = path.relative_to(INDEX.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """The ``index`` modules ``path`` imports anywhere (``if TYPE_CHECKING:`` blocks included)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "index" or name.startswith("index.")}


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in INDEX.rglob("*.py")}
    return {name: {t for t in imports(path) if t in modules} for name, path in modules.items()}


def test_index_modules_import_no_cycle() -> None:
    edges = graph()
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        assert name not in path, " -> ".join([*path, name])
        if name in done:
            return
        for target in edges[name]:
            if target != "index":  # the package's façade re-exports; its modules never use it
                visit(target, [*path, name])
        done.add(name)

    for name in edges:
        visit(name, [])


def test_the_segments_never_import_the_answering_side() -> None:
    edges = graph()
    for name, targets in edges.items():
        if name.startswith("index.segments"):
            assert not targets & {"index.answering", "index.names", "index.library"}, name
