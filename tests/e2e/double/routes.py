"""REST routes and their rules: auth, schema validation, limits, interaction timing, faults."""

from __future__ import annotations

import asyncio
import json
import math
import time
import zlib
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from . import limits
from .common import (
    ALLOWED_CALLBACKS,
    API_PREFIX,
    CB_AUTOCOMPLETE,
    CB_DEFERRED_MESSAGE,
    CB_DEFERRED_UPDATE,
    CB_MESSAGE,
    CB_MODAL,
    CB_UPDATE_MESSAGE,
    Call,
    DiscordError,
    Handler,
    Route,
    invalid_form,
    json_response,
    log,
    merge_errors,
    strip_nones,
    unknown,
)
from .drivers import Drivers
from .models import (
    MESSAGE_FLAG_EPHEMERAL,
    MESSAGE_FLAG_LOADING,
    P_MANAGE_MESSAGES,
    P_READ_MESSAGE_HISTORY,
    Fault,
    InteractionRecord,
    MessageRecord,
    RecordedRequest,
    Rejection,
    new_snowflake,
)
from .spec import add_error, compile_template


class Routes(Drivers):
    """The REST half of the double."""

    def _setup(self) -> None:
        super()._setup()
        self._register_routes()

    def inject_fault(
        self,
        method: str,
        template: str,
        *,
        status: int = 429,
        count: int = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
    ) -> Fault:
        """Make the next `count` requests matching method ("*" = any) and template fail.

        429 answers carry Discord's body (retry_after, global) and headers (Retry-After,
        X-RateLimit-*, and `Via`, without which discord.py treats a 429 as a Cloudflare ban).
        """
        fault = Fault(method.upper(), template, status, count, retry_after, is_global)
        self.faults.append(fault)
        return fault

    def _take_fault(self, method: str, path: str) -> Fault | None:
        """The first planned fault matching this request, counting the hit."""
        for fault in self.faults:
            if fault.hits >= fault.count or fault.method not in ("*", method):
                continue
            if compile_template(fault.template)[0].fullmatch(path):
                fault.hits += 1
                return fault
        return None

    def _fault_response(self, fault: Fault, path: str) -> tuple[web.Response, Any]:
        """The 429 (with Discord's headers) or 5xx answer for a fault."""
        if fault.status != 429:
            body = {"message": f"{fault.status}: Injected failure", "code": 0}
            return json_response(body, status=fault.status), body
        body = {
            "message": "You are being rate limited.",
            "retry_after": fault.retry_after,
            "global": fault.is_global,
        }
        headers = {
            "Retry-After": str(max(1, math.ceil(fault.retry_after))),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + fault.retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
            "X-RateLimit-Bucket": f"double-{zlib.crc32(fault.template.encode()):08x}",
            "X-RateLimit-Scope": "global" if fault.is_global else "user",
            "Via": "1.1 google",
        }
        if fault.is_global:
            headers["X-RateLimit-Global"] = "true"
        return json_response(body, status=429, headers=headers), body

    def route(
        self, method: str, template: str, *, auth: bool = True, check: str | None = None
    ) -> Callable[[Handler], Handler]:
        """Register a REST handler (tests may add routes the double lacks)."""

        def register(handler: Handler) -> Handler:
            regex, literal = compile_template(template)
            self._routes.append(Route(method, template, regex, literal, handler, auth, check))
            return handler

        return register

    async def _not_api(self, request: web.Request) -> web.Response:
        """Anything outside /api/v10 is a bug in the patching: say so loudly."""
        log.warning("discord double: request outside %s: %s %s", API_PREFIX, request.method, request.path)
        return json_response({"message": "404: Not Found", "code": 0}, status=404)

    async def _read_body(self, request: web.Request) -> tuple[Any, list[dict[str, Any]]]:
        """JSON or multipart (payload_json + files) body, as discord.py sends them."""
        files: list[dict[str, Any]] = []
        if not request.can_read_body:
            return None, files
        ctype = request.content_type
        if ctype == "multipart/form-data":
            body: Any = None
            reader = await request.multipart()
            async for part in reader:
                name = getattr(part, "name", None)
                data = await part.read()  # type: ignore[union-attr]
                if name == "payload_json":
                    try:
                        body = json.loads(data)
                    except ValueError:
                        raise DiscordError(400, "The request body contains invalid JSON.", 50109) from None
                else:
                    files.append(
                        {
                            "field": name,
                            "filename": getattr(part, "filename", None),
                            "content_type": part.headers.get("Content-Type"),
                            "size": len(data),
                        }
                    )
            return body, files
        raw = await request.read()
        if not raw:
            return None, files
        try:
            return json.loads(raw), files
        except ValueError:
            raise DiscordError(400, "The request body contains invalid JSON.", 50109) from None

    async def _rest(self, request: web.Request) -> web.Response:
        """Entry point for every REST call: record, answer, and never let a bug look like Discord."""
        path = "/" + request.match_info["tail"]
        headers = {
            k: ("<redacted>" if k.lower() == "authorization" else v) for k, v in request.headers.items()
        }
        record = RecordedRequest(
            request.method, path, dict(request.query), headers, None, [], time.monotonic()
        )
        self.requests.append(record)
        try:
            response, body = await self._serve(request, path, record)
        except DiscordError as err:
            response, body = json_response(err.body, status=err.status), err.body
        except Exception as exc:  # a bug in the double, not an answer Discord would give
            log.exception("discord double: internal error on %s %s", request.method, path)
            self.internal_errors.append(f"{request.method} {path}: {exc!r}")
            # 503 is not in discord.py's retry set, so the bot fails fast instead of retrying 5x.
            body = {"message": f"discord double internal error: {exc!r}", "code": 0}
            response = json_response(body, status=503)
        record.status = response.status
        record.response = body
        log.debug("%s %s -> %d", request.method, path, response.status)
        self._changed()
        return response

    async def _serve(
        self, request: web.Request, path: str, record: RecordedRequest
    ) -> tuple[web.Response, Any]:
        """Faults, routing, auth, validation, then the route handler."""
        body, files = await self._read_body(request)
        record.json, record.files = body, files
        fault = self._take_fault(request.method, path)
        if fault is not None:
            log.info("discord double: injected %d for %s %s", fault.status, request.method, path)
            return self._fault_response(fault, path)
        route = self._match(request.method, path)
        if route is None:
            self.unknown_requests.append(record)
            log.warning(
                "discord double: UNKNOWN ROUTE %s %s (answering 404; add it to the double?)",
                request.method,
                path,
            )
            raise DiscordError(404, "404: Not Found", 0)
        record.route = route.template
        if route.auth and request.headers.get("Authorization") != f"Bot {self.token}":
            raise DiscordError(401, "401: Unauthorized", 0)
        params = route.regex.fullmatch(path).groupdict()  # type: ignore[union-attr]
        self._validate(request.method, path, body, files, route)
        call = Call(request, record, params, body, files)
        response = await route.handler(call)
        body_out: Any = None
        if response.body is not None and response.content_type == "application/json":
            body_out = json.loads(response.body)  # type: ignore[arg-type]
        return response, body_out

    def _match(self, method: str, path: str) -> Route | None:
        """The most specific registered route for the method and path."""
        best: Route | None = None
        for route in self._routes:
            matches = route.method == method and route.regex.fullmatch(path)
            if matches and (best is None or route.literal > best.literal):
                best = route
        return best

    def _validate(self, method: str, path: str, body: Any, files: list[dict[str, Any]], route: Route) -> None:
        """OpenAPI schema first, then Discord's explicit limits; 400 like Discord on failure."""
        errors: dict[str, Any] = {}
        if self.spec is not None and body is not None:
            op = self.spec.find(method, path)
            if op is not None:
                errors = self.spec.validate(op, body) or {}
        empty = False
        check = route.body_check
        if check is not None and isinstance(body, (dict, list)):
            extra: dict[str, Any] = {}
            if check == "message_create":
                extra, empty = limits.check_message(body, creating=True, has_files=bool(files))
            elif check == "message_edit":
                extra, _ = limits.check_message(body, creating=False)
            elif check == "commands":
                extra = limits.check_command_list(body)
            elif check == "command":
                extra = {}
                limits.check_command(extra, [], body)
            elif check == "callback" and isinstance(body, dict):
                data = body.get("data")
                if body.get("type") == CB_MESSAGE:
                    sub, empty = limits.check_message(data or {}, creating=True, has_files=bool(files))
                    extra = {"data": sub} if sub else {}
                elif body.get("type") == CB_MODAL:
                    sub = limits.check_modal(data)
                    extra = {"data": sub} if sub else {}
                elif body.get("type") == CB_AUTOCOMPLETE:
                    sub = limits.check_autocomplete(data)
                    extra = {"data": sub} if sub else {}
                elif body.get("type") == CB_UPDATE_MESSAGE and isinstance(data, dict):
                    sub, _ = limits.check_message(data, creating=False)
                    extra = {"data": sub} if sub else {}
            merge_errors(errors, extra)
        if errors:
            raise invalid_form(errors)
        if empty:
            raise DiscordError(400, "Cannot send an empty message", 50006)

    def _register_routes(self) -> None:
        """Every REST route the double serves; anything else is a loud 404."""
        r = self.route

        @r("GET", "/users/@me")
        async def me(call: Call) -> web.Response:
            return json_response(
                {
                    **self.bot.payload(),
                    "verified": True,
                    "mfa_enabled": False,
                    "locale": "en-US",
                    "email": None,
                }
            )

        @r("GET", "/users/{user_id}")
        async def get_user(call: Call) -> web.Response:
            user = self.users.get(call.int_param("user_id"))
            if user is None:
                raise unknown("User", 10013)
            return json_response(user.payload())

        @r("GET", "/oauth2/applications/@me")
        async def app_info(call: Call) -> web.Response:
            return json_response(self._application_payload())

        @r("GET", "/applications/@me")
        async def app_me(call: Call) -> web.Response:
            return json_response(self._application_payload())

        @r("GET", "/gateway", auth=False)
        async def gateway(call: Call) -> web.Response:
            return json_response({"url": self.gateway_url})

        @r("GET", "/gateway/bot")
        async def gateway_bot(call: Call) -> web.Response:
            limit = {"total": 1000, "remaining": 999, "reset_after": 86_400_000, "max_concurrency": 1}
            shards = self.gateway.shard_count
            return json_response({"url": self.gateway_url, "shards": shards, "session_start_limit": limit})

        for prefix in ("/applications/{application_id}", "/applications/{application_id}/guilds/{guild_id}"):
            r("GET", prefix + "/commands")(self._list_commands)
            r("PUT", prefix + "/commands", check="commands")(self._put_commands)
            r("POST", prefix + "/commands", check="command")(self._post_command)
            r("GET", prefix + "/commands/{command_id}")(self._get_command)
            r("PATCH", prefix + "/commands/{command_id}", check="command")(self._patch_command)
            r("DELETE", prefix + "/commands/{command_id}")(self._delete_command)

        r(
            "POST",
            "/interactions/{interaction_id}/{interaction_token}/callback",
            auth=False,
            check="callback",
        )(self._callback)
        r("POST", "/webhooks/{webhook_id}/{webhook_token}", auth=False, check="message_create")(
            self._followup
        )
        for verb, handler, check in (
            ("GET", self._get_webhook_message, None),
            ("PATCH", self._edit_webhook_message, "message_edit"),
            ("DELETE", self._delete_webhook_message, None),
        ):
            r(verb, "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", auth=False, check=check)(
                handler
            )

        @r("POST", "/channels/{channel_id}/messages", check="message_create")
        async def create_message(call: Call) -> web.Response:
            channel_id = call.int_param("channel_id")
            body = call.body if isinstance(call.body, dict) else {}
            ref = body.get("message_reference")
            self._check_can_send(channel_id, reply=isinstance(ref, dict) and ref.get("type", 0) == 0)
            if isinstance(ref, dict) and ref.get("message_id") is not None:
                target = self.messages.get(int(ref["message_id"]))
                ref_channel = int(ref.get("channel_id") or channel_id)
                if (target is None or target.deleted or target.channel_id != ref_channel) and ref.get(
                    "fail_if_not_exists", True
                ):
                    errors: dict[str, Any] = {}
                    add_error(
                        errors, ["message_reference"], "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
                    )
                    raise invalid_form(errors)
                if target is None:
                    body = {**body, "message_reference": None}
            msg = self._new_bot_message(channel_id, body, via="channel", files=call.files)
            await self._echo("MESSAGE_CREATE", msg)
            return json_response(self._message_payload(msg))

        @r("GET", "/channels/{channel_id}/messages")
        async def list_messages(call: Call) -> web.Response:
            channel_id = call.int_param("channel_id")
            self._channel_payload(channel_id)
            limit = int(call.request.query.get("limit", "50"))
            found = [
                m
                for m in self.messages.values()
                if m.channel_id == channel_id and not m.deleted and not m.ephemeral
            ]
            return json_response([self._message_payload(m) for m in reversed(found)][:limit])

        @r("GET", "/channels/{channel_id}/messages/{message_id}")
        async def get_message(call: Call) -> web.Response:
            channel_id = call.int_param("channel_id")
            guild = self._guild_of_channel(channel_id)
            if (
                guild is not None
                and not guild.channel_permissions(self.bot.id, channel_id) & P_READ_MESSAGE_HISTORY
            ):
                raise DiscordError(403, "Missing Access", 50001)
            return json_response(
                self._message_payload(self._channel_message(channel_id, call.int_param("message_id")))
            )

        @r("PATCH", "/channels/{channel_id}/messages/{message_id}", check="message_edit")
        async def edit_message(call: Call) -> web.Response:
            msg = self._channel_message(call.int_param("channel_id"), call.int_param("message_id"))
            if msg.author.id != self.bot.id:
                raise DiscordError(403, "Cannot edit a message authored by another user", 50005)
            self._apply_edit(msg, call.body if isinstance(call.body, dict) else {}, call.files)
            await self._echo("MESSAGE_UPDATE", msg)
            return json_response(self._message_payload(msg))

        @r("DELETE", "/channels/{channel_id}/messages/{message_id}")
        async def delete_message(call: Call) -> web.Response:
            channel_id = call.int_param("channel_id")
            msg = self._channel_message(channel_id, call.int_param("message_id"))
            guild = self._guild_of_channel(channel_id)
            if msg.author.id != self.bot.id and (
                guild is None or not guild.channel_permissions(self.bot.id, channel_id) & P_MANAGE_MESSAGES
            ):
                raise DiscordError(403, "Missing Permissions", 50013)
            msg.deleted = True
            return web.Response(status=204)

        @r("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me")
        async def add_reaction(call: Call) -> web.Response:
            msg = self._channel_message(call.int_param("channel_id"), call.int_param("message_id"))
            msg.reactions.append(unquote(call.params["emoji"]))
            return web.Response(status=204)

        @r("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me")
        async def remove_reaction(call: Call) -> web.Response:
            msg = self._channel_message(call.int_param("channel_id"), call.int_param("message_id"))
            emoji = unquote(call.params["emoji"])
            if emoji in msg.reactions:
                msg.reactions.remove(emoji)
            return web.Response(status=204)

        @r("POST", "/channels/{channel_id}/typing")
        async def typing(call: Call) -> web.Response:
            self._channel_payload(call.int_param("channel_id"))
            return web.Response(status=204)

        @r("GET", "/channels/{channel_id}")
        async def get_channel(call: Call) -> web.Response:
            return json_response(self._channel_payload(call.int_param("channel_id")))

        @r("POST", "/users/@me/channels")
        async def create_dm(call: Call) -> web.Response:
            body = call.body if isinstance(call.body, dict) else {}
            try:
                user_id = int(body.get("recipient_id"))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise DiscordError(400, "Invalid Recipient(s)", 50033) from None
            if user_id not in self.users or user_id == self.bot.id:
                raise DiscordError(400, "Invalid Recipient(s)", 50033)
            return json_response(self._channel_payload(self.dm_channel_id(user_id)))

        @r("GET", "/guilds/{guild_id}")
        async def get_guild(call: Call) -> web.Response:
            guild = self.guilds.get(call.int_param("guild_id"))
            if guild is None:
                raise unknown("Guild", 10004)
            data = self._guild_create_payload(guild, 0)
            for key in ("channels", "members", "threads", "presences", "voice_states"):
                data.pop(key, None)
            return json_response(data)

        @r("GET", "/guilds/{guild_id}/channels")
        async def guild_channels(call: Call) -> web.Response:
            guild = self.guilds.get(call.int_param("guild_id"))
            if guild is None:
                raise unknown("Guild", 10004)
            return json_response([c.payload(guild.id) for c in guild.channels if not c.is_thread])

        @r("GET", "/guilds/{guild_id}/roles")
        async def guild_roles(call: Call) -> web.Response:
            guild = self.guilds.get(call.int_param("guild_id"))
            if guild is None:
                raise unknown("Guild", 10004)
            return json_response([role.payload() for role in guild.roles])

        @r("GET", "/guilds/{guild_id}/members/{user_id}")
        async def guild_member(call: Call) -> web.Response:
            guild = self.guilds.get(call.int_param("guild_id"))
            if guild is None:
                raise unknown("Guild", 10004)
            if guild.member(call.int_param("user_id")) is None:
                raise unknown("Member", 10007)
            return json_response(self._member_payload(guild, call.int_param("user_id")))

    def _command_scope(self, call: Call) -> int | None:
        """None for global commands, the guild id for guild commands (403 if foreign)."""
        if call.int_param("application_id") != self.application_id:
            raise DiscordError(403, "Missing Access", 50001)
        if "guild_id" not in call.params:
            return None
        guild_id = call.int_param("guild_id")
        if guild_id not in self.guilds:
            raise DiscordError(403, "Missing Access", 50001)
        return guild_id

    def _store_command(
        self, scope: int | None, body: dict[str, Any], existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        """Save a command as Discord returns it, keeping the id of a same-named one."""
        ctype = body.get("type") or 1
        perms = body.get("default_member_permissions")
        cmd: dict[str, Any] = {
            "id": existing["id"] if existing else str(new_snowflake()),
            "application_id": str(self.application_id),
            "version": str(new_snowflake()),
            "type": ctype,
            "name": body["name"],
            "name_localizations": body.get("name_localizations"),
            "description": body.get("description") or "",
            "description_localizations": body.get("description_localizations"),
            "default_member_permissions": None if perms is None else str(perms),
            "dm_permission": body.get("dm_permission", True) if scope is None else None,
            "contexts": body.get("contexts"),
            "integration_types": body.get("integration_types") or [0],
            "nsfw": bool(body.get("nsfw")),
        }
        if cmd["dm_permission"] is None:
            del cmd["dm_permission"]
        if body.get("options"):
            cmd["options"] = strip_nones(body["options"])
        if scope is not None:
            cmd["guild_id"] = str(scope)
        self.commands.setdefault(scope, {})[int(cmd["id"])] = cmd
        return cmd

    async def _list_commands(self, call: Call) -> web.Response:
        """GET the registered commands."""
        return json_response(self.commands_for(self._command_scope(call)))

    async def _put_commands(self, call: Call) -> web.Response:
        """Bulk overwrite: the whole list replaces the scope (ids kept by name)."""
        scope = self._command_scope(call)
        body = call.body if isinstance(call.body, list) else []
        old = {(c["type"], c["name"]): c for c in self.commands.get(scope, {}).values()}
        self.commands[scope] = {}
        stored = [
            self._store_command(scope, item, old.get((item.get("type") or 1, item["name"]))) for item in body
        ]
        self.command_syncs.append((scope, [c["name"] for c in stored]))
        return json_response(stored)

    async def _post_command(self, call: Call) -> web.Response:
        """Create or update one command (201 when new)."""
        scope = self._command_scope(call)
        body = call.body if isinstance(call.body, dict) else {}
        existing = next(
            (
                c
                for c in self.commands.get(scope, {}).values()
                if c["name"] == body.get("name") and c["type"] == (body.get("type") or 1)
            ),
            None,
        )
        cmd = self._store_command(scope, body, existing)
        return json_response(cmd, status=200 if existing else 201)

    def _command(self, call: Call) -> tuple[int | None, dict[str, Any]]:
        """A registered command by id, else 404 Unknown application command."""
        scope = self._command_scope(call)
        cmd = self.commands.get(scope, {}).get(call.int_param("command_id"))
        if cmd is None:
            raise unknown("application command", 10063)
        return scope, cmd

    async def _get_command(self, call: Call) -> web.Response:
        """GET one command."""
        return json_response(self._command(call)[1])

    async def _patch_command(self, call: Call) -> web.Response:
        """PATCH one command."""
        scope, cmd = self._command(call)
        body = {**cmd, **(call.body if isinstance(call.body, dict) else {})}
        return json_response(self._store_command(scope, body, cmd))

    async def _delete_command(self, call: Call) -> web.Response:
        """DELETE one command."""
        scope, cmd = self._command(call)
        del self.commands[scope][int(cmd["id"])]
        return web.Response(status=204)

    async def _callback(self, call: Call) -> web.Response:
        """The interaction response: deadline, single ack, then its effect on messages."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        try:
            inter = self.interactions.get(int(call.params["interaction_id"]))
        except ValueError:
            inter = None
        body = call.body if isinstance(call.body, dict) else {}
        if inter is None or inter.token != call.params["interaction_token"]:
            raise unknown("interaction", 10062)
        if inter.acknowledged:
            inter.rejected.append(Rejection(40060, now - inter.dispatched_at, body))
            raise DiscordError(400, "Interaction has already been acknowledged.", 40060)
        if now > inter.deadline:
            inter.rejected.append(Rejection(10062, now - inter.dispatched_at, body))
            log.warning(
                "discord double: interaction %s answered %.3fs after dispatch (deadline %.3fs)",
                inter.id,
                now - inter.dispatched_at,
                inter.deadline - inter.dispatched_at,
            )
            raise unknown("interaction", 10062)
        ctype = body.get("type")
        if ctype not in ALLOWED_CALLBACKS.get(inter.type, set()):
            errors: dict[str, Any] = {}
            add_error(
                errors,
                ["type"],
                "INTERACTION_CALLBACK_TYPE_INVALID",
                f"Callback type {ctype} is not valid for this interaction",
            )
            raise invalid_form(errors)
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        inter.callback_type, inter.callback_at, inter.callback_data = ctype, now, data
        message: MessageRecord | None = None
        if ctype == CB_MESSAGE:
            message = self._new_bot_message(
                inter.channel_id, data, via="interaction", files=call.files, interaction=inter
            )
            inter.original_message_id = message.id
            await self._echo("MESSAGE_CREATE", message)
        elif ctype == CB_DEFERRED_MESSAGE:
            flags = MESSAGE_FLAG_LOADING | (int(data.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL)
            message = self._new_bot_message(
                inter.channel_id, {}, via="interaction", files=[], interaction=inter, flags=flags
            )
            inter.original_message_id = message.id
        elif ctype in (CB_DEFERRED_UPDATE, CB_UPDATE_MESSAGE):
            message = self.messages.get(inter.component_message_id or 0)
            inter.original_message_id = message.id if message else None
            if ctype == CB_UPDATE_MESSAGE and message is not None:
                self._apply_edit(message, data, call.files)
                await self._echo("MESSAGE_UPDATE", message)
        self._changed()
        if not call.flag("with_response"):
            return web.Response(status=204)
        interaction: dict[str, Any] = {"id": str(inter.id), "type": inter.type}
        if inter.guild_id:
            interaction["guild_id"] = str(inter.guild_id)
        interaction["channel_id"] = str(inter.channel_id)
        result: dict[str, Any] = {"interaction": interaction}
        if message is not None:
            interaction["response_message_id"] = str(message.id)
            interaction["response_message_loading"] = message.loading
            interaction["response_message_ephemeral"] = message.ephemeral
            if ctype in (CB_MESSAGE, CB_UPDATE_MESSAGE):
                result["resource"] = {"type": ctype, "message": self._message_payload(message)}
        return json_response(result)

    def _webhook_interaction(self, call: Call) -> InteractionRecord:
        """The interaction behind a webhook token; only usable after the ack."""
        try:
            webhook_id = int(call.params["webhook_id"])
        except ValueError:
            raise unknown("Webhook", 10015) from None
        token = call.params["webhook_token"]
        inter = next((i for i in self.interactions.values() if i.token == token), None)
        if webhook_id != self.application_id or inter is None or not inter.acknowledged:
            raise unknown("Webhook", 10015)
        if asyncio.get_running_loop().time() - inter.dispatched_at > self.interaction_token_ttl:
            raise DiscordError(401, "Invalid Webhook Token", 50027)
        return inter

    def _webhook_message(self, call: Call, inter: InteractionRecord) -> MessageRecord:
        """@original or one of this interaction's follow-ups."""
        raw = call.params["message_id"]
        if raw == "@original":
            if inter.original_message_id is None:
                raise unknown("Message", 10008)
            msg = self.messages[inter.original_message_id]
        else:
            try:
                message_id = int(raw)
            except ValueError:
                raise unknown("Message", 10008) from None
            if message_id != inter.original_message_id and message_id not in inter.followup_ids:
                raise unknown("Message", 10008)
            msg = self.messages[message_id]
        if msg.deleted:
            raise unknown("Message", 10008)
        return msg

    async def _followup(self, call: Call) -> web.Response:
        """POST /webhooks/{app}/{token}: a follow-up (or the fill of a deferral)."""
        inter = self._webhook_interaction(call)
        body = call.body if isinstance(call.body, dict) else {}
        original = self.messages.get(inter.original_message_id or 0)
        if (
            original is not None
            and original.loading
            and not original.deleted
            and inter.callback_type == CB_DEFERRED_MESSAGE
        ):
            # The first follow-up after a deferral fills the "thinking" message, whatever its flags
            # (Discord behaviour); once that message is deleted, a follow-up is a message of its own.
            self._apply_edit(original, {k: v for k, v in body.items() if k != "flags"}, call.files)
            original.flags &= ~MESSAGE_FLAG_LOADING
            msg = original
            await self._echo("MESSAGE_CREATE", msg)
        else:
            msg = self._new_bot_message(
                inter.channel_id, body, via="followup", files=call.files, interaction=inter
            )
            inter.followup_ids.append(msg.id)
            await self._echo("MESSAGE_CREATE", msg)
        self._changed()
        if not call.flag("wait"):
            return web.Response(status=204)
        return json_response(self._message_payload(msg))

    async def _get_webhook_message(self, call: Call) -> web.Response:
        """GET @original or a follow-up."""
        inter = self._webhook_interaction(call)
        return json_response(self._message_payload(self._webhook_message(call, inter)))

    async def _edit_webhook_message(self, call: Call) -> web.Response:
        """PATCH @original or a follow-up."""
        inter = self._webhook_interaction(call)
        msg = self._webhook_message(call, inter)
        was_loading = msg.loading
        self._apply_edit(msg, call.body if isinstance(call.body, dict) else {}, call.files)
        msg.flags &= ~MESSAGE_FLAG_LOADING
        await self._echo("MESSAGE_CREATE" if was_loading else "MESSAGE_UPDATE", msg)
        self._changed()
        return json_response(self._message_payload(msg))

    async def _delete_webhook_message(self, call: Call) -> web.Response:
        """DELETE @original or a follow-up."""
        inter = self._webhook_interaction(call)
        msg = self._webhook_message(call, inter)
        msg.deleted = True
        self._changed()
        return web.Response(status=204)
