"""No import cycles inside ``bot/``, counting imports made only for type checking: bot/app.py
builds the bot from the cogs, and the cogs know the bot only as the type in bot/protocols.py."""

from ..import_graph import cycle, graph

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
