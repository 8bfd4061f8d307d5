"""The double's world (users, guilds, channels) and what it records, as Discord would shape them.

Payload builders return plain dicts in Discord's wire format (snowflakes as strings,
permissions as decimal strings) so discord.py parses them exactly as it parses the real API.
"""

from __future__ import annotations

import datetime
import threading
import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple

DISCORD_EPOCH_MS = 1420070400000

# Gateway intents (https://discord.com/developers/docs/events/gateway#gateway-intents).
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# Permission bits used by the double's checks.
P_CREATE_INSTANT_INVITE = 1 << 0
P_ADMINISTRATOR = 1 << 3
P_ADD_REACTIONS = 1 << 6
P_VIEW_CHANNEL = 1 << 10
P_SEND_MESSAGES = 1 << 11
P_MANAGE_MESSAGES = 1 << 13
P_EMBED_LINKS = 1 << 14
P_ATTACH_FILES = 1 << 15
P_READ_MESSAGE_HISTORY = 1 << 16
P_MENTION_EVERYONE = 1 << 17
P_USE_EXTERNAL_EMOJIS = 1 << 18
P_CHANGE_NICKNAME = 1 << 26
P_USE_APPLICATION_COMMANDS = 1 << 31
P_SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 53) - 1

DEFAULT_EVERYONE_PERMISSIONS = (
    P_CREATE_INSTANT_INVITE
    | P_ADD_REACTIONS
    | P_VIEW_CHANNEL
    | P_SEND_MESSAGES
    | P_EMBED_LINKS
    | P_ATTACH_FILES
    | P_READ_MESSAGE_HISTORY
    | P_USE_EXTERNAL_EMOJIS
    | P_CHANGE_NICKNAME
    | P_USE_APPLICATION_COMMANDS
    | P_SEND_MESSAGES_IN_THREADS
)
DEFAULT_BOT_PERMISSIONS = DEFAULT_EVERYONE_PERMISSIONS | P_MANAGE_MESSAGES
# What Discord reports as app_permissions for an interaction in the bot's DM.
DM_APP_PERMISSIONS = (
    P_ADD_REACTIONS
    | P_VIEW_CHANNEL
    | P_SEND_MESSAGES
    | P_EMBED_LINKS
    | P_ATTACH_FILES
    | P_READ_MESSAGE_HISTORY
    | P_MENTION_EVERYONE
    | P_USE_EXTERNAL_EMOJIS
    | P_USE_APPLICATION_COMMANDS
)

CHANNEL_GUILD_TEXT = 0
CHANNEL_DM = 1
CHANNEL_GUILD_CATEGORY = 4
CHANNEL_PUBLIC_THREAD = 11

MESSAGE_FLAG_EPHEMERAL = 1 << 6
MESSAGE_FLAG_LOADING = 1 << 7
MESSAGE_FLAG_COMPONENTS_V2 = 1 << 15

_SNOWFLAKE_LOCK = threading.Lock()
_last_snowflake = 0


def new_snowflake() -> int:
    """A fresh snowflake, strictly increasing within the process and time-based like Discord's."""
    global _last_snowflake
    with _SNOWFLAKE_LOCK:
        value = ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (1 << 17)
        _last_snowflake = max(value, _last_snowflake + 1)
        return _last_snowflake


def iso_now() -> str:
    """Timestamp in Discord's ISO 8601 form."""
    return datetime.datetime.now(datetime.UTC).isoformat()


@dataclass
class UserSpec:
    """A Discord user known to the double (a human, or the bot itself)."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    dms_open: bool = True
    locale: str = "en-US"

    def payload(self) -> dict[str, Any]:
        """The user object as Discord sends it."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.global_name,
            "discriminator": "0",
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "accent_color": None,
            "banner": None,
            "avatar_decoration_data": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass
class RoleSpec:
    """A guild role; the @everyone role has the guild's id."""

    id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    managed: bool = False
    mentionable: bool = False

    def payload(self) -> dict[str, Any]:
        """The role object as Discord sends it."""
        return {
            "id": str(self.id),
            "name": self.name,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }


@dataclass
class ChannelSpec:
    """A guild channel; `overwrites` are Discord permission overwrite dicts (type 0 role, 1 member).

    A thread (type 11) has the channel it belongs to as `parent_id` and no overwrites of its own:
    its permissions are its parent's. A parent that is not among the guild's channels stands for
    one the bot's cache does not hold.
    """

    id: int
    name: str
    type: int = CHANNEL_GUILD_TEXT
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    nsfw: bool = False
    overwrites: list[dict[str, Any]] = field(default_factory=list)
    owner_id: int | None = None  # threads: who started it

    @property
    def is_thread(self) -> bool:
        """A thread, whose permissions are its parent channel's."""
        return self.type == CHANNEL_PUBLIC_THREAD

    def payload(self, guild_id: int | None) -> dict[str, Any]:
        """The channel object as Discord sends it (guild_id is omitted inside GUILD_CREATE)."""
        if self.is_thread:
            return self._thread_payload(guild_id)
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "name": self.name,
            "position": self.position,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "permission_overwrites": [
                {
                    "id": str(o["id"]),
                    "type": o["type"],
                    "allow": str(o.get("allow", 0)),
                    "deny": str(o.get("deny", 0)),
                }
                for o in self.overwrites
            ],
            "flags": 0,
        }
        if self.type == CHANNEL_GUILD_TEXT:
            data.update(topic=self.topic, nsfw=self.nsfw, last_message_id=None, rate_limit_per_user=0)
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        return data

    def _thread_payload(self, guild_id: int | None) -> dict[str, Any]:
        """A thread as Discord sends it (in GUILD_CREATE's `threads`, with its guild_id)."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "name": self.name,
            "parent_id": str(self.parent_id),
            "owner_id": str(self.owner_id or self.id),
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": "2024-01-01T00:00:00+00:00",
                "locked": False,
                "create_timestamp": "2024-01-01T00:00:00+00:00",
            },
        }
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        return data


@dataclass
class MemberSpec:
    """A user's membership in a guild."""

    user_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = "2024-01-01T00:00:00+00:00"


@dataclass
class GuildSpec:
    """A guild the bot is in. The @everyone role and the bot's member are added when missing."""

    id: int
    name: str
    owner_id: int
    roles: list[RoleSpec] = field(default_factory=list)
    channels: list[ChannelSpec] = field(default_factory=list)
    members: list[MemberSpec] = field(default_factory=list)
    preferred_locale: str = "en-US"
    bot_permissions: int = DEFAULT_BOT_PERMISSIONS

    def role(self, role_id: int) -> RoleSpec | None:
        """Role by id."""
        return next((r for r in self.roles if r.id == role_id), None)

    def channel(self, channel_id: int) -> ChannelSpec | None:
        """Channel by id."""
        return next((c for c in self.channels if c.id == channel_id), None)

    def member(self, user_id: int) -> MemberSpec | None:
        """Member by user id."""
        return next((m for m in self.members if m.user_id == user_id), None)

    def ensure_defaults(self, bot_user_id: int) -> None:
        """Add the @everyone role and the bot's member with its managed role, as Discord has them."""
        if self.role(self.id) is None:
            self.roles.insert(0, RoleSpec(self.id, "@everyone", DEFAULT_EVERYONE_PERMISSIONS, position=0))
        if self.member(bot_user_id) is None:
            bot_role = RoleSpec(new_snowflake(), "Byline", self.bot_permissions, position=1, managed=True)
            self.roles.append(bot_role)
            self.members.append(MemberSpec(bot_user_id, roles=[bot_role.id]))

    def base_permissions(self, user_id: int) -> int:
        """Guild-level permissions (Discord's algorithm: owner/admin get everything)."""
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        everyone = self.role(self.id)
        perms = everyone.permissions if everyone else 0
        member = self.member(user_id)
        for role_id in member.roles if member else []:
            role = self.role(role_id)
            if role is not None:
                perms |= role.permissions
        return ALL_PERMISSIONS if perms & P_ADMINISTRATOR else perms

    def channel_permissions(self, user_id: int, channel_id: int) -> int:
        """Permissions in a channel after @everyone, role and member overwrites (a thread's parent's)."""
        perms = self.base_permissions(user_id)
        if perms & P_ADMINISTRATOR:
            return ALL_PERMISSIONS
        channel = self.channel(channel_id)
        if channel is not None and channel.is_thread:
            channel = self.channel(channel.parent_id or 0)
        if channel is None:
            return perms
        member = self.member(user_id)
        role_ids = set(member.roles) if member else set()
        overwrites = {int(o["id"]): o for o in channel.overwrites}
        everyone = overwrites.get(self.id)
        if everyone:
            perms = (perms & ~int(everyone.get("deny", 0))) | int(everyone.get("allow", 0))
        allow = deny = 0
        for role_id, o in overwrites.items():
            if o["type"] == 0 and role_id in role_ids:
                allow |= int(o.get("allow", 0))
                deny |= int(o.get("deny", 0))
        perms = (perms & ~deny) | allow
        own = overwrites.get(user_id)
        if own and own["type"] == 1:
            perms = (perms & ~int(own.get("deny", 0))) | int(own.get("allow", 0))
        if not perms & P_VIEW_CHANNEL:
            return 0
        return perms


def member_payload(
    member: MemberSpec, user: UserSpec | None, *, permissions: int | None = None
) -> dict[str, Any]:
    """The guild member object; `user` None leaves it out (as in resolved.members)."""
    data: dict[str, Any] = {
        "roles": [str(r) for r in member.roles],
        "nick": member.nick,
        "avatar": None,
        "banner": None,
        "joined_at": member.joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "pending": False,
        "flags": 0,
        "communication_disabled_until": None,
    }
    if user is not None:
        data["user"] = user.payload()
    if permissions is not None:
        data["permissions"] = str(permissions)
    return data


@dataclass
class RecordedRequest:
    """One HTTP request the bot made, for assertions (the Authorization value is never kept)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    files: list[dict[str, Any]]
    at: float
    status: int = 0
    response: Any = None
    route: str | None = None


@dataclass(frozen=True)
class Upload:
    """A file a user attaches to an ATTACHMENT option of a slash command; the double serves its
    bytes from its CDN route, as Discord's CDN serves the ephemeral attachment."""

    filename: str
    data: bytes
    content_type: str = "text/plain; charset=utf-8"


@dataclass
class MessageRecord:
    """A message as the double stores it; edits mutate it in place and keep the old states."""

    id: int
    channel_id: int
    guild_id: int | None
    author: UserSpec
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    allowed_mentions: dict[str, Any] | None = None
    message_reference: dict[str, Any] | None = None
    flags: int = 0
    tts: bool = False
    attachments: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    interaction_id: int | None = None
    webhook_id: int | None = None
    via: str = "channel"
    created_at: str = field(default_factory=iso_now)
    edited_at: str | None = None
    deleted: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)
    reactions: list[str] = field(default_factory=list)

    @property
    def ephemeral(self) -> bool:
        """Only the invoking user sees it."""
        return bool(self.flags & MESSAGE_FLAG_EPHEMERAL)

    @property
    def loading(self) -> bool:
        """A deferred response still showing "is thinking..."."""
        return bool(self.flags & MESSAGE_FLAG_LOADING)

    def snapshot(self) -> dict[str, Any]:
        """The editable fields, as kept in `history` before each edit."""
        return {
            "content": self.content,
            "embeds": self.embeds,
            "components": self.components,
            "flags": self.flags,
            "allowed_mentions": self.allowed_mentions,
        }


class Rejection(NamedTuple):
    """A callback the double refused: Discord's error code, seconds after dispatch, the body."""

    code: int
    after: float
    body: dict[str, Any]


@dataclass
class InteractionRecord:
    """An interaction the double dispatched and everything the bot did with it."""

    id: int
    token: str
    type: int
    channel_id: int
    guild_id: int | None
    user_id: int
    payload: dict[str, Any]
    dispatched_at: float
    deadline: float
    callback_type: int | None = None
    callback_at: float | None = None
    callback_data: dict[str, Any] | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    component_message_id: int | None = None

    @property
    def acknowledged(self) -> bool:
        """Whether a callback was accepted."""
        return self.callback_type is not None

    @property
    def time_to_first_response(self) -> float | None:
        """Seconds from dispatch to the accepted callback."""
        return None if self.callback_at is None else self.callback_at - self.dispatched_at


@dataclass
class Fault:
    """Planned failure: the next `count` requests matching method+template get `status`."""

    method: str
    template: str
    status: int
    count: int
    retry_after: float = 0.05
    is_global: bool = False
    hits: int = 0
