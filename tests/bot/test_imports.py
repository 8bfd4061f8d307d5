"""No import cycles inside ``bot/``, counting imports made only for type checking: bot/app.py
builds the bot from the cogs, and the cogs know the bot only as the type in bot/protocols.py."""

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"


def module_name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, modules: set[str]) -> set[str]:
    """The ``bot`` modules ``path`` imports anywhere (``if TYPE_CHECKING:`` blocks and imports
    inside functions included); ``from . import render`` counts as importing ``bot.render``."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
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
    return {name for name in found if name in modules}


def graph() -> dict[str, set[str]]:
    paths = {module_name(p): p for p in BOT.rglob("*.py")}
    return {name: imports(path, set(paths)) for name, path in paths.items()}


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it, or None."""
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        for target in sorted(edges[name]):
            if target in ("bot", "bot.cogs"):  # the packages' __init__ files import nothing
                continue
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


def test_bot_modules_import_no_cycle() -> None:
    found = cycle(graph())
    assert found is None, " -> ".join(found or [])


def test_the_cogs_never_import_the_app() -> None:
    edges = graph()
    for name, targets in edges.items():
        if name.startswith("bot.cogs."):
            assert "bot.app" not in targets, name


def test_a_type_only_cycle_is_found() -> None:
    edges = {"bot.app": {"bot.cogs.ask"}, "bot.cogs.ask": {"bot.app"}}
    assert cycle(edges) == ["bot.app", "bot.cogs.ask", "bot.app"]
