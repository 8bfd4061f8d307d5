"""bot.upkeep: the seeds folder re-indexed without a shell (real files, real watchfiles, real SQLite)."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.upkeep import Upkeep
from index import Library

from ..support import COLLECTION, article_text, write_collection

WAIT = 30  # bounded waits: generous for a loaded machine, never a timing assertion


async def until(condition: Callable[[], Awaitable[bool]], limit: float = WAIT) -> None:
    """Until ``condition()`` holds, looking every 50 ms, for at most ``limit`` seconds."""

    async def poll() -> None:
        while not await condition():  # noqa: ASYNC110  # what it waits for has no event to await
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), limit)


async def titles(library: Library) -> set[str]:
    return {s.article.title for s in await library.articles()}


async def test_the_watcher_indexes_a_new_file(database: Path, seeds_dir: Path) -> None:
    write_collection(seeds_dir, ["hydrogen.md"])
    async with Library.open(database=database, seeds_dir=seeds_dir) as library:
        await library.reindex()
        upkeep = Upkeep(library, seeds_dir, watch=True, every=None, debounce_ms=100, heartbeat_ms=100)
        upkeep.start()
        try:
            await asyncio.wait_for(upkeep.watching.wait(), WAIT)
            (seeds_dir / "orchard.md").write_text(article_text(COLLECTION["orchard.md"]), encoding="utf-8")

            async def orchard_answers() -> bool:
                answer = await library.ask("frost apple blossom cider")
                return bool(answer.hits) and answer.hits[0].article.source == "orchard.md"

            await until(orchard_answers)

            (seeds_dir / "hydrogen.md").unlink()

            async def hydrogen_gone() -> bool:
                return COLLECTION["hydrogen.md"]["title"] not in await titles(library)

            await until(hydrogen_gone)
        finally:
            await upkeep.stop()


async def test_the_schedule_reindexes(database: Path, seeds_dir: Path) -> None:
    async with Library.open(database=database, seeds_dir=seeds_dir) as library:
        await library.reindex()
        write_collection(seeds_dir, ["lighthouse.md"])
        upkeep = Upkeep(library, seeds_dir, watch=False, every=0.05)
        upkeep.start()
        try:

            async def indexed() -> bool:
                return COLLECTION["lighthouse.md"]["title"] in await titles(library)

            await until(indexed)
        finally:
            await upkeep.stop()


async def test_a_failed_reindex_is_logged_and_the_schedule_goes_on(
    database: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "not-there"
    async with Library.open(database=database, seeds_dir=missing) as library:
        upkeep = Upkeep(library, missing, watch=False, every=0.05)
        upkeep.start()
        try:

            async def failed_twice() -> bool:
                return sum("re-index (scheduled) failed" in r.getMessage() for r in caplog.records) >= 2

            with caplog.at_level(logging.ERROR, logger="byline.upkeep"):
                await until(failed_twice)
            missing.mkdir()
            write_collection(missing, ["observatory.md"])

            async def recovered() -> bool:
                return COLLECTION["observatory.md"]["title"] in await titles(library)

            await until(recovered)
        finally:
            await upkeep.stop()


async def test_a_reindex_that_finds_one_running_waits_for_it_and_runs_its_own(
    database: Path, seeds_dir: Path
) -> None:
    write_collection(seeds_dir, ["hydrogen.md"])
    async with Library.open(database=database, seeds_dir=seeds_dir) as library:
        upkeep = Upkeep(library, seeds_dir, watch=False, every=None)
        running = asyncio.create_task(library.reindex())
        await asyncio.sleep(0)  # the /reindex (say) holds the lock now
        assert library.reindexing
        write_collection(seeds_dir, ["orchard.md"])
        report = await upkeep.reindex("test")
        await running
        assert report is not None
        assert COLLECTION["orchard.md"]["title"] in await titles(library)
