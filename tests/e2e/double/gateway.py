"""The gateway half of the double: HELLO, IDENTIFY/READY, heartbeats, RESUME replay, test hooks.

Sharding as Discord does it: IDENTIFY may carry ``shard: [id, count]``; a double made with
``shards=N`` (N > 1) closes an IDENTIFY without one with 4011 "Sharding required", and one whose
id is not below its count with 4010 "Invalid shard". Each shard has its own session; a guild
belongs to shard ``(guild_id >> 22) % count`` (its READY and GUILD_CREATE go there, and so do its
events); direct messages go to shard 0. Without sharding everything is shard 0.

Frames go out zlib-stream compressed when the client asks for it (discord.py does), so the
client's real decompression path runs; otherwise as text JSON.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .models import PRIVILEGED_INTENTS

if TYPE_CHECKING:
    from .payloads import Payloads

log = logging.getLogger("byline.discord_double")

OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE_UPDATE = 3
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_GUILD_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11
KNOWN_CLIENT_OPS = {OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE_UPDATE, 4, OP_RESUME, OP_REQUEST_GUILD_MEMBERS}


@dataclass
class GatewayFrame:
    """One gateway frame in either direction (tokens redacted), for assertions like "op 6 seen"."""

    direction: str  # "recv" (from the bot) or "send" (to the bot)
    op: int
    t: str | None
    s: int | None
    d: Any
    connection: int


def shard_of(guild_id: int | None, count: int) -> int:
    """The shard a guild's events go to (Discord's formula); DMs (no guild) go to shard 0."""
    return 0 if guild_id is None else (guild_id >> 22) % count


@dataclass
class Session:
    """A gateway session: its id, sequence and the event log that RESUME replays from."""

    id: str
    intents: int
    shard: list[int] | None
    seq: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    valid: bool = True

    @property
    def shard_id(self) -> int:
        return self.shard[0] if self.shard else 0

    def serves(self, guild_id: int | None) -> bool:
        """Whether this session's shard receives the events of ``guild_id`` (None: DMs)."""
        return self.shard is None or shard_of(guild_id, self.shard[1]) == self.shard[0]


class Connection:
    """One websocket connection from the bot."""

    def __init__(self, number: int, ws: web.WebSocketResponse, request: web.Request) -> None:
        self.number = number
        self.ws = ws
        self.request = request
        self.path = request.path
        self.query = dict(request.query)
        self.compress = self.query.get("compress") == "zlib-stream"
        self._zlib = zlib.compressobj() if self.compress else None
        self.session: Session | None = None
        self.live = False  # identified or resumed: dispatches may flow
        self.client_close_code: int | None = None  # the code the bot closed with, if it did
        self.lock = asyncio.Lock()

    async def send(self, payload: dict[str, Any]) -> None:
        """Send one frame, compressed into the connection's zlib stream if negotiated."""
        text = json.dumps(payload, separators=(",", ":"))
        if self._zlib is not None:
            data = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
            await self.ws.send_bytes(data)
        else:
            await self.ws.send_str(text)


def _redact(op: int, d: Any) -> Any:
    if op in (OP_IDENTIFY, OP_RESUME) and isinstance(d, dict) and "token" in d:
        return {**d, "token": "<redacted>"}
    return d


class Gateway:
    """Gateway state machine bound to a DiscordDouble (which supplies guilds, users and tokens)."""

    def __init__(self, double: Payloads, shards: int = 1) -> None:
        self.double = double
        self.shard_count = shards  # what GET /gateway/bot recommends; more than 1: IDENTIFY must shard
        self.frames: list[GatewayFrame] = []
        self.sessions: dict[int, Session] = {}  # by shard id (0 without sharding)
        self.actives: dict[int, Connection] = {}  # the live connection of each shard
        self.connections: list[Connection] = []
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeat_interval_ms = 41250

    @property
    def session(self) -> Session | None:
        """Shard 0's session (the only one without sharding)."""
        return self.sessions.get(0)

    @property
    def active(self) -> Connection | None:
        """Shard 0's live connection (the only one without sharding)."""
        return self.actives.get(0)

    def _session_for(self, data: Any) -> Session | None:
        guild_id = data.get("guild_id") if isinstance(data, dict) else None
        wanted = int(guild_id) if guild_id is not None else None
        return next((s for s in self.sessions.values() if s.valid and s.serves(wanted)), None) or (
            self.sessions.get(shard_of(wanted, self.shard_count))
        )

    def _forget_active(self, conn: Connection) -> None:
        for shard, active in list(self.actives.items()):
            if active is conn:
                del self.actives[shard]

    # ---- websocket endpoint -------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        """aiohttp handler for /gateway and /gateway/resume."""
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = Connection(len(self.connections) + 1, ws, request)
        self.connections.append(conn)
        log.info("gateway connection #%d on %s (compress=%s)", conn.number, conn.path, conn.compress)
        if conn.query.get("v", "10") != "10":
            await ws.close(code=4012, message=b"Invalid API version")
            return ws
        if conn.query.get("encoding", "json") != "json":
            await ws.close(code=4002, message=b"Decode error")
            return ws
        await self._send(
            conn,
            {"op": OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["double"]}},
        )
        try:
            while True:
                msg = await ws.receive()
                if msg.type == WSMsgType.CLOSE:
                    conn.client_close_code = int(msg.data) if msg.data is not None else None
                    break
                if msg.type in (WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                    break
                if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    continue
                try:
                    frame = json.loads(msg.data)
                except ValueError:
                    await ws.close(code=4002, message=b"Decode error")
                    break
                try:
                    await self._on_frame(conn, frame)
                except Exception as exc:  # a bug in the double: record it, keep serving
                    log.exception("discord double: internal gateway error")
                    self.double.internal_errors.append(f"gateway op {frame.get('op')}: {exc!r}")
        finally:
            self._on_closed(conn)
        return ws

    def _on_closed(self, conn: Connection) -> None:
        """Forget a closed connection; a clean client close ends the session."""
        code = conn.client_close_code
        log.info("gateway connection #%d closed (bot's close code %s)", conn.number, code)
        self._forget_active(conn)
        # A clean close by the bot (1000/1001) ends its session, as on Discord.
        session = conn.session
        if code in (1000, 1001) and session is not None and session is self.sessions.get(session.shard_id):
            session.valid = False
        self.double._changed()

    async def _send(self, conn: Connection, payload: dict[str, Any]) -> None:
        """Record and send one frame (silently dropped if the socket is gone)."""
        self.frames.append(
            GatewayFrame(
                "send", payload["op"], payload.get("t"), payload.get("s"), payload.get("d"), conn.number
            )
        )
        if conn.ws.closed:
            return
        try:
            await conn.send(payload)
        except (ConnectionResetError, RuntimeError):
            log.info("gateway connection #%d went away while sending", conn.number)

    async def _on_frame(self, conn: Connection, frame: dict[str, Any]) -> None:
        """One frame from the bot."""
        op = frame.get("op")
        d = frame.get("d")
        self.frames.append(
            GatewayFrame(
                "recv", op if isinstance(op, int) else -1, None, None, _redact(op or -1, d), conn.number
            )
        )
        self.double._changed()
        if op == OP_HEARTBEAT:
            await self._send(conn, {"op": OP_HEARTBEAT_ACK, "d": None})
        elif op == OP_IDENTIFY:
            await self._identify(conn, d or {})
        elif op == OP_RESUME:
            await self._resume(conn, d or {})
        elif op == OP_REQUEST_GUILD_MEMBERS:
            await self._members_chunk(conn, d or {})
        elif op in KNOWN_CLIENT_OPS:
            pass  # presence / voice state updates: recorded above, nothing to answer
        else:
            await conn.ws.close(code=4001, message=b"Unknown opcode")

    async def _identify(self, conn: Connection, d: dict[str, Any]) -> None:
        """IDENTIFY: check token and intents, start a session, send READY + GUILD_CREATEs."""
        if d.get("token") != self.double.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if conn.live:
            await conn.ws.close(code=4005, message=b"Already authenticated.")
            return
        intents = int(d.get("intents", 0))
        if intents & PRIVILEGED_INTENTS & ~self.double.allowed_privileged_intents:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        shard = d.get("shard")
        if shard is None and self.shard_count > 1:
            await conn.ws.close(code=4011, message=b"Sharding required.")
            return
        if shard is not None and not (
            isinstance(shard, list)
            and len(shard) == 2
            and all(type(n) is int for n in shard)
            and 0 <= shard[0] < shard[1]
        ):
            await conn.ws.close(code=4010, message=b"Invalid shard.")
            return
        if shard is not None and shard[1] < self.shard_count:
            await conn.ws.close(code=4011, message=b"Sharding required.")
            return
        self.identify_count += 1
        session = Session(id=secrets.token_hex(16), intents=intents, shard=shard)
        previous = self.sessions.get(session.shard_id)
        if previous is not None:
            previous.valid = False
        self.sessions[session.shard_id] = session
        conn.session = session
        self.actives[session.shard_id] = conn
        conn.live = True
        await self._dispatch_now(conn, "READY", self.double._ready_payload(session))
        for guild in self.double.guilds.values():
            if session.serves(guild.id):
                payload = self.double._guild_create_payload(guild, intents)
                await self._dispatch_now(conn, "GUILD_CREATE", payload)
        self.double._changed()

    async def _resume(self, conn: Connection, d: dict[str, Any]) -> None:
        """RESUME: replay what the bot missed, then RESUMED; op 9 if the session is gone."""
        if d.get("token") != self.double.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        session = next((s for s in self.sessions.values() if s.id == d.get("session_id")), None)
        seq = d.get("seq")
        if (
            session is None
            or not session.valid
            or d.get("session_id") != session.id
            or not isinstance(seq, int)
            or seq > session.seq
        ):
            await self._send(conn, {"op": OP_INVALID_SESSION, "d": False})
            return
        self.resume_count += 1
        conn.session = session
        self.actives[session.shard_id] = conn
        async with conn.lock:
            sent = seq
            while pending := [e for e in session.events if e["s"] > sent]:
                for event in pending:  # events queued meanwhile are picked up by the next pass
                    await self._send(conn, event)
                    sent = event["s"]
            conn.live = True
            await self._dispatch_locked(conn, "RESUMED", {"_trace": ["double"]})
        self.double._changed()

    async def _members_chunk(self, conn: Connection, d: dict[str, Any]) -> None:
        """REQUEST_GUILD_MEMBERS → GUILD_MEMBERS_CHUNK."""
        guild_ids = d.get("guild_id")
        ids = guild_ids if isinstance(guild_ids, list) else [guild_ids]
        for raw in ids:
            guild = self.double.guilds.get(int(raw))
            if guild is None:
                continue
            members = [self.double._member_payload(guild, m.user_id) for m in guild.members]
            query = d.get("query")
            if query:
                members = [m for m in members if m["user"]["username"].startswith(query)]
            user_ids = d.get("user_ids")
            if user_ids:
                wanted = {str(u) for u in (user_ids if isinstance(user_ids, list) else [user_ids])}
                members = [m for m in members if m["user"]["id"] in wanted]
            chunk: dict[str, Any] = {
                "guild_id": str(guild.id),
                "members": members,
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [],
            }
            if d.get("nonce"):
                chunk["nonce"] = d["nonce"]
            await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    # ---- dispatching --------------------------------------------------------------------
    async def _dispatch_now(self, conn: Connection, event: str, data: dict[str, Any]) -> None:
        """Dispatch on a live connection, in sequence order."""
        async with conn.lock:
            await self._dispatch_locked(conn, event, data)

    async def _dispatch_locked(self, conn: Connection, event: str, data: dict[str, Any]) -> None:
        """Assign the next sequence number, log for replay, send."""
        session = conn.session
        assert session is not None
        session.seq += 1
        frame = {"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data}
        session.events.append(frame)
        await self._send(conn, frame)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send an event to the shard it belongs to, or log it for RESUME replay while that shard
        is disconnected."""
        session = self._session_for(data)
        if session is None or not session.valid:
            raise RuntimeError(f"cannot dispatch {event}: the bot has no gateway session (not identified)")
        conn = self.actives.get(session.shard_id)
        if conn is not None and conn.live and conn.session is session:
            await self._dispatch_now(conn, event, data)
        else:
            session.seq += 1
            session.events.append({"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data})
            log.info("gateway: %s queued (s=%d) until the bot resumes", event, session.seq)

    def wants(self, intent: int) -> bool:
        """Whether the current session subscribed to an intent (events are filtered like Discord)."""
        return self.session is not None and bool(self.session.intents & intent)

    # ---- test hooks ---------------------------------------------------------------------
    async def drop(self, code: int | None = None) -> None:
        """Kill the live connection: abort the TCP stream (code None) or close with a code."""
        conn = self.active
        if conn is None:
            raise RuntimeError("no live gateway connection to drop")
        conn.live = False
        self._forget_active(conn)
        if code is None:
            transport = conn.request.transport
            if transport is not None:
                transport.abort()
                return
            code = 4000
        await conn.ws.close(code=code, message=b"dropped by test")

    async def invalidate(self, resumable: bool = False) -> None:
        """Send op 9; with resumable False the session is gone and the bot must re-IDENTIFY."""
        conn = self.active
        if conn is None:
            raise RuntimeError("no live gateway connection")
        if not resumable and self.session is not None:
            self.session.valid = False
        conn.live = False
        await self._send(conn, {"op": OP_INVALID_SESSION, "d": resumable})

    async def reconnect(self) -> None:
        """Send op 7 RECONNECT: the bot should reconnect and RESUME."""
        conn = self.active
        if conn is None:
            raise RuntimeError("no live gateway connection")
        conn.live = False
        await self._send(conn, {"op": OP_RECONNECT, "d": None})

    async def close_all(self) -> None:
        """Close every connection (used by DiscordDouble.stop)."""
        for conn in self.connections:
            if not conn.ws.closed:
                await conn.ws.close(code=1001, message=b"double stopping")
