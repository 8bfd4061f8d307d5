"""Pushing the slash-command definitions to Discord: to a development guild, or globally.

- ``BYLINE_GUILD_ID`` set (development): at every start the commands are copied to that guild and
  synced there, as discord.py's examples do. Guild commands update at once and are cheap to sync.
  Global commands this bot synced before are removed: Discord would show every command twice in
  the guild, its guild copy and its global self. (Only those recorded in the state file below:
  an application whose global commands serve other servers should not be pointed at a
  development guild; give development an application of its own.)
- Otherwise: global commands, only when their definitions changed. Discord rate-limits global
  updates and caps how many commands an application may create a day, and takes a while to show
  them, so syncing on every start would be wrong. A fingerprint of the definitions as last synced
  is kept in a small JSON file next to the database (``byline.db`` -> ``byline.db.commands.json``).
  Copies left in a former development guild are removed (they too would show twice there).
- ``byline sync``: the same, regardless of the fingerprint.
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
    """Syncs a tree's commands to the development guild, or globally when they changed (or when forced)."""

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

    def pending(self) -> str:
        """The fingerprint of the global definitions as they are now."""
        return fingerprint(definitions(self.tree), self.tree.client.application_id or 0)

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

    async def _clear_global(self, state: dict[str, Any]) -> bool:
        """Remove the global commands this bot synced (see the module's docstring). True if it did."""
        if scope_key(None) not in state:
            return False
        client = self.tree.client
        try:
            # application_id is Optional until login; a sync runs logged in
            await client.http.bulk_upsert_global_commands(client.application_id, [])  # type: ignore[arg-type]
        except discord.HTTPException as error:
            log.warning("could not remove the global commands (%s); will retry at the next start", error)
            return False
        log.info("removed the global commands, so that none shows twice in guild %s", self.guild_id)
        del state[scope_key(None)]
        return True

    async def sync(self, *, force: bool = False) -> list[app_commands.AppCommand] | None:
        """Sync as the module's docstring says; the synced commands, or None if nothing was synced."""
        state = self._load()
        if self.guild_id is not None:
            return await self._sync_guild(state)
        if await self._clear_stale_guilds(state):
            self._save(state)
        digest = self.pending()
        if not force and state.get(scope_key(None)) == digest:
            log.info("slash commands unchanged since the last global sync; not syncing")
            return None
        synced = await self.tree.sync()
        state[scope_key(None)] = digest
        self._save(state)
        log.info("synced %d slash commands globally: %s", len(synced), ", ".join(c.name for c in synced))
        return synced

    async def _sync_guild(self, state: dict[str, Any]) -> list[app_commands.AppCommand]:
        assert self.guild_id is not None
        guild = discord.Object(self.guild_id)
        self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        state[scope_key(self.guild_id)] = "synced"  # so that going global removes these copies
        await self._clear_stale_guilds(state)
        await self._clear_global(state)
        self._save(state)
        log.info(
            "synced %d slash commands to guild %s: %s",
            len(synced),
            self.guild_id,
            ", ".join(c.name for c in synced),
        )
        return synced
