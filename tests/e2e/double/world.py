"""The default scenario the fixtures build: one guild, an admin, an ordinary member, DMs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .models import P_ADMINISTRATOR, P_SEND_MESSAGES, ChannelSpec, GuildSpec, MemberSpec, RoleSpec, UserSpec
from .server import DiscordDouble

# Keep on_ready fast: discord.py waits guild_ready_timeout (2 s default) after the last GUILD_CREATE.
FAST_CLIENT_OPTIONS: dict[str, Any] = {"guild_ready_timeout": 0.05}


@dataclass(frozen=True)
class DefaultWorld:
    """Fixed ids of the default scenario, so tests can name things without lookups."""

    bot_id: int = 900_000_000_000_000_001
    application_id: int = 900_000_000_000_000_001
    owner_id: int = 100_000_000_000_000_000
    admin_id: int = 100_000_000_000_000_001
    member_id: int = 100_000_000_000_000_002
    other_bot_id: int = 900_000_000_000_000_002  # another bot in the guild (bots must ignore bots)
    guild_id: int = 200_000_000_000_000_001
    admin_role_id: int = 300_000_000_000_000_001
    text_channel_id: int = 400_000_000_000_000_001
    readonly_channel_id: int = 400_000_000_000_000_002  # the bot may not send here

    def users(self) -> list[UserSpec]:
        """Owner, an admin, an ordinary member, and another bot."""
        return [
            UserSpec(self.owner_id, "olga_owner", "Olga"),
            UserSpec(self.admin_id, "alice_admin", "Alice"),
            UserSpec(self.member_id, "bob_member", "Bob"),
            UserSpec(self.other_bot_id, "helper_bot", "Helper", bot=True),
        ]

    def guild(self) -> GuildSpec:
        """The guild: #general, #announcements (bot denied Send Messages), an Admin role."""
        deny_bot = {"id": self.bot_id, "type": 1, "allow": 0, "deny": P_SEND_MESSAGES}
        return GuildSpec(
            id=self.guild_id,
            name="Byline Test Guild",
            owner_id=self.owner_id,
            roles=[RoleSpec(self.admin_role_id, "Admin", P_ADMINISTRATOR, position=2)],
            channels=[
                ChannelSpec(self.text_channel_id, "general", position=0),
                ChannelSpec(self.readonly_channel_id, "announcements", position=1, overwrites=[deny_bot]),
            ],
            members=[
                MemberSpec(self.owner_id),
                MemberSpec(self.admin_id, roles=[self.admin_role_id]),
                MemberSpec(self.member_id),
                MemberSpec(self.other_bot_id),
            ],
        )

    def build(self, **options: Any) -> DiscordDouble:
        """A fresh (not yet started) double for this world; options go to DiscordDouble."""
        double = DiscordDouble(
            bot_user_id=self.bot_id,
            application_id=self.application_id,
            users=self.users(),
            guilds=[self.guild()],
            **options,
        )
        for user_id in (self.owner_id, self.admin_id, self.member_id):
            double.dm_channel_id(user_id)
        return double


WORLD = DefaultWorld()
