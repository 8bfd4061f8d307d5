"""bot.metrics: re-indexes counted by trigger and outcome (real library), and a port already taken."""

import asyncio
import logging
import socket
from pathlib import Path

import pytest

from bot.metrics import MeasuredLibrary, Metrics
from index import IndexBusyError

from ..support import write_collection


def count(metrics: Metrics, trigger: str, outcome: str) -> float:
    value = metrics.registry.get_sample_value(
        "byline_reindexes_total", {"trigger": trigger, "outcome": outcome}
    )
    return value or 0.0


async def test_reindexes_are_counted_by_outcome(database: Path, seeds_dir: Path, tmp_path: Path) -> None:
    write_collection(seeds_dir, ["hydrogen.md"])
    metrics = Metrics()
    library = await MeasuredLibrary.open(database=database, seeds_dir=seeds_dir)
    assert isinstance(library, MeasuredLibrary)
    library.metrics = metrics
    try:

        async def reindex() -> None:
            await library.reindex()

        running = asyncio.create_task(reindex(), name="byline-watch")
        await asyncio.sleep(0)
        with pytest.raises(IndexBusyError):
            await asyncio.create_task(reindex(), name="byline-schedule")
        await running
        library.seeds_dir = tmp_path / "gone"
        with pytest.raises(Exception, match="does not exist"):
            await library.reindex()
    finally:
        await library.close()
    assert count(metrics, "watch", "ok") == 1 and count(metrics, "schedule", "busy") == 1
    assert count(metrics, "other", "failed") == 1


def test_a_port_already_taken_is_logged_and_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with caplog.at_level(logging.ERROR, logger="byline.metrics"):
            Metrics().serve(port, "127.0.0.1")
    assert any(f"cannot serve metrics on 127.0.0.1:{port}" in r.getMessage() for r in caplog.records)
