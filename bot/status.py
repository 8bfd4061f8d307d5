"""The running bot's status file, which ``byline status`` (and a container's HEALTHCHECK) reads.

The bot rewrites it every ``WRITE_EVERY`` seconds and whenever the gateway connects or drops:
``byline.db`` -> ``byline.db.status.json``, in the data directory. It is replaced atomically
(written beside it under an unguessable name, then renamed), so a reader never sees half a file.
A file not rewritten for ``STALE_AFTER`` seconds means the bot is not running (killed, or the host
rebooted); a clean stop marks it stopped. No discord import here: the bot hands in a snapshot of its state.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger("byline.status")

STATUS_SUFFIX = ".status.json"
WRITE_EVERY = 15.0
STALE_AFTER = 3 * WRITE_EVERY


def status_file(database: Path, shard_ids: Sequence[int] | None = None) -> Path:
    """Where the bot keeps its status, named after the database. With shards split across
    processes, the one holding shard 0 keeps this file (``byline status`` reads it); each other
    one keeps its own, named after its shards (``byline.db.shards-1-2.status.json``)."""
    if shard_ids is None or 0 in shard_ids:
        return database.with_name(database.name + STATUS_SUFFIX)
    shards = "-".join(str(n) for n in sorted(shard_ids))
    return database.with_name(f"{database.name}.shards-{shards}{STATUS_SUFFIX}")


def write_status(path: Path, state: dict[str, Any]) -> None:
    """Replace the status file with ``state`` and the time now; a failure is logged, not raised.

    Written to a new file under a name nobody can guess (``mkstemp``: ``O_EXCL | O_NOFOLLOW``, so a
    link planted in the folder is never written through), then renamed over the status file."""
    temporary: str | None = None
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), 0o644)  # readable by `byline status` run as another user
            file.write(json.dumps({**state, "updated_at": time.time()}) + "\n")
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        log.warning("could not write the status file %s: %s", path, error)
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


class StatusKeeper:
    """Writes ``snapshot()`` to the status file now, on every ``update``, and every ``every`` seconds."""

    def __init__(
        self, path: Path, snapshot: Callable[[], dict[str, Any]], every: float = WRITE_EVERY
    ) -> None:
        self.path = path
        self.snapshot = snapshot
        self.every = every
        self.started_at = time.time()
        self._task: asyncio.Task[None] | None = None

    def update(self, **extra: Any) -> None:
        write_status(
            self.path, {"pid": os.getpid(), "started_at": self.started_at, **self.snapshot(), **extra}
        )

    def start(self) -> None:
        self.update()
        self._task = asyncio.create_task(self._keep(), name="byline-status")

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            self.update()

    async def stop(self) -> None:
        """Stop rewriting the file and mark the bot stopped."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.update(connected=False, stopped=True)


@dataclass(frozen=True)
class BotStatus:
    """What the status file says about the bot: running (fresh, not stopped) and connected."""

    running: bool
    connected: bool
    detail: str
    updated_at: float | None = None
    latency_ms: float | None = None
    pid: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "running": self.running,
            "connected": self.connected,
            "detail": self.detail,
            "updated_at": _iso(self.updated_at),
            "latency_ms": self.latency_ms,
            "pid": self.pid,
        }


def _iso(stamp: float | None) -> str | None:
    return datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds") if stamp is not None else None


def read_status(path: Path, now: float | None = None) -> BotStatus:
    """The bot's state from its status file (missing, unreadable, stopped or stale: not running)."""
    now = time.time() if now is None else now
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        updated = float(state["updated_at"])
    except FileNotFoundError:
        return BotStatus(False, False, "not running (it has never run with this database)")
    except (OSError, ValueError, TypeError, KeyError) as error:
        return BotStatus(False, False, f"not running (unreadable status file {path}: {error})")
    pid = state.get("pid")
    if state.get("stopped"):
        return BotStatus(False, False, f"not running (stopped at {_iso(updated)})", updated, pid=pid)
    age = now - updated
    if age > STALE_AFTER:
        return BotStatus(False, False, f"not running (last seen {age:.0f} s ago)", updated, pid=pid)
    latency = state.get("latency_ms")
    if state.get("connected"):
        shown = f", latency {latency:.0f} ms" if isinstance(latency, int | float) else ""
        return BotStatus(True, True, f"running, connected to Discord{shown}", updated, latency, pid)
    return BotStatus(True, False, "running, not connected to Discord", updated, latency, pid)
