"""Pushing the slash-command definitions to Discord only when they changed.

Discord rate-limits command updates and caps how many commands an application may create a day,
so syncing on every start is wrong (and pointless: definitions rarely change). We keep a fingerprint of the
definitions as last synced, per application and scope, in a small JSON file next to the database
(``byline.db`` -> ``byline.db.commands.json``), and sync when it differs:

- ``BYLINE_GUILD_ID`` set: the global commands are copied to that guild and synced there (guild
  commands update at once, which is what development wants);
- otherwise: global commands; copies left in a former development guild are removed (they would
  show every command twice there);
- ``byline sync``: always, whatever the file says.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

log = logging.getLogger("byline.sync")

STATE_SUFFIX = ".commands.json"


def state_file(database: Path) -> Path:
    """Where the fingerprints of the last syncs are kept, named after the database."""
    return database.with_name(database.name + STATE_SUFFIX)


def definitions(tree: app_commands.CommandTree, guild: discord.abc.Snowflake | None = None) -> list[dict]:
    """The command list exactly as ``tree.sync`` sends it (without translations)."""
    return [command.to_dict(tree) for command in tree.get_commands(guild=guild)]


def fingerprint(payload: list[dict], application_id: int) -> str:
    """A digest of the definitions; equal digests mean a sync would change nothing."""
    canonical = json.dumps(
        {"application_id": str(application_id), "commands": payload},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def scope_key(guild_id: int | None) -> str:
    return "global" if guild_id is None else f"guild:{guild_id}"


class CommandSync:
    """Syncs a tree's commands to Discord when their fingerprint changed (or when forced)."""

    def __init__(self, tree: app_commands.CommandTree, path: Path, guild_id: int | None) -> None:
        self.tree = tree
        self.path = path
        self.guild_id = guild_id

    def _load(self) -> dict[str, Any]:
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            log.warning("ignoring unreadable %s (%s); commands will be synced", self.path, error)
            return {}
        return state if isinstance(state, dict) else {}

    def _save(self, state: dict[str, Any]) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        try:
            temporary.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError as error:
            log.warning("could not record the command sync in %s: %s", self.path, error)
            with contextlib.suppress(OSError):
                temporary.unlink()

    def pending(self) -> tuple[str, str, discord.Object | None]:
        """(scope key, fingerprint of the current definitions, guild or None)."""
        guild = discord.Object(self.guild_id) if self.guild_id is not None else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        application_id = self.tree.client.application_id or 0
        return scope_key(self.guild_id), fingerprint(definitions(self.tree, guild), application_id), guild

    async def _clear_stale_guilds(self, state: dict[str, Any]) -> bool:
        """Remove the commands synced to a guild that is no longer BYLINE_GUILD_ID.

        Left there, they would show every command twice in that guild (its copy and the global
        one). True if ``state`` changed.
        """
        changed = False
        for key in [k for k in state if k.startswith("guild:") and k != scope_key(self.guild_id)]:
            try:
                guild = discord.Object(int(key.removeprefix("guild:")))
            except ValueError:
                continue
            self.tree.clear_commands(guild=guild)
            try:
                await self.tree.sync(guild=guild)
            except discord.Forbidden:
                log.info("no longer in guild %s: nothing to remove there", guild.id)
            except discord.HTTPException as error:
                log.warning("could not remove the commands from guild %s (%s); will retry", guild.id, error)
                continue
            else:
                log.info("removed the development commands from guild %s", guild.id)
            del state[key]
            changed = True
        return changed

    async def sync(self, *, force: bool = False) -> list[app_commands.AppCommand] | None:
        """Sync if the definitions changed (or ``force``); the synced commands, or None if skipped."""
        key, digest, guild = self.pending()
        state = self._load()
        if await self._clear_stale_guilds(state):
            self._save(state)
        where = "globally" if guild is None else f"to guild {self.guild_id}"
        if not force and state.get(key) == digest:
            log.info("slash commands unchanged since the last sync %s; not syncing", where)
            return None
        synced = await self.tree.sync(guild=guild)
        state[key] = digest
        self._save(state)
        log.info("synced %d slash commands %s: %s", len(synced), where, ", ".join(c.name for c in synced))
        return synced
