"""Test drivers: what users do (slash commands, clicks, messages) and gateway mishaps."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from . import limits
from .common import (
    ATTACHMENT_SIZE_LIMIT,
    CB_MODAL,
    CDN_PREFIX,
    IT_APPLICATION_COMMAND,
    IT_MESSAGE_COMPONENT,
    OPTION_ATTACHMENT,
    OPTION_CHANNEL,
    OPTION_MENTIONABLE,
    OPTION_ROLE,
    OPTION_USER,
    find_component,
    log,
)
from .models import (
    CHANNEL_GUILD_TEXT,
    DM_APP_PERMISSIONS,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGES,
    INTENT_MESSAGE_CONTENT,
    P_ADMINISTRATOR,
    P_MENTION_EVERYONE,
    GuildSpec,
    InteractionRecord,
    MessageRecord,
    Upload,
    UserSpec,
    member_payload,
    new_snowflake,
)
from .payloads import Payloads


class Drivers(Payloads):
    """Dispatching events the way Discord would when a user acts, refusing what a user could not do."""

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send any gateway DISPATCH event to the bot (queued for RESUME while disconnected)."""
        await self.gateway.dispatch(event, data)

    async def drop_gateway(self, code: int | None = None) -> None:
        """Break the gateway connection (TCP abort by default); discord.py should RESUME."""
        await self.gateway.drop(code)

    async def invalidate_session(self, resumable: bool = False) -> None:
        """op 9 INVALID_SESSION; non-resumable makes discord.py IDENTIFY afresh."""
        await self.gateway.invalidate(resumable)

    async def request_reconnect(self) -> None:
        """op 7 RECONNECT."""
        await self.gateway.reconnect()

    def _default_user(self, user: UserSpec | int | None) -> UserSpec:
        """Resolve a user argument; default to the first human user."""
        if isinstance(user, UserSpec):
            return self.users[user.id]
        if user is None:
            found = next((u for u in self.users.values() if not u.bot), None)
            if found is None:
                raise ValueError("the double has no human users")
            return found
        return self.users[user]

    def _resolve_place(
        self, user: UserSpec, guild_id: int | None, channel_id: int | None, dm: bool
    ) -> tuple[GuildSpec | None, int]:
        """Where an action happens: (guild or None for DM, channel id), validated."""
        if dm or (channel_id is not None and self._dm_user(channel_id) is not None):
            channel = self.dm_channel_id(user.id)
            if channel_id is not None and channel_id != channel:
                raise ValueError(f"channel {channel_id} is not {user.username}'s DM with the bot")
            return None, channel
        guild = self.guilds.get(guild_id) if guild_id is not None else None
        if guild is None and channel_id is not None:
            guild = self._guild_of_channel(channel_id)
        if guild is None:
            if not self.guilds:
                raise ValueError("no guild: pass dm=True or configure a GuildSpec")
            guild = next(iter(self.guilds.values()))
        if guild.member(user.id) is None:
            raise ValueError(f"user {user.id} is not a member of guild {guild.id}")
        if channel_id is None:
            text = next((c for c in guild.channels if c.type == CHANNEL_GUILD_TEXT), None)
            if text is None:
                raise ValueError(f"guild {guild.id} has no text channel")
            channel_id = text.id
        if guild.channel(channel_id) is None:
            raise ValueError(f"channel {channel_id} is not in guild {guild.id}")
        return guild, channel_id

    async def user_message(
        self,
        content: str,
        *,
        user: UserSpec | int | None = None,
        channel_id: int | None = None,
        guild_id: int | None = None,
        dm: bool = False,
        reply_to: MessageRecord | int | None = None,
    ) -> MessageRecord:
        """A user posts a message: stored, then MESSAGE_CREATE if the bot's intents receive it.

        `<@BOT_ID>` in content mentions the bot (and fills `mentions`). Without the
        MESSAGE_CONTENT intent, guild messages that don't mention the bot arrive with empty
        content, exactly as Discord redacts them.
        """
        author = self._default_user(user)
        guild, channel = self._resolve_place(author, guild_id, channel_id, dm)
        target = self.messages.get(reply_to) if isinstance(reply_to, int) else reply_to
        mentions, everyone = self._mentions(content, None, guild.id if guild else None, target)
        if (
            everyone
            and guild is not None
            and not guild.channel_permissions(author.id, channel) & P_MENTION_EVERYONE
        ):
            everyone = False
        msg = MessageRecord(
            id=new_snowflake(),
            channel_id=channel,
            guild_id=guild.id if guild else None,
            author=author,
            content=content,
            message_reference={"message_id": target.id, "channel_id": target.channel_id} if target else None,
            mentions=mentions,
            mention_everyone=everyone,
            via="user",
        )
        self.messages[msg.id] = msg
        intent = INTENT_GUILD_MESSAGES if guild is not None else INTENT_DIRECT_MESSAGES
        if not self.gateway.wants(intent):
            log.warning(
                "discord double: bot lacks the intent for MESSAGE_CREATE in %s; not delivered", channel
            )
            return msg
        payload = self._message_payload(msg, for_gateway=True)
        if (
            guild is not None
            and not self.gateway.wants(INTENT_MESSAGE_CONTENT)
            and self.bot.id not in mentions
        ):
            payload.update(content="", embeds=[], attachments=[], components=[])
        await self.gateway.dispatch("MESSAGE_CREATE", payload)
        self._changed()
        return msg

    def _interaction_base(
        self, itype: int, user: UserSpec, guild: GuildSpec | None, channel_id: int
    ) -> dict[str, Any]:
        """Fields every INTERACTION_CREATE carries, as Discord sends them."""
        payload: dict[str, Any] = {
            "id": str(new_snowflake()),
            "application_id": str(self.application_id),
            "type": itype,
            "token": "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(96),
            "version": 1,
            "channel_id": str(channel_id),
            "channel": self._channel_payload(channel_id),
            "locale": user.locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if guild is not None:
            member = guild.member(user.id)
            assert member is not None
            payload["channel"]["permissions"] = str(guild.channel_permissions(user.id, channel_id))
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
                guild_locale=guild.preferred_locale,
                member=member_payload(
                    member, user, permissions=guild.channel_permissions(user.id, channel_id)
                ),
                app_permissions=str(guild.channel_permissions(self.bot.id, channel_id)),
                authorizing_integration_owners={"0": str(guild.id)},
                context=0,
            )
        else:
            payload.update(
                user=user.payload(),
                app_permissions=str(DM_APP_PERMISSIONS),
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        return payload

    async def send_interaction(self, payload: dict[str, Any]) -> InteractionRecord:
        """Dispatch a raw INTERACTION_CREATE payload; the response deadline starts now."""
        now = asyncio.get_running_loop().time()
        user_id = int((payload.get("member") or {}).get("user", payload.get("user", {})).get("id", 0))
        record = InteractionRecord(
            id=int(payload["id"]),
            token=payload["token"],
            type=payload["type"],
            channel_id=int(payload["channel_id"]),
            guild_id=int(payload["guild_id"]) if payload.get("guild_id") else None,
            user_id=user_id,
            payload=payload,
            dispatched_at=now,
            deadline=now + self.interaction_deadline,
        )
        message = payload.get("message")
        if isinstance(message, dict):
            record.component_message_id = int(message["id"])
        self.interactions[record.id] = record
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        self._changed()
        return record

    def _find_command(self, root: str, guild: GuildSpec | None) -> dict[str, Any] | None:
        """A synced slash command by name: guild commands first, then global."""
        if guild is not None:
            for cmd in self.commands.get(guild.id, {}).values():
                if cmd["name"] == root and cmd.get("type", 1) == 1:
                    return cmd
        for cmd in self.commands.get(None, {}).values():
            if cmd["name"] == root and cmd.get("type", 1) == 1:
                return cmd
        return None

    def _command_usable(self, cmd: dict[str, Any], user: UserSpec, guild: GuildSpec | None) -> str | None:
        """Why Discord would hide the command from this user here (None if usable)."""
        contexts = cmd.get("contexts")
        if guild is None:
            if cmd.get("guild_id"):
                return "guild commands are not available in DMs"
            if contexts is not None and 1 not in contexts:
                return "command contexts exclude BOT_DM"
            if contexts is None and cmd.get("dm_permission") is False:
                return "dm_permission is false"
            return None
        if contexts is not None and 0 not in contexts:
            return "command contexts exclude GUILD"
        required = cmd.get("default_member_permissions")
        if required is not None:
            perms = guild.base_permissions(user.id)
            needed = int(required)
            if not perms & P_ADMINISTRATOR and (needed == 0 or perms & needed != needed):
                return f"member lacks default_member_permissions {needed}"
        return None

    def _build_options(
        self,
        defs: list[dict[str, Any]],
        values: Mapping[str, Any],
        guild: GuildSpec | None,
        resolved: dict[str, dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """Typed option values from the synced definition, as Discord submits them."""
        by_name = {d["name"]: d for d in defs}
        for name in values:
            if name not in by_name:
                raise ValueError(f"option {name!r} is not defined; known: {sorted(by_name)}")
        out = []
        for definition in defs:
            name = definition["name"]
            if name not in values:
                if definition.get("required"):
                    raise ValueError(f"required option {name!r} missing (Discord's client would not submit)")
                continue
            value = values[name]
            otype = definition["type"]
            choices = definition.get("choices")
            if choices and value not in [c["value"] for c in choices]:
                raise ValueError(f"{value!r} is not a choice of option {name!r}")
            if otype in (OPTION_USER, OPTION_CHANNEL, OPTION_ROLE, OPTION_MENTIONABLE):
                value = self._resolve_entity(otype, int(getattr(value, "id", value)), guild, resolved)
            elif otype == OPTION_ATTACHMENT:
                value = self._resolve_upload(value, resolved)
            out.append({"name": name, "type": otype, "value": value})
        return out

    def _resolve_upload(self, upload: Any, resolved: dict[str, dict[str, Any]]) -> str:
        """An attached file: an ephemeral attachment in `resolved`, its bytes on the CDN route.

        Discord's client refuses a file over the upload limit before sending anything."""
        if not isinstance(upload, Upload):
            raise ValueError("an attachment option takes an Upload(filename, data)")
        if len(upload.data) > ATTACHMENT_SIZE_LIMIT:
            raise ValueError(f"{upload.filename} is over the {ATTACHMENT_SIZE_LIMIT} byte upload limit")
        attachment_id = new_snowflake()
        # Discord keeps only the file's own name, with spaces and other unsafe characters as "_".
        filename = re.sub(r"[^\w.-]", "_", upload.filename.replace("\\", "/").rsplit("/", 1)[-1])
        upload = Upload(filename, upload.data, upload.content_type)
        self.uploads[attachment_id] = upload
        url = f"http://127.0.0.1:{self.port}{CDN_PREFIX}/{self.application_id}/{attachment_id}/{filename}"
        resolved.setdefault("attachments", {})[str(attachment_id)] = {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(upload.data),
            "url": url,
            "proxy_url": url,
            "content_type": upload.content_type,
            "ephemeral": True,
        }
        return str(attachment_id)

    def _resolve_entity(
        self, otype: int, entity_id: int, guild: GuildSpec | None, resolved: dict[str, dict[str, Any]]
    ) -> str:
        """Put a user/role/channel option into `resolved`; returns its id string."""
        if otype in (OPTION_USER, OPTION_MENTIONABLE) and entity_id in self.users:
            resolved.setdefault("users", {})[str(entity_id)] = self.users[entity_id].payload()
            if guild is not None and guild.member(entity_id) is not None:
                member = member_payload(
                    guild.member(entity_id), None, permissions=guild.base_permissions(entity_id)
                )  # type: ignore[arg-type]
                resolved.setdefault("members", {})[str(entity_id)] = member
            return str(entity_id)
        if (
            otype in (OPTION_ROLE, OPTION_MENTIONABLE)
            and guild is not None
            and guild.role(entity_id) is not None
        ):
            resolved.setdefault("roles", {})[str(entity_id)] = guild.role(entity_id).payload()  # type: ignore[union-attr]
            return str(entity_id)
        if otype == OPTION_CHANNEL and guild is not None and guild.channel(entity_id) is not None:
            channel = guild.channel(entity_id)
            assert channel is not None
            resolved.setdefault("channels", {})[str(entity_id)] = {
                "id": str(entity_id),
                "name": channel.name,
                "type": channel.type,
                "parent_id": str(channel.parent_id) if channel.parent_id else None,
                "permissions": str(guild.channel_permissions(self.bot.id, entity_id)),
                "flags": 0,
            }
            return str(entity_id)
        raise ValueError(f"cannot resolve id {entity_id} for option type {otype}")

    async def slash_command(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: UserSpec | int | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        dm: bool = False,
        force: bool = False,
    ) -> InteractionRecord:
        """A user runs `/name` (or "/group sub" as "group sub") with option values by name.

        The command must have been synced by the bot; option types, choices and required
        options are taken from the synced definition, and users/roles/channels given as ids
        are put in `resolved` as Discord does. Commands the user could not see (contexts,
        default_member_permissions) raise ValueError unless `force`.
        """
        author = self._default_user(user)
        guild, channel = self._resolve_place(author, guild_id, channel_id, dm)
        parts = name.strip().lstrip("/").split()
        cmd = self._find_command(parts[0], guild)
        if cmd is None:
            raise ValueError(f"/{parts[0]} is not synced (globally or for this guild); sync the tree first")
        reason = self._command_usable(cmd, author, guild)
        if reason and not force:
            raise ValueError(f"/{parts[0]} is not available to {author.username} here: {reason}")
        resolved: dict[str, dict[str, Any]] = {}
        defs: list[dict[str, Any]] = cmd.get("options") or []
        chain: list[dict[str, Any]] = []
        for sub in parts[1:]:
            definition = next((d for d in defs if d["name"] == sub and d["type"] in (1, 2)), None)
            if definition is None:
                raise ValueError(f"/{name}: no subcommand {sub!r}")
            chain.append(definition)
            defs = definition.get("options") or []
        built = self._build_options(defs, options or {}, guild, resolved)
        for definition in reversed(chain):
            built = [{"name": definition["name"], "type": definition["type"], "options": built}]
        data: dict[str, Any] = {"id": cmd["id"], "name": cmd["name"], "type": 1}
        if built:
            data["options"] = built
        if resolved:
            data["resolved"] = resolved
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        payload = self._interaction_base(IT_APPLICATION_COMMAND, author, guild, channel)
        payload["data"] = data
        return await self.send_interaction(payload)

    async def button_click(
        self,
        custom_id: str,
        message: MessageRecord | int,
        *,
        user: UserSpec | int | None = None,
        values: Sequence[str] | None = None,
    ) -> InteractionRecord:
        """A user clicks a button (or picks `values` in a select) on a message the bot sent."""
        msg = self.messages[message] if isinstance(message, int) else message
        if msg.deleted:
            raise ValueError(f"message {msg.id} was deleted")
        component = find_component(msg.components, custom_id)
        if component is None:
            raise ValueError(f"message {msg.id} has no component with custom_id {custom_id!r}")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled; Discord's client would not send it")
        author = self._default_user(user)
        if (
            msg.ephemeral
            and msg.interaction_id is not None
            and self.interactions[msg.interaction_id].user_id != author.id
        ):
            raise ValueError("only the invoking user can see (and click) an ephemeral message")
        guild = self.guilds.get(msg.guild_id) if msg.guild_id else None
        if guild is None and self._dm_user(msg.channel_id) != author.id:
            raise ValueError("that DM is not the clicking user's")
        data: dict[str, Any] = {
            "custom_id": custom_id,
            "component_type": component["type"],
            "id": component.get("id", 1),
        }
        if component["type"] in limits.SELECT_TYPES:
            data["values"] = _checked_values(component, values or [])
        elif values:
            raise ValueError(f"component {custom_id!r} is a button; it takes no values")
        payload = self._interaction_base(IT_MESSAGE_COMPONENT, author, guild, msg.channel_id)
        payload["data"] = data
        payload["message"] = self._message_payload(msg)
        return await self.send_interaction(payload)

    async def select_menu(
        self,
        custom_id: str,
        message: MessageRecord | int,
        values: Sequence[str],
        *,
        user: UserSpec | int | None = None,
    ) -> InteractionRecord:
        """A user picks options in a select menu."""
        return await self.button_click(custom_id, message, user=user, values=values)

    async def modal_submit(
        self,
        opened_by: InteractionRecord | int,
        values: Mapping[str, str],
        *,
        user: UserSpec | int | None = None,
    ) -> InteractionRecord:
        """The user fills in and submits the modal the bot opened (callback type 9) for an interaction.

        `values` maps text input custom_ids to what the user typed; required inputs and
        min/max lengths are enforced as Discord's client does.
        """
        origin = self._interaction(opened_by)
        if origin.callback_type != CB_MODAL or origin.callback_data is None:
            raise ValueError(f"interaction {origin.id} was not answered with a modal")
        modal = origin.callback_data
        inputs = _text_inputs(modal.get("components") or [])
        unknown_ids = set(values) - {i["custom_id"] for i in inputs}
        if unknown_ids:
            raise ValueError(f"modal {modal.get('custom_id')!r} has no inputs {sorted(unknown_ids)}")
        for item in inputs:
            typed = values.get(item["custom_id"], item.get("value") or "")
            if item.get("required", True) and not typed:
                raise ValueError(f"text input {item['custom_id']!r} is required")
            if typed and not item.get("min_length", 0) <= len(typed) <= item.get("max_length", 4000):
                raise ValueError(f"text input {item['custom_id']!r}: length {len(typed)} out of bounds")
        author = self._default_user(user if user is not None else origin.user_id)
        guild = self.guilds.get(origin.guild_id) if origin.guild_id else None
        payload = self._interaction_base(5, author, guild, origin.channel_id)
        payload["data"] = {
            "custom_id": modal.get("custom_id"),
            "components": _submitted(modal.get("components") or [], values),
        }
        if origin.component_message_id is not None:
            payload["message"] = self._message_payload(self.messages[origin.component_message_id])
        return await self.send_interaction(payload)

    async def autocomplete(
        self,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        user: UserSpec | int | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        dm: bool = False,
    ) -> InteractionRecord:
        """A user typing in option `focused` of /name: an APPLICATION_COMMAND_AUTOCOMPLETE interaction.

        The bot's choices land in `record.callback_data["choices"]` (await `wait_for_ack`).
        """
        author = self._default_user(user)
        guild, channel = self._resolve_place(author, guild_id, channel_id, dm)
        parts = name.strip().lstrip("/").split()
        cmd = self._find_command(parts[0], guild)
        if cmd is None:
            raise ValueError(f"/{parts[0]} is not synced")
        defs: list[dict[str, Any]] = cmd.get("options") or []
        chain: list[dict[str, Any]] = []
        for sub in parts[1:]:
            definition = next((d for d in defs if d["name"] == sub and d["type"] in (1, 2)), None)
            if definition is None:
                raise ValueError(f"/{name}: no subcommand {sub!r}")
            chain.append(definition)
            defs = definition.get("options") or []
        target = next((d for d in defs if d["name"] == focused), None)
        if target is None or not target.get("autocomplete"):
            raise ValueError(f"option {focused!r} of /{name} does not have autocomplete")
        by_name = {d["name"]: d for d in defs}
        built = []
        for key, value in options.items():
            if key not in by_name:
                raise ValueError(f"option {key!r} is not defined")
            item: dict[str, Any] = {"name": key, "type": by_name[key]["type"], "value": value}
            if key == focused:
                item["focused"] = True
                item["value"] = str(value)  # partial input is always a string
            built.append(item)
        if focused not in options:
            built.append({"name": focused, "type": target["type"], "value": "", "focused": True})
        for definition in reversed(chain):
            built = [{"name": definition["name"], "type": definition["type"], "options": built}]
        data: dict[str, Any] = {"id": cmd["id"], "name": cmd["name"], "type": 1, "options": built}
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        payload = self._interaction_base(4, author, guild, channel)
        payload["data"] = data
        return await self.send_interaction(payload)


def _checked_values(component: dict[str, Any], values: Sequence[str]) -> list[str]:
    """Select values as Discord's client allows them: within min/max and among the options."""
    low, high = component.get("min_values", 1), component.get("max_values", 1)
    if not low <= len(values) <= high:
        raise ValueError(
            f"select {component.get('custom_id')!r} takes {low}..{high} values, got {len(values)}"
        )
    if component["type"] == 3:
        allowed = {o["value"] for o in component.get("options") or []}
        stray = [v for v in values if v not in allowed]
        if stray:
            raise ValueError(f"{stray} are not options of select {component.get('custom_id')!r}")
    return list(values)


def _text_inputs(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Text inputs of a modal, whether in action rows (legacy) or labels (type 18)."""
    found = []
    for comp in components:
        if comp.get("type") == 4:
            found.append(comp)
        found.extend(_text_inputs(comp.get("components") or []))
        if isinstance(comp.get("component"), dict):
            found.extend(_text_inputs([comp["component"]]))
    return found


def _submitted(components: list[dict[str, Any]], values: Mapping[str, str]) -> list[dict[str, Any]]:
    """The modal's layout echoed back with what the user typed, as Discord submits it."""
    out: list[dict[str, Any]] = []
    for comp in components:
        ctype = comp.get("type")
        if ctype == 4:
            custom_id = comp["custom_id"]
            out.append(
                {
                    "type": 4,
                    "id": comp.get("id", 0),
                    "custom_id": custom_id,
                    "value": values.get(custom_id, comp.get("value") or ""),
                }
            )
        elif ctype == 1:
            out.append(
                {
                    "type": 1,
                    "id": comp.get("id", 0),
                    "components": _submitted(comp.get("components") or [], values),
                }
            )
        elif ctype == 18 and isinstance(comp.get("component"), dict):
            out.append(
                {"type": 18, "id": comp.get("id", 0), "component": _submitted([comp["component"]], values)[0]}
            )
    return out
