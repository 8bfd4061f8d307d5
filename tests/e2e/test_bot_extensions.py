"""The cogs are discord.py extensions: each brings its commands, its listener and its buttons
when it is loaded, and takes them away when it is unloaded."""

from __future__ import annotations

from typing import Any

import pytest

from bot.wiring import EXTENSIONS

from .double import DefaultWorld, DiscordDouble
from .support import POLAND, answered_after, buttons

pytestmark = pytest.mark.asyncio


async def test_every_cog_is_loaded_as_an_extension(start_byline: Any) -> None:
    async with start_byline() as bot:
        loaded = set(bot.extensions)
        cogs = set(bot.cogs)
        commands = {command.name for command in bot.tree.get_commands()}
    assert loaded == set(EXTENSIONS)
    assert cogs == {"Ask", "Sources", "Admin", "Manage", "Help"}
    assert commands == {"ask", "sources", "reindex", "add", "remove", "stats", "help"}


async def test_unloading_the_ask_extension_takes_its_command_and_listener_and_loading_brings_them_back(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any
) -> None:
    async with start_byline() as bot:
        await bot.unload_extension("bot.cogs.ask")
        gone = (bot.get_cog("Ask"), bot.tree.get_command("ask"), bot.extra_events.get("on_message"))
        await bot.load_extension("bot.cogs.ask")
        await answered_after(discord_double, world, dm=True)  # the listener is back
        inter = await discord_double.slash_command("ask", {"question": POLAND}, user=world.member_id)
        reply = await discord_double.wait_for_response(inter)
        click = await discord_double.button_click(buttons(reply)["More results"], reply, user=world.member_id)
        page_two = await discord_double.wait_for_response(click)  # its buttons are known again
    assert gone == (None, None, [])
    assert page_two.ephemeral and page_two.embeds
