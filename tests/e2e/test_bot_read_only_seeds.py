"""/add and /remove on a seeds folder Byline may not write to (the container mounts it read-only)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .double import DefaultWorld, DiscordDouble, Upload

pytestmark = pytest.mark.asyncio

HARBOUR = b"---\ntitle: Harbour budget doubles\n---\n\nThe harbour authority doubled its budget.\n"


@contextlib.contextmanager
def unwritable(*folders: Path) -> Iterator[None]:
    """``folders`` made unwritable for this process: immutable for root (whom modes do not stop),
    mode 0555 for anyone else."""
    root = os.geteuid() == 0
    for folder in folders:
        if root:
            subprocess.run(["chattr", "+i", str(folder)], check=True)
        else:
            folder.chmod(0o555)
    try:
        yield
    finally:
        for folder in folders:
            if root:
                subprocess.run(["chattr", "-i", str(folder)], check=True)
            else:
                folder.chmod(0o755)


async def run(double: DiscordDouble, name: str, options: dict, user: int) -> Any:
    inter = await double.slash_command(name, options, user=user)
    return await double.wait_for_response(inter)


async def test_add_and_remove_say_in_one_line_that_the_seeds_folder_is_read_only(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, byline_seeds: Path
) -> None:
    async with start_byline():
        added = await run(discord_double, "add", {"file": Upload("h.md", HARBOUR)}, world.admin_id)
        assert added.embeds[0]["title"] == "Added 1 article"
        with unwritable(byline_seeds, byline_seeds / "added"):
            refused = await run(
                discord_double, "add", {"title": "Tram fares", "text": "Fares rise."}, world.admin_id
            )
            kept = await run(
                discord_double, "remove", {"article": "added/harbour-budget-doubles.md"}, world.admin_id
            )
        for reply in (refused, kept):
            assert reply.ephemeral and "\n" not in reply.content
            assert f"The seeds folder {byline_seeds} is not writable by Byline" in reply.content
            assert "docs/deploy.md" in reply.content and "Something went wrong" not in reply.content
        assert (byline_seeds / "added" / "harbour-budget-doubles.md").exists()
        assert not (byline_seeds / "added" / "tram-fares.md").exists()


@pytest.mark.parametrize("name", ["added/" + "a" * 5000 + ".md", "added/a\x00b.md"])
async def test_remove_gives_one_line_for_a_bad_name(
    discord_double: DiscordDouble, world: DefaultWorld, start_byline: Any, name: str
) -> None:
    async with start_byline():
        reply = await run(discord_double, "remove", {"article": name}, world.admin_id)
        assert reply.ephemeral
        assert reply.content == "That is not an article added with /add; pick one from the list."
