"""Keeping the index in line with the seeds folder without a shell: a watcher and a schedule.

``BYLINE_WATCH=1``: the seeds folder is watched (watchfiles: inotify on Linux, polling where
``WATCHFILES_FORCE_POLLING=1`` says so, e.g. network shares); a burst of changes (a copy of fifty
files, an editor's save) becomes one re-index once the folder has been quiet for ``debounce_ms``.
``BYLINE_REINDEX_EVERY``: a re-index on a schedule, for folders filled by a job elsewhere.

Both go through ``Library.reindex`` and its lock, the one /reindex takes: one that finds a
re-index running waits for it to end and then runs its own (the files may have changed since it
began). A failure is logged and the bot carries on answering from the index it has.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from watchfiles import awatch

from index import BylineError, IndexBusyError, Library, ReindexReport

log = logging.getLogger("byline.upkeep")

DEBOUNCE_MS = 2000
RETRY_SECONDS = 30.0  # before watching again a folder that is missing or could not be watched
HEARTBEAT_MS = 5000  # the watcher says it is alive (and ``watching`` is set) this often


class Upkeep:
    """The watcher and the schedule of one library; ``start`` them, ``stop`` them on the way out."""

    def __init__(
        self,
        library: Library,
        seeds_dir: Path,
        *,
        watch: bool,
        every: float | None,
        debounce_ms: int = DEBOUNCE_MS,
        retry_seconds: float = RETRY_SECONDS,
        heartbeat_ms: int = HEARTBEAT_MS,
    ) -> None:
        self.library = library
        self.seeds_dir = seeds_dir
        self.watch = watch
        self.every = every
        self.debounce_ms = debounce_ms
        self.retry_seconds = retry_seconds
        self.heartbeat_ms = heartbeat_ms
        self.watching = asyncio.Event()  # set once the watcher is surely looking (tests wait for it)
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        if self.watch:
            self._tasks.append(asyncio.create_task(self._watch(), name="byline-watch"))
            log.info("watching %s: a change re-indexes it", self.seeds_dir)
        if self.every:
            self._tasks.append(asyncio.create_task(self._schedule(), name="byline-schedule"))
            log.info("re-indexing %s every %g s", self.seeds_dir, self.every)

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def reindex(self, why: str) -> ReindexReport | None:
        """Re-index now (after any re-index already running); the report, or None if it failed."""
        while True:
            while self.library.reindexing:  # noqa: ASYNC110  # the library's lock is not ours to await
                await asyncio.sleep(0.2)
            try:
                report = await self.library.reindex()
            except IndexBusyError:
                continue  # another one started in between: wait for it too
            except BylineError as error:
                log.error("re-index (%s) failed: %s", why, error.message)
                return None
            except Exception:
                log.exception("re-index (%s) failed", why)
                return None
            log.info(
                "re-index (%s): %d added, %d updated, %d removed; %d articles, %d passages in %.2f s",
                why,
                report.added,
                report.updated,
                report.removed,
                report.articles,
                report.passages,
                report.seconds,
            )
            for skipped in report.skipped:
                log.warning("skipped %s: %s", skipped.source, skipped.reason)
            return report

    async def _watch(self) -> None:
        while not self._stop.is_set():
            if not self.seeds_dir.is_dir():
                log.error(
                    "cannot watch %s: it is not a folder; looking again in %g s",
                    self.seeds_dir,
                    self.retry_seconds,
                )
            else:
                try:
                    watcher = awatch(
                        self.seeds_dir,
                        debounce=self.debounce_ms,
                        stop_event=self._stop,
                        rust_timeout=self.heartbeat_ms,
                        yield_on_timeout=True,  # an empty set: nothing changed, and the watch is on
                    )
                    async for changes in watcher:
                        self.watching.set()
                        if changes:
                            await self.reindex(f"{len(changes)} changes in {self.seeds_dir}")
                except Exception:
                    log.exception(
                        "watching %s failed; looking again in %g s", self.seeds_dir, self.retry_seconds
                    )
                finally:
                    self.watching.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.retry_seconds)

    async def _schedule(self) -> None:
        assert self.every
        while True:
            await asyncio.sleep(self.every)
            await self.reindex("scheduled")
