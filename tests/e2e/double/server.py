"""DiscordDouble: a loopback Discord (REST + gateway in one aiohttp app) for end-to-end tests.

The real discord.py runs against it unchanged; only `Route.BASE` and
`DiscordWebSocket.DEFAULT_GATEWAY` are pointed at 127.0.0.1. The double enforces what Discord
enforces (auth, OpenAPI request schemas, length limits, the 3 s interaction deadline, single
acknowledgement) and records everything so tests can assert on what the bot actually sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator

from aiohttp import web

from .common import API_PREFIX, CB_DEFERRED_UPDATE, CDN_PREFIX, T, json_response, log
from .models import InteractionRecord, MessageRecord, RecordedRequest
from .routes import Routes
from .spec import compile_template

# How long a test waits for the bot to do something. Not one of Discord's deadlines (the double
# enforces those itself, and answers 404 to a late reply): a wait, generous so that a machine
# whose cores are busy with other work still passes (the suite is run with both cores loaded).
WAIT = 30.0


class DiscordDouble(Routes):
    """A fake Discord on 127.0.0.1 that the real discord.py talks to.

    Construct with the bot's ids, users and guilds; `await start()`; patch discord.py with
    `patch_discord()` (or use `async with double:` which does both); drive it with
    `slash_command`, `button_click`, `user_message`; assert with `wait_for_response`,
    `wait_for_message`, `requests` and `gateway_frames`.
    """

    async def start(self, port: int = 0) -> DiscordDouble:
        """Bind 127.0.0.1 on ``port`` (0: a free one) and serve REST under /api/v10 and the gateway."""
        self._event = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway/resume", self.gateway.handle)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        app.router.add_get(CDN_PREFIX + "/{owner}/{attachment_id}/{filename}", self._cdn)
        app.router.add_route("*", "/{tail:.*}", self._not_api)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.rest_base = f"http://127.0.0.1:{self.port}{API_PREFIX}"
        self.gateway_url = f"ws://127.0.0.1:{self.port}/gateway"
        self.resume_gateway_url = f"ws://127.0.0.1:{self.port}/gateway/resume"
        log.info("discord double listening on 127.0.0.1:%d", self.port)
        return self

    async def _cdn(self, request: web.Request) -> web.Response:
        """An attached file's bytes, as cdn.discordapp.com serves them (no bot token needed)."""
        upload = self.uploads.get(int(request.match_info["attachment_id"]))
        if upload is None or upload.filename != request.match_info["filename"]:
            return json_response({"message": "404: Not Found", "code": 0}, status=404)
        return web.Response(body=upload.data, content_type=upload.content_type.split(";")[0])

    async def stop(self) -> None:
        """Close gateway connections and the HTTP server."""
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordDouble:
        await self.start()
        self._patch_cm = self.patch_discord()
        self._patch_cm.__enter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._patch_cm.__exit__(None, None, None)
        await self.stop()

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[DiscordDouble]:
        """Point discord.py's REST base and default gateway at the double; restored on exit."""
        import yarl
        from discord.gateway import DiscordWebSocket
        from discord.http import Route

        if not self.rest_base:
            raise RuntimeError("start() the double before patching discord.py")
        old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
        Route.BASE = self.rest_base
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield self
        finally:
            Route.BASE = old_base
            DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    async def wait_until(
        self,
        predicate: Callable[[], T | None],
        timeout: float = WAIT,  # noqa: ASYNC109
        what: str = "condition",
    ) -> T:
        """Await until `predicate()` returns something other than None/False; return it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result is not None and result is not False:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"discord double: timed out after {timeout}s waiting for {what}")
            event = self._event
            assert event is not None, "double not started"
            with contextlib.suppress(TimeoutError):
                # Woken by the double's own changes; the short cap lets predicates over the
                # bot's state (not the double's) be polled too.
                await asyncio.wait_for(event.wait(), min(remaining, 0.02))

    async def wait_until_identified(
        self,
        timeout: float = WAIT,  # noqa: ASYNC109
        count: int = 1,
    ) -> None:
        """Until the bot has sent IDENTIFY `count` times and got READY + GUILD_CREATEs."""
        await self.wait_until(
            lambda: self.gateway.identify_count >= count and self.gateway.active is not None,
            timeout,
            f"IDENTIFY #{count}",
        )

    async def wait_until_resumed(
        self,
        timeout: float = WAIT,  # noqa: ASYNC109
        count: int = 1,
    ) -> None:
        """Until the bot has RESUMEd `count` times and the connection is live again."""
        await self.wait_until(
            lambda: (
                self.gateway.resume_count >= count
                and self.gateway.active is not None
                and self.gateway.active.live
            ),
            timeout,
            f"RESUME #{count}",
        )

    async def wait_for_request(
        self,
        method: str,
        template: str,
        timeout: float = WAIT,  # noqa: ASYNC109
        since: int = 0,
    ) -> RecordedRequest:
        """First recorded request (from index `since`) matching method and path template."""
        regex, _ = compile_template(template)

        def find() -> RecordedRequest | None:
            for req in self.requests[since:]:
                if req.status and req.method == method.upper() and regex.fullmatch(req.path):
                    return req
            return None

        return await self.wait_until(find, timeout, f"{method} {template}")

    async def wait_for_message(
        self,
        channel_id: int,
        timeout: float = WAIT,  # noqa: ASYNC109
        predicate: Callable[[MessageRecord], bool] | None = None,
        from_bot: bool = True,
    ) -> MessageRecord:
        """Next not-yet-returned message in the channel (by the bot unless from_bot=False).

        Each channel has a read cursor: successive calls return successive messages, so
        `await wait_for_message(ch)` after an action returns what that action produced.
        """

        key = (channel_id, from_bot)

        def find() -> MessageRecord | None:
            records = self.channel_messages(channel_id, include_users=not from_bot)
            for index in range(self._cursors.get(key, 0), len(records)):
                if predicate is None or predicate(records[index]):
                    self._cursors[key] = index + 1
                    return records[index]
            return None

        return await self.wait_until(find, timeout, f"a message in channel {channel_id}")

    async def wait_for_ack(
        self,
        interaction: InteractionRecord | int,
        timeout: float = WAIT,  # noqa: ASYNC109
    ) -> InteractionRecord:
        """Until the interaction's first callback was accepted."""
        record = self._interaction(interaction)
        return await self.wait_until(
            lambda: record if record.acknowledged else None, timeout, f"ack of {record.id}"
        )

    async def wait_for_response(
        self,
        interaction: InteractionRecord | int,
        timeout: float = WAIT,  # noqa: ASYNC109
        predicate: Callable[[MessageRecord], bool] | None = None,
    ) -> MessageRecord:
        """The interaction's original response message once it is visible to the user.

        Visible means: a type 4/7 callback, or a deferral (5) that was later filled by an edit
        of @original or a follow-up, or a deferred update (6) whose message was then edited.
        The record is live: later edits update it. `predicate` adds a condition.
        """
        record = self._interaction(interaction)

        def find() -> MessageRecord | None:
            if not record.acknowledged or record.original_message_id is None:
                return None
            message = self.messages[record.original_message_id]
            if message.loading:
                return None
            if record.callback_type == CB_DEFERRED_UPDATE and not message.history:
                return None
            if predicate is not None and not predicate(message):
                return None
            return message

        return await self.wait_until(find, timeout, f"response to interaction {record.id}")
