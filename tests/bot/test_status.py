"""`byline status`: healthy and unhealthy, from real databases, index files and status files."""

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.status import STALE_AFTER, read_status, status_file, write_status

from ..support import COLLECTION
from .conftest import Run

Byline = Callable[..., Run]


def status(byline: Byline, *args: str) -> tuple[Run, dict]:
    run = byline("status", "--json", *args)
    return run, json.loads(run.out)


def test_an_indexed_database_is_healthy(byline: Byline, collection_seeds: Path, database: Path) -> None:
    assert byline("reindex", "--seeds-dir", str(collection_seeds)).code == 0
    run, report = status(byline)
    assert run.code == 0 and report["healthy"] and report["problems"] == []
    assert (report["articles"], report["sources"]) == (len(COLLECTION), len(COLLECTION))
    assert report["passages"] > 0 and report["indexed_at"] is not None
    assert report["database"] == str(database)
    assert report["bot"]["running"] is False  # not needed to be healthy without --bot
    text = byline("status")
    assert text.code == 0 and text.out.startswith("Byline is healthy.")
    assert not Path(f"{database}-wal").exists()  # looking leaves nothing behind
    assert f"{len(COLLECTION)} articles" in text.out and "Last re-index:" in text.out
    # The re-index embedded its few passages itself: status says how many have a vector, of all.
    assert report["embedded"] == report["passages"]
    assert f"{report['passages']} of {report['passages']}" in text.out


def test_no_database_is_unhealthy(byline: Byline, database: Path) -> None:
    run, report = status(byline)
    assert run.code == 1 and not report["healthy"]
    assert report["problems"] == [
        f"no database at {database}: run `byline reindex` or start the bot to build it"
    ]
    assert not database.exists()  # looking never creates it


def test_a_missing_index_file_is_unhealthy(byline: Byline, collection_seeds: Path, database: Path) -> None:
    assert byline("reindex", "--seeds-dir", str(collection_seeds)).code == 0
    index = Path(f"{database}.index")
    victim = next(p for p in sorted(index.iterdir()) if p.name.startswith("seg-"))
    if victim.is_dir():
        for part in victim.iterdir():
            part.unlink()
        victim.rmdir()
    else:
        victim.unlink()
    run, report = status(byline)
    assert run.code == 1 and "lacks 1 files" in report["problems"][0] and victim.name in report["problems"][0]
    text = byline("status")
    assert text.code == 1 and text.out.startswith("Byline is NOT healthy.")


@pytest.mark.parametrize("key", ["schema_version", "analysis_version"])
def test_an_index_written_by_another_version_is_unhealthy_until_rebuilt(
    byline: Byline, collection_seeds: Path, database: Path, key: str
) -> None:
    """Reported healthy before, though its rows are another Byline's until it is opened again."""
    assert byline("reindex", "--seeds-dir", str(collection_seeds)).code == 0
    with contextlib.closing(sqlite3.connect(database)) as db, db:
        db.execute("UPDATE meta SET value = '0' WHERE key = ?", (key,))
    run, report = status(byline)
    assert run.code == 1 and not report["healthy"]
    [problem] = report["problems"]
    assert problem.startswith("the index was written by another version of Byline (")
    assert f"{key.split('_')[0]} 0" in problem and problem.endswith(
        "run `byline reindex` or restart the bot to rebuild it"
    )
    assert byline("reindex", "--seeds-dir", str(collection_seeds)).code == 0  # rebuilt
    run, report = status(byline)
    assert run.code == 0 and report["healthy"], report["problems"]


def test_a_file_that_is_not_a_database_is_unhealthy(byline: Byline, database: Path) -> None:
    database.write_bytes(b"this is not SQLite" * 100)
    run, report = status(byline)
    assert run.code == 1 and "cannot be read" in report["problems"][0]


def test_with_bot_a_bot_that_is_not_running_is_unhealthy(
    byline: Byline, collection_seeds: Path, database: Path
) -> None:
    assert byline("reindex", "--seeds-dir", str(collection_seeds)).code == 0
    run, report = status(byline, "--bot")
    assert run.code == 1
    assert report["problems"] == ["the bot is not running (it has never run with this database)"]

    write_status(status_file(database), {"pid": os.getpid(), "connected": True, "latency_ms": 42.0})
    run, report = status(byline, "--bot")
    assert run.code == 0 and report["bot"]["running"] and report["bot"]["connected"]
    assert "connected to Discord, latency 42 ms" in byline("status", "--bot").out

    write_status(status_file(database), {"pid": os.getpid(), "connected": False})
    run, report = status(byline, "--bot")
    assert run.code == 1 and report["problems"] == ["the bot is running, not connected to Discord"]


def test_a_status_file_not_rewritten_for_a_while_means_not_running(tmp_path: Path) -> None:
    path = tmp_path / "byline.db.status.json"
    write_status(path, {"connected": True})
    assert read_status(path).connected
    later = read_status(path, now=time.time() + STALE_AFTER + 1)
    assert not later.running and not later.connected and later.detail.startswith("not running (last seen")


def test_a_stopped_bot_is_not_running(tmp_path: Path) -> None:
    path = tmp_path / "byline.db.status.json"
    write_status(path, {"connected": False, "stopped": True})
    assert read_status(path).detail.startswith("not running (stopped at")


def test_an_unreadable_status_file_means_not_running(tmp_path: Path) -> None:
    path = tmp_path / "byline.db.status.json"
    path.write_text("{half a fi", encoding="utf-8")
    found = read_status(path)
    assert not found.running and "unreadable status file" in found.detail


def test_the_status_file_is_replaced_whole(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "byline.db.status.json"
    write_status(path, {"connected": True})
    write_status(path, {"connected": False})
    assert json.loads(path.read_text())["connected"] is False
    assert [p.name for p in folder.iterdir()] == [path.name]  # no temporary file left behind


def test_the_status_file_is_never_written_through_a_planted_link(tmp_path: Path) -> None:
    tmp_path = tmp_path / "data"
    tmp_path.mkdir()
    path = status_file(tmp_path / "byline.db")
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    # Every name the old writer could have picked for its temporary file: "<name>.<pid>.tmp".
    for pid in {os.getpid(), *range(os.getpid() - 5, os.getpid() + 5)}:
        path.with_name(f"{path.name}.{pid}.tmp").symlink_to(victim)
    write_status(path, {"connected": True})
    assert victim.read_text() == "precious\n"
    assert json.loads(path.read_text())["connected"] is True
    assert not path.is_symlink()
    planted = {p.name for p in tmp_path.iterdir() if p.is_symlink()}
    assert {p.name for p in tmp_path.iterdir()} == {victim.name, path.name, *planted}  # its own: gone


def test_status_reads_the_status_file_of_the_shards_it_is_told(
    byline: Byline, collection_seeds: Path, database: Path, monkeypatch
) -> None:
    assert byline("reindex", "--seeds-dir", str(collection_seeds)).code == 0
    write_status(status_file(database, (1,)), {"connected": True, "pid": 11})
    write_status(status_file(database), {"connected": False, "pid": 10})
    assert status(byline, "--bot")[1]["bot"]["pid"] == 10  # shard 0's process (or the only one)
    monkeypatch.setenv("BYLINE_SHARD_COUNT", "2")
    monkeypatch.setenv("BYLINE_SHARD_IDS", "1")
    run, report = status(byline, "--bot")
    assert run.code == 0 and report["bot"]["pid"] == 11 and report["bot"]["connected"]
