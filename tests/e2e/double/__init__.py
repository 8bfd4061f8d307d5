"""Loopback Discord API double (REST + gateway) for end-to-end tests of the real discord.py.

One aiohttp app on 127.0.0.1 serves the REST API under /api/v10 and the gateway at
/gateway (resume URL /gateway/resume). It checks what Discord checks (bot token, request
bodies against Discord's OpenAPI spec, message/embed/component/command limits, permissions,
the 3 s first-response deadline, one acknowledgement per interaction) and records everything.

    async def test_ask(discord_double, world):            # fixtures from tests/e2e/conftest.py
        bot = build_byline_bot(guild_ready_timeout=0.05)   # any discord.Client / commands.Bot
        async with running_client(discord_double, bot):    # login, setup_hook (sync), READY
            inter = await discord_double.slash_command("ask", {"question": "who won?"},
                                                       user=world.member_id)
            reply = await discord_double.wait_for_response(inter)   # final state, after edits
            assert reply.embeds and inter.time_to_first_response < 3

Layers (each subclasses the previous): state -> payloads -> drivers -> routes -> server.
"""

from .common import Call, DiscordError, json_response
from .gateway import GatewayFrame
from .harness import running_client
from .models import (
    ALL_PERMISSIONS,
    CHANNEL_DM,
    CHANNEL_GUILD_TEXT,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    MESSAGE_FLAG_EPHEMERAL,
    MESSAGE_FLAG_LOADING,
    P_ADMINISTRATOR,
    ChannelSpec,
    Fault,
    GuildSpec,
    InteractionRecord,
    MemberSpec,
    MessageRecord,
    RecordedRequest,
    Rejection,
    RoleSpec,
    Upload,
    UserSpec,
    new_snowflake,
)
from .server import DiscordDouble
from .spec import DiscordSpec, iter_error_leaves, load_spec
from .world import FAST_CLIENT_OPTIONS, WORLD, DefaultWorld

__all__ = [
    "ALL_PERMISSIONS",
    "CHANNEL_DM",
    "CHANNEL_GUILD_TEXT",
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "FAST_CLIENT_OPTIONS",
    "MESSAGE_FLAG_EPHEMERAL",
    "MESSAGE_FLAG_LOADING",
    "P_ADMINISTRATOR",
    "WORLD",
    "Call",
    "ChannelSpec",
    "DefaultWorld",
    "DiscordDouble",
    "DiscordError",
    "DiscordSpec",
    "Fault",
    "GatewayFrame",
    "GuildSpec",
    "InteractionRecord",
    "MemberSpec",
    "MessageRecord",
    "RecordedRequest",
    "Rejection",
    "RoleSpec",
    "Upload",
    "UserSpec",
    "iter_error_leaves",
    "json_response",
    "load_spec",
    "new_snowflake",
    "running_client",
]
