"""A database with damaged pages is noticed when it is opened, moved aside (never deleted), and
rebuilt from the seeds folder, with one warning line and no traceback."""

import logging
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from index import Library, StorageError
from index.store import repair

from ..support import COLLECTION, SEED_PAGE, write_collection

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "what is Poland's spending?"


def damage(database: Path, offset: int = 20480) -> None:
    """Random bytes over a page in the middle of the file (a disk error, a stray write)."""
    with database.open("r+b") as file:
        file.seek(offset)
        file.write(random.Random(13).randbytes(2000))


def set_aside(folder: Path, name: str) -> list[Path]:
    """The damaged databases moved aside in ``folder`` (their -wal and -shm files left out)."""
    return sorted(p for p in folder.glob(f"{name}.damaged-*") if not p.name.endswith(("-wal", "-shm")))


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(SEED_PAGE, folder)
    write_collection(folder)
    return folder


async def test_a_damaged_database_is_set_aside_and_rebuilt_from_the_seeds(
    tmp_path: Path, seeds: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "byline.db"
    async with Library.open(database, seeds) as library:
        await library.reindex()
        before = (await library.ask(QUESTION)).to_dict()
        articles = len(await library.articles())
    damage(database)

    with caplog.at_level(logging.WARNING):
        async with Library.open(database, seeds) as library:
            after = (await library.ask(QUESTION)).to_dict()
            listed = len(await library.articles())
            again = await library.reindex()

    assert after == before and listed == articles
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(COLLECTION) + 1)
    [aside] = set_aside(tmp_path, "byline.db")
    assert aside.stat().st_size > 0
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "damaged" in warnings[0] and str(aside) in warnings[0]


def test_the_command_line_says_so_in_one_line_and_answers(tmp_path: Path, seeds: Path) -> None:
    command = [sys.executable, "-m", "bot.cli", "ask", QUESTION, "--database", str(tmp_path / "b.db"),
               "--seeds-dir", str(seeds)]  # fmt: skip
    assert subprocess.run(command, capture_output=True, check=False, cwd=ROOT).returncode == 0
    damage(tmp_path / "b.db")
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 0 and "Daily Mirror" in done.stdout
    assert done.stderr.count("\n") == 1 and "damaged" in done.stderr and "Traceback" not in done.stderr


async def test_a_damaged_file_that_is_not_byline_s_is_left_where_it_is(tmp_path: Path) -> None:
    other = tmp_path / "notes.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
        db.executemany("INSERT INTO notes VALUES (?)", [("note " * 50,)] * 500)
    db.close()
    damage(other, offset=8192)
    with pytest.raises(StorageError, match="is not a Byline database"):
        await Library.open(other, tmp_path)
    assert not set_aside(tmp_path, "notes.db")


async def test_a_database_found_whole_is_checked_again_only_once_it_changed(
    tmp_path: Path, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "byline.db"
    async with Library.open(database, seeds) as library:
        await library.reindex()
    checks = []
    real_damage = repair.damage
    monkeypatch.setattr(repair, "damage", lambda path: checks.append(path) or real_damage(path))
    for _ in range(3):
        async with Library.open(database, seeds) as library:
            await library.ask(QUESTION)
    assert len(checks) == 1
    damage(database)
    async with Library.open(database, seeds) as library:
        assert (await library.ask(QUESTION)).hits
    assert len(checks) == 2


def test_damage_that_kept_the_file_s_times_is_one_line_and_repaired_by_the_next_run(
    tmp_path: Path, seeds: Path
) -> None:
    database = tmp_path / "b.db"
    command = [sys.executable, "-m", "bot.cli", "ask", QUESTION, "--database", str(database),
               "--seeds-dir", str(seeds)]  # fmt: skip
    assert subprocess.run(command, capture_output=True, check=False, cwd=ROOT).returncode == 0
    assert subprocess.run(command, capture_output=True, check=False, cwd=ROOT).returncode == 0  # checked
    times = database.stat()
    damage(database)  # as a failing disk would: the file's times stay as they were
    os.utime(database, ns=(times.st_atime_ns, times.st_mtime_ns))

    first = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    second = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)

    assert first.returncode == 1 and first.stderr.count("\n") == 1 and "Traceback" not in first.stderr
    assert "run the command again" in first.stderr
    assert second.returncode == 0 and "Daily Mirror" in second.stdout and "damaged" in second.stderr


@pytest.mark.parametrize("spoilt", [b"\x00" * 16, b"SQLite format 2\x00", random.Random(5).randbytes(16)])
async def test_damage_to_the_first_bytes_is_set_aside_and_rebuilt(
    tmp_path: Path, seeds: Path, caplog: pytest.LogCaptureFixture, spoilt: bytes
) -> None:
    """SQLite refuses a file whose first 16 bytes are wrong ("file is not a database") before
    any check can run: every command failed with that until someone deleted the file."""
    database = tmp_path / "byline.db"
    async with Library.open(database, seeds) as library:
        await library.reindex()
        before = (await library.ask(QUESTION)).to_dict()
    with database.open("r+b") as file:
        file.write(spoilt)

    with caplog.at_level(logging.WARNING):
        async with Library.open(database, seeds) as library:
            after = (await library.ask(QUESTION)).to_dict()

    assert after == before
    [aside] = set_aside(tmp_path, "byline.db")
    assert aside.read_bytes().startswith(spoilt)  # moved aside as it was, never deleted
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "header" in warnings[0] and str(aside) in warnings[0]


async def test_a_file_that_is_no_database_at_all_is_left_where_it_is(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("my notes, not a database\n" * 20)
    with pytest.raises(StorageError):
        await Library.open(notes, tmp_path)
    assert notes.read_text().startswith("my notes") and not set_aside(tmp_path, "notes.db")
