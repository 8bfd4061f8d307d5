"""Discord wire payloads (READY, GUILD_CREATE, channels, messages) and the message store."""

from __future__ import annotations

from typing import Any

from .common import IT_APPLICATION_COMMAND, MENTION_RE, DiscordError, unknown
from .gateway import Gateway, Session
from .models import (
    CHANNEL_DM,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILD_PRESENCES,
    INTENT_MESSAGE_CONTENT,
    MESSAGE_FLAG_EPHEMERAL,
    MESSAGE_FLAG_LOADING,
    P_EMBED_LINKS,
    P_MENTION_EVERYONE,
    P_READ_MESSAGE_HISTORY,
    P_SEND_MESSAGES,
    P_SEND_MESSAGES_IN_THREADS,
    P_VIEW_CHANNEL,
    GuildSpec,
    InteractionRecord,
    MessageRecord,
    iso_now,
    member_payload,
    new_snowflake,
)
from .state import DoubleState


class Payloads(DoubleState):
    """Builds what Discord would send and keeps messages as Discord would store them."""

    def _setup(self) -> None:
        super()._setup()
        self.gateway = Gateway(self, self.shards)
        self.gateway.heartbeat_interval_ms = self.heartbeat_interval_ms

    def _application_payload(self) -> dict[str, Any]:
        """GET /oauth2/applications/@me, which discord.py calls during login."""
        owner = next((u for u in self.users.values() if not u.bot), self.bot)
        return {
            "id": str(self.application_id),
            "name": self.bot.username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": self._application_flags(),
            "owner": owner.payload(),
            "team": None,
            "bot": self.bot.payload(),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "tags": [],
            "integration_types_config": {"0": {}},
        }

    def _application_flags(self) -> int:
        """GATEWAY_*_LIMITED flags for the privileged intents the "portal" allows."""
        flags = 0
        allowed = self.allowed_privileged_intents
        if allowed & INTENT_GUILD_PRESENCES:
            flags |= 1 << 13
        if allowed & INTENT_GUILD_MEMBERS:
            flags |= 1 << 15
        if allowed & INTENT_MESSAGE_CONTENT:
            flags |= 1 << 19
        return flags

    def _ready_payload(self, session: Session) -> dict[str, Any]:
        """READY: the bot user, unavailable guild stubs, session id and our resume URL."""
        data: dict[str, Any] = {
            "v": 10,
            "user": {**self.bot.payload(), "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(g), "unavailable": True} for g in self.guilds if session.serves(g)],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "application": {"id": str(self.application_id), "flags": self._application_flags()},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "auth": {},
            "_trace": ["double"],
        }
        if session.shard is not None:
            data["shard"] = session.shard
        return data

    def _member_payload(self, guild: GuildSpec, user_id: int, *, with_user: bool = True) -> dict[str, Any]:
        """A member object with its user (or without, as inside messages)."""
        member = guild.member(user_id)
        if member is None:
            raise KeyError(f"user {user_id} is not a member of guild {guild.id}")
        return member_payload(member, self.users[user_id] if with_user else None)

    def _guild_create_payload(self, guild: GuildSpec, intents: int) -> dict[str, Any]:
        """GUILD_CREATE, complete enough for Guild, TextChannel and Member permissions."""
        members = (
            guild.members
            if intents & INTENT_GUILD_MEMBERS
            else [m for m in guild.members if m.user_id == self.bot.id]
        )
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": guild.preferred_locale,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "application_id": None,
            "features": [],
            "roles": [r.payload() for r in guild.roles],
            "emojis": [],
            "stickers": [],
            "channels": [c.payload(None) for c in guild.channels if not c.is_thread],
            "threads": [c.payload(guild.id) for c in guild.channels if c.is_thread],
            "members": [self._member_payload(guild, m.user_id) for m in members],
            "member_count": len(guild.members),
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "large": False,
            "lazy": True,
            "unavailable": False,
            "joined_at": "2024-01-01T00:00:00+00:00",
            "incidents_data": None,
        }

    def _channel_payload(self, channel_id: int) -> dict[str, Any]:
        """A guild or DM channel object; 404 Unknown Channel like Discord otherwise."""
        guild = self._guild_of_channel(channel_id)
        if guild is not None:
            channel = guild.channel(channel_id)
            assert channel is not None
            return channel.payload(guild.id)
        user_id = self._dm_user(channel_id)
        if user_id is None:
            raise unknown("Channel", 10003)
        return {
            "id": str(channel_id),
            "type": CHANNEL_DM,
            "last_message_id": None,
            "flags": 0,
            "recipients": [self.users[user_id].payload()],
        }

    def _message_payload(self, msg: MessageRecord, *, for_gateway: bool = False) -> dict[str, Any]:
        """The message object as REST returns it (for_gateway adds `member`, as events do)."""
        data: dict[str, Any] = {
            "id": str(msg.id),
            "channel_id": str(msg.channel_id),
            "author": msg.author.payload(),
            "content": msg.content,
            "timestamp": msg.created_at,
            "edited_timestamp": msg.edited_at,
            "tts": msg.tts,
            "mention_everyone": msg.mention_everyone,
            "mentions": [self.users[u].payload() for u in msg.mentions if u in self.users],
            "mention_roles": [],
            "attachments": msg.attachments,
            "embeds": msg.embeds,
            "pinned": False,
            "type": 0,
            "flags": msg.flags,
            "components": msg.components,
        }
        if msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
            guild = self.guilds[msg.guild_id]
            if for_gateway and guild.member(msg.author.id) is not None:
                data["member"] = self._member_payload(guild, msg.author.id, with_user=False)
        if msg.message_reference is not None:
            data["type"] = 19
            ref = msg.message_reference
            data["message_reference"] = {
                "type": 0,
                "message_id": str(ref["message_id"]),
                "channel_id": str(ref.get("channel_id") or msg.channel_id),
                **({"guild_id": str(msg.guild_id)} if msg.guild_id else {}),
            }
            target = self.messages.get(int(ref["message_id"]))
            if target is not None and target is not msg:
                data["referenced_message"] = self._message_payload(target)
        if msg.webhook_id is not None:
            data["webhook_id"] = str(msg.webhook_id)
            data["application_id"] = str(self.application_id)
        if msg.interaction_id is not None:
            inter = self.interactions[msg.interaction_id]
            if inter.type == IT_APPLICATION_COMMAND and msg.message_reference is None:
                data["type"] = 20
            user = self.users[inter.user_id]
            metadata: dict[str, Any] = {
                "id": str(inter.id),
                "type": inter.type,
                "user": user.payload(),
                "authorizing_integration_owners": inter.payload.get("authorizing_integration_owners", {}),
            }
            if inter.type == IT_APPLICATION_COMMAND:
                metadata["name"] = inter.payload["data"]["name"]
                metadata["command_type"] = 1
            if msg.id != inter.original_message_id:
                metadata["original_response_message_id"] = str(inter.original_message_id)
            if inter.component_message_id is not None:
                metadata["interacted_message_id"] = str(inter.component_message_id)
            data["interaction_metadata"] = metadata
        if msg.reactions:
            data["reactions"] = [
                {
                    "count": 1,
                    "count_details": {"burst": 0, "normal": 1},
                    "me": True,
                    "me_burst": False,
                    "burst_colors": [],
                    "emoji": {"id": None, "name": e},
                }
                for e in msg.reactions
            ]
        return data

    def _mentions(
        self,
        content: str,
        allowed: dict[str, Any] | None,
        guild_id: int | None,
        reply_to: MessageRecord | None,
    ) -> tuple[list[int], bool]:
        """Users a message actually pings and whether it pings @everyone, per allowed_mentions."""
        found = [int(u) for u in MENTION_RE.findall(content) if int(u) in self.users]
        parse = None if allowed is None else (allowed.get("parse") or [])
        explicit = set() if allowed is None else {int(u) for u in allowed.get("users") or []}
        if parse is not None:
            found = [u for u in found if "users" in parse or u in explicit]
        everyone = ("@everyone" in content or "@here" in content) and (parse is None or "everyone" in parse)
        if reply_to is not None and (allowed is None or allowed.get("replied_user", False)):
            found.append(reply_to.author.id)
        return list(dict.fromkeys(found)), everyone

    def _normalize_embeds(self, embeds: Any) -> list[dict[str, Any]]:
        """Embeds as Discord stores them: nulls dropped, type "rich"."""
        out = []
        for embed in embeds or []:
            if isinstance(embed, dict):
                item = {k: v for k, v in embed.items() if v is not None}
                item.setdefault("type", "rich")
                out.append(item)
        return out

    def _normalize_components(self, components: Any) -> list[dict[str, Any]]:
        """Components as Discord returns them: nulls dropped, numeric ids assigned."""
        counter = iter(range(1, 10_000))

        def walk(comp: dict[str, Any]) -> dict[str, Any]:
            item = {k: v for k, v in comp.items() if v is not None}
            item.setdefault("id", next(counter))
            if isinstance(item.get("components"), list):
                item["components"] = [walk(c) for c in item["components"] if isinstance(c, dict)]
            if isinstance(item.get("accessory"), dict):
                item["accessory"] = walk(item["accessory"])
            return item

        return [walk(c) for c in components or [] if isinstance(c, dict)]

    def _new_bot_message(
        self,
        channel_id: int,
        body: dict[str, Any],
        *,
        via: str,
        files: list[dict[str, Any]],
        interaction: InteractionRecord | None = None,
        flags: int | None = None,
    ) -> MessageRecord:
        """Store a message the bot created (REST, interaction response or follow-up)."""
        guild = self._guild_of_channel(channel_id)
        ref = body.get("message_reference")
        reply_to = self.messages.get(int(ref["message_id"])) if isinstance(ref, dict) else None
        content = body.get("content") or ""
        if content and not isinstance(content, str):
            content = str(content)
        allowed = body.get("allowed_mentions")
        mentions, everyone = self._mentions(content, allowed, guild.id if guild else None, reply_to)
        embeds = self._normalize_embeds(body.get("embeds"))
        if guild is not None and via == "channel":
            perms = guild.channel_permissions(self.bot.id, channel_id)
            if not perms & P_EMBED_LINKS:
                embeds = []  # Discord silently drops embeds without Embed Links
            if not perms & P_MENTION_EVERYONE:
                everyone = False
        msg = MessageRecord(
            id=new_snowflake(),
            channel_id=channel_id,
            guild_id=guild.id if guild else None,
            author=self.bot,
            content=content,
            embeds=embeds,
            components=self._normalize_components(body.get("components")),
            allowed_mentions=allowed,
            message_reference=ref if isinstance(ref, dict) else None,
            flags=int(body.get("flags") or 0) if flags is None else flags,
            tts=bool(body.get("tts")),
            attachments=[
                {
                    "id": str(new_snowflake()),
                    "filename": f.get("filename") or "file",
                    "size": f["size"],
                    "url": f"https://cdn.invalid/{f.get('filename')}",
                    "proxy_url": f"https://cdn.invalid/{f.get('filename')}",
                    "content_type": f.get("content_type"),
                }
                for f in files
            ],
            mentions=mentions,
            mention_everyone=everyone,
            interaction_id=interaction.id if interaction else None,
            webhook_id=self.application_id if interaction else None,
            via=via,
        )
        self.messages[msg.id] = msg
        return msg

    def _apply_edit(self, msg: MessageRecord, body: dict[str, Any], files: list[dict[str, Any]]) -> None:
        """Apply a PATCH to a stored message, keeping its previous state in `history`."""
        msg.history.append(msg.snapshot())
        if "content" in body:
            msg.content = body["content"] or ""
        if "embeds" in body:
            msg.embeds = self._normalize_embeds(body["embeds"])
        if "components" in body:
            msg.components = self._normalize_components(body["components"])
        if "allowed_mentions" in body:
            msg.allowed_mentions = body["allowed_mentions"]
        if body.get("flags") is not None:
            # Only SUPPRESS_EMBEDS/IS_COMPONENTS_V2 can change on edit; ephemeral/loading stay.
            keep = msg.flags & (MESSAGE_FLAG_EPHEMERAL | MESSAGE_FLAG_LOADING)
            msg.flags = keep | (int(body["flags"]) & ~(MESSAGE_FLAG_EPHEMERAL | MESSAGE_FLAG_LOADING))
        if "attachments" in body or files:
            kept = {str(a.get("id")) for a in body.get("attachments") or []}
            msg.attachments = [a for a in msg.attachments if a["id"] in kept] + [
                {
                    "id": str(new_snowflake()),
                    "filename": f.get("filename") or "file",
                    "size": f["size"],
                    "url": "https://cdn.invalid/x",
                    "proxy_url": "https://cdn.invalid/x",
                    "content_type": f.get("content_type"),
                }
                for f in files
            ]
        msg.mentions, msg.mention_everyone = self._mentions(
            msg.content, msg.allowed_mentions, msg.guild_id, None
        )
        msg.edited_at = iso_now()

    async def _echo(self, event: str, msg: MessageRecord) -> None:
        """Gateway MESSAGE_CREATE/UPDATE for the bot's own visible messages, as Discord sends them."""
        if not self.echo_bot_messages or msg.ephemeral or self.gateway.session is None:
            return
        intent = INTENT_GUILD_MESSAGES if msg.guild_id is not None else INTENT_DIRECT_MESSAGES
        if self.gateway.wants(intent) and self.gateway.session.valid:
            await self.gateway.dispatch(event, self._message_payload(msg, for_gateway=True))

    def _check_can_send(self, channel_id: int, *, reply: bool = False) -> GuildSpec | None:
        """Permissions / DM reachability Discord checks before accepting a message.

        Posting in a thread takes Send Messages in Threads (not Send Messages); a reply also
        takes Read Message History.
        """
        guild = self._guild_of_channel(channel_id)
        if guild is not None:
            channel = guild.channel(channel_id)
            perms = guild.channel_permissions(self.bot.id, channel_id)
            send = (
                P_SEND_MESSAGES_IN_THREADS if channel is not None and channel.is_thread else P_SEND_MESSAGES
            )
            if not perms & P_VIEW_CHANNEL:
                raise DiscordError(403, "Missing Access", 50001)
            if not perms & send or (reply and not perms & P_READ_MESSAGE_HISTORY):
                raise DiscordError(403, "Missing Permissions", 50013)
            return guild
        user_id = self._dm_user(channel_id)
        if user_id is None:
            raise unknown("Channel", 10003)
        if not self.users[user_id].dms_open:
            raise DiscordError(403, "Cannot send messages to this user", 50007)
        return None

    def _channel_message(self, channel_id: int, message_id: int) -> MessageRecord:
        """A live message in a channel, else 404 Unknown Message."""
        msg = self.messages.get(message_id)
        if msg is None or msg.channel_id != channel_id or msg.deleted:
            raise unknown("Message", 10008)
        return msg
