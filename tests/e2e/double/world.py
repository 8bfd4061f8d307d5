"""The default scenario the fixtures build: one guild, an admin, an ordinary member, DMs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .models import (
    CHANNEL_PUBLIC_THREAD,
    P_ADMINISTRATOR,
    P_EMBED_LINKS,
    P_READ_MESSAGE_HISTORY,
    P_SEND_MESSAGES,
    P_SEND_MESSAGES_IN_THREADS,
    ChannelSpec,
    GuildSpec,
    MemberSpec,
    RoleSpec,
    UserSpec,
)
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
    thread_id: int = 400_000_000_000_000_003  # a thread in #general
    no_threads_channel_id: int = 400_000_000_000_000_004  # the bot may send here, but not in its threads
    closed_thread_id: int = 400_000_000_000_000_005  # a thread there
    no_history_channel_id: int = 400_000_000_000_000_006  # the bot may not read history (nor reply)
    no_embeds_channel_id: int = 400_000_000_000_000_007  # the bot may not embed links
    orphan_thread_id: int = 400_000_000_000_000_008  # a thread whose parent the bot's cache lacks
    unseen_channel_id: int = 400_000_000_000_000_099  # that parent (not in the guild's channel list)

    def users(self) -> list[UserSpec]:
        """Owner, an admin, an ordinary member, and another bot."""
        return [
            UserSpec(self.owner_id, "olga_owner", "Olga"),
            UserSpec(self.admin_id, "alice_admin", "Alice"),
            UserSpec(self.member_id, "bob_member", "Bob"),
            UserSpec(self.other_bot_id, "helper_bot", "Helper", bot=True),
        ]

    def guild(self) -> GuildSpec:
        """The guild: #general with a thread, channels where the bot lacks one permission, an Admin role."""

        def without(channel_id: int, name: str, position: int, permission: int) -> ChannelSpec:
            """A channel where a member overwrite denies the bot ``permission``."""
            deny = {"id": self.bot_id, "type": 1, "allow": 0, "deny": permission}
            return ChannelSpec(channel_id, name, position=position, overwrites=[deny])

        def thread(channel_id: int, name: str, parent_id: int) -> ChannelSpec:
            return ChannelSpec(
                channel_id, name, type=CHANNEL_PUBLIC_THREAD, parent_id=parent_id, owner_id=self.member_id
            )

        return GuildSpec(
            id=self.guild_id,
            name="Byline Test Guild",
            owner_id=self.owner_id,
            roles=[RoleSpec(self.admin_role_id, "Admin", P_ADMINISTRATOR, position=2)],
            channels=[
                ChannelSpec(self.text_channel_id, "general", position=0),
                without(self.readonly_channel_id, "announcements", 1, P_SEND_MESSAGES),
                thread(self.thread_id, "general-questions", self.text_channel_id),
                without(self.no_threads_channel_id, "news", 2, P_SEND_MESSAGES_IN_THREADS),
                thread(self.closed_thread_id, "news-thread", self.no_threads_channel_id),
                without(self.no_history_channel_id, "no-history", 3, P_READ_MESSAGE_HISTORY),
                without(self.no_embeds_channel_id, "plain-text", 4, P_EMBED_LINKS),
                thread(self.orphan_thread_id, "orphan-thread", self.unseen_channel_id),
            ],
            members=[
                MemberSpec(self.owner_id),
                MemberSpec(self.admin_id, roles=[self.admin_role_id]),
                MemberSpec(self.member_id),
                MemberSpec(self.other_bot_id),
            ],
        )

    def crowd_ids(self, count: int) -> list[int]:
        """Ids of ``count`` more ordinary members (for load tests: many users asking at once)."""
        return [100_000_000_000_010_000 + n for n in range(count)]

    def build(self, *, crowd: int = 0, **options: Any) -> DiscordDouble:
        """A fresh (not yet started) double for this world and ``crowd`` more members; options go
        to DiscordDouble."""
        guild = self.guild()
        users = self.users()
        for user_id in self.crowd_ids(crowd):
            users.append(UserSpec(user_id, f"reader_{user_id % 10_000}", "Reader"))
            guild.members.append(MemberSpec(user_id))
        double = DiscordDouble(
            bot_user_id=self.bot_id,
            application_id=self.application_id,
            users=users,
            guilds=[guild],
            **options,
        )
        for user_id in (self.owner_id, self.admin_id, self.member_id):
            double.dm_channel_id(user_id)
        return double


WORLD = DefaultWorld()
