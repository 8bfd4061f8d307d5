"""The double's state: the world it simulates and everything it recorded, plus lookups."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiohttp import web

from .common import Route
from .gateway import Gateway, GatewayFrame
from .models import (
    PRIVILEGED_INTENTS,
    Fault,
    GuildSpec,
    InteractionRecord,
    MessageRecord,
    RecordedRequest,
    Upload,
    UserSpec,
    new_snowflake,
)
from .spec import DiscordSpec, compile_template, load_spec


class DoubleState:
    """Everything the double knows and has recorded (see DiscordDouble for the full story)."""

    def __init__(
        self,
        *,
        bot_user_id: int | None = None,
        application_id: int | None = None,
        bot_username: str = "Byline",
        token: str | None = None,
        users: Sequence[UserSpec] = (),
        guilds: Sequence[GuildSpec] = (),
        interaction_deadline: float = 3.0,
        interaction_token_ttl: float = 15 * 60.0,
        heartbeat_interval_ms: int = 41250,
        allowed_privileged_intents: int = PRIVILEGED_INTENTS,
        echo_bot_messages: bool = True,
        spec: DiscordSpec | None = None,
        spec_path: Path | str | None = None,
        validate_schema: bool = True,
        shards: int = 1,
    ) -> None:
        self.application_id = application_id or new_snowflake()
        self.bot = UserSpec(bot_user_id or self.application_id, bot_username, bot=True)
        self.token = token or f"double.{secrets.token_urlsafe(24)}"
        self.users: dict[int, UserSpec] = {self.bot.id: self.bot}
        for user in users:
            self.users[user.id] = user
        self.guilds: dict[int, GuildSpec] = {}
        for guild in guilds:
            guild.ensure_defaults(self.bot.id)
            self.guilds[guild.id] = guild
        self.dm_channels: dict[int, int] = {}  # user id -> DM channel id
        self.interaction_deadline = interaction_deadline
        self.shards = shards  # the shard count /gateway/bot recommends and IDENTIFY must use (gateway.py)
        self.interaction_token_ttl = interaction_token_ttl
        self.allowed_privileged_intents = allowed_privileged_intents
        self.echo_bot_messages = echo_bot_messages
        self.spec = spec if spec is not None or not validate_schema else load_spec(spec_path)
        self.requests: list[RecordedRequest] = []
        self.unknown_requests: list[RecordedRequest] = []
        self.internal_errors: list[str] = []  # bugs in the double itself; fixtures fail on them
        self.messages: dict[int, MessageRecord] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.commands: dict[int | None, dict[int, dict[str, Any]]] = {}
        self.command_syncs: list[tuple[int | None, list[str]]] = []
        self.faults: list[Fault] = []
        self.uploads: dict[int, Upload] = {}  # attachment id -> file, served under CDN_PREFIX
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.gateway: Gateway  # created by the payload layer, which the gateway needs
        self.rest_base = ""
        self.gateway_url = ""
        self.resume_gateway_url = ""
        self.port = 0
        self._routes: list[Route] = []
        self._runner: web.AppRunner | None = None
        self._event: asyncio.Event | None = None
        self._cursors: dict[tuple[int, bool], int] = {}
        self._setup()

    def _changed(self) -> None:
        """Wake everything awaiting in wait_until (called after every state change)."""
        if self._event is not None:
            self._event.set()
            self._event = asyncio.Event()

    def channel_messages(self, channel_id: int, include_users: bool = False) -> list[MessageRecord]:
        """Messages in a channel in creation order (bot's only unless include_users)."""
        return [
            m
            for m in self.messages.values()
            if m.channel_id == channel_id and (include_users or m.author.id == self.bot.id)
        ]

    def requests_to(self, method: str, template: str) -> list[RecordedRequest]:
        """Recorded requests matching a method and path template like /channels/{id}/messages."""
        regex, _ = compile_template(template)
        return [r for r in self.requests if r.method == method.upper() and regex.fullmatch(r.path)]

    def gateway_frames(self, op: int | None = None, direction: str = "recv") -> list[GatewayFrame]:
        """Gateway frames received from ("recv") or sent to ("send") the bot, optionally by op."""
        return [f for f in self.gateway.frames if f.direction == direction and (op is None or f.op == op)]

    def commands_for(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """The commands currently registered globally (None) or for a guild."""
        return list(self.commands.get(guild_id, {}).values())

    def dm_channel_id(self, user_id: int) -> int:
        """The DM channel between the bot and a user (created on first use, like Discord)."""
        if user_id not in self.users or user_id == self.bot.id:
            raise KeyError(f"unknown user {user_id}")
        if user_id not in self.dm_channels:
            self.dm_channels[user_id] = new_snowflake()
        return self.dm_channels[user_id]

    def _dm_user(self, channel_id: int) -> int | None:
        """The user whose DM with the bot is this channel."""
        return next((u for u, c in self.dm_channels.items() if c == channel_id), None)

    def _guild_of_channel(self, channel_id: int) -> GuildSpec | None:
        """The guild a channel belongs to."""
        return next((g for g in self.guilds.values() if g.channel(channel_id) is not None), None)

    def _interaction(self, interaction: InteractionRecord | int) -> InteractionRecord:
        """Accept a record or an id."""
        return interaction if isinstance(interaction, InteractionRecord) else self.interactions[interaction]

    def _setup(self) -> None:
        """Hook for subclasses to finish construction (the REST layer registers its routes)."""
