"""No import cycles inside ``bot/``, counting imports made only for type checking: bot/app.py
loads the cogs as extensions, and the cogs know the bot only as the type in bot/protocols.py.
And one door into ``index/``: bot/ imports the ``index`` package itself, never its modules."""

from pathlib import Path

import index

from ..import_graph import ROOT, cycle, graph, imported_names

PACKAGES = frozenset({"bot", "bot.cogs"})  # their __init__ files import nothing


def test_bot_modules_import_no_cycle() -> None:
    found = cycle(graph("bot"), PACKAGES)
    assert found is None, " -> ".join(found or [])


def test_the_cogs_never_import_the_app() -> None:
    for name, targets in graph("bot").items():
        if name.startswith("bot.cogs."):
            assert "bot.app" not in targets, name


def test_a_type_only_cycle_is_found() -> None:
    edges = {"bot.app": {"bot.cogs.ask"}, "bot.cogs.ask": {"bot.app"}}
    assert cycle(edges, PACKAGES) == ["bot.app", "bot.cogs.ask", "bot.app"]


def deep_index_imports(path: Path, source: str | None = None) -> set[str]:
    """The ``index.<module>`` imports of ``path`` (``from index import X`` names only ``index``)."""
    index_modules = {name for name in imported_names(path, source) if name.startswith("index.")}
    return {name for name in index_modules if name.removeprefix("index.") not in index.__all__}


def test_bot_imports_only_the_index_package_never_its_modules() -> None:
    deep = {
        str(path.relative_to(ROOT)): sorted(found)
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if (found := deep_index_imports(path))
    }
    assert deep == {}


def test_a_deep_index_import_is_found() -> None:
    source = "from index import Library\nfrom index.store import catalog\n"
    source += "def f():\n    import index.library\n"
    found = deep_index_imports(ROOT / "bot" / "cogs" / "deep.py", source)
    assert found == {"index.store", "index.store.catalog", "index.library"}


def test_every_name_the_index_package_exports_is_there() -> None:
    """Each name of ``index.__all__`` resolves (the lazily loaded ones name a real attribute)."""
    for name in index.__all__:
        assert getattr(index, name) is not None, name
