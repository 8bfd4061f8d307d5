"""A re-index killed with SIGKILL at any point leaves a database that opens, passes SQLite's
integrity check, and answers from the last complete index: all of the old folder or all of the
new one, never a mix.

Each kill runs `byline reindex` in a subprocess and kills it after a random delay; every other
kill, the re-index runs in a process of its own (as for a large archive), which must die with the
program that started it. The number of kills defaults to a dozen so the suite stays quick; set
BYLINE_CRASH_KILLS=200 for a long run.
"""

import asyncio
import contextlib
import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index import Library

KILLS = int(os.environ.get("BYLINE_CRASH_KILLS", "12"))
FILES = 120


def article(i: int, version: str) -> str:
    words = " ".join(f"w{(i * 7 + k) % 997}" for k in range(60))
    return (
        f"---\ntitle: Dock {i} report\noutlet: Harbour Post\n---\n\n"
        f"The dock {i} ledger lists {words}.\n\n"
        f"Inspectors filed the {version}marker notice for dock {i} on Monday.\n\n"
        f"Crews at dock {i} said {words[:200]}.\n"
    )


def write_folder(folder: Path, version: str) -> dict[str, str]:
    """The folder at one version; returns each file's sha256."""
    folder.mkdir(exist_ok=True)
    digests = {}
    for i in range(FILES):
        data = article(i, version).encode()
        (folder / f"dock{i:03}.md").write_bytes(data)
        digests[f"dock{i:03}.md"] = hashlib.sha256(data).hexdigest()
    return digests


def reindex_command(database: Path, seeds: Path, in_process: bool = False) -> list[str]:
    code = "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))"
    if in_process:
        code = "import index.ingest.runner as r; r.PROCESS_MIN_PASSAGES = 0; " + code
    return [sys.executable, "-c", code, "reindex", "--database", str(database), "--seeds-dir", str(seeds)]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], dict[str, str], float]:
    """A database indexed at version "alpha", the digests of both versions, and how long a full
    re-index to "bravo" takes."""
    root = tmp_path_factory.mktemp("crash")
    seeds = root / "seeds"
    old = write_folder(seeds, "alpha")
    subprocess.run(reindex_command(root / "byline.db", seeds), check=True, capture_output=True)
    new = write_folder(root / "bravo", "bravo")
    started = time.perf_counter()
    scratch = root / "timing"
    shutil.copytree(root, scratch, ignore=shutil.ignore_patterns("timing"))
    subprocess.run(reindex_command(scratch / "byline.db", root / "bravo"), check=True, capture_output=True)
    return root, old, new, time.perf_counter() - started


def descendants(pid: int) -> list[int]:
    """The processes ``pid`` started, and theirs (a re-index's own process, its readers)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for children in Path(f"/proc/{parent}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                kids = [int(child) for child in children.read_text().split()]
                found += kids
                todo += kids
    return found


async def outlived_by_none(pids: list[int], within: float = 10.0) -> None:
    """Every process in ``pids``, and any they started since, ends soon after the program that
    started them was killed."""
    deadline = time.monotonic() + within
    alive = pids
    while alive and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
        alive = survivors(alive)
    assert not alive, f"processes outlived the killed re-index: {commands(alive)}"


def survivors(pids: list[int]) -> list[int]:
    return [pid for pid in {*pids, *(d for p in pids for d in descendants(p))} if running(pid)]


def commands(pids: list[int]) -> list[bytes]:
    found = []
    for pid in pids:
        with contextlib.suppress(OSError):
            found.append(Path(f"/proc/{pid}/cmdline").read_bytes()[:120])
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie (a zombie has ended; its parent has not collected it yet)."""
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return False


def copy_state(pristine_root: Path, into: Path) -> Path:
    into.mkdir()
    for item in pristine_root.iterdir():
        if item.name.startswith("byline.db"):
            (shutil.copytree if item.is_dir() else shutil.copy2)(item, into / item.name)
    return into / "byline.db"


async def test_a_killed_reindex_always_leaves_the_last_complete_index(
    pristine: tuple[Path, dict[str, str], dict[str, str], float], tmp_path: Path
) -> None:
    root, old, new, full_seconds = pristine
    rng = random.Random(20261125)
    outcomes = {"old": 0, "new": 0}
    for kill in range(KILLS):
        database = copy_state(root, tmp_path / f"kill{kill}")
        process = await asyncio.create_subprocess_exec(
            *reindex_command(database, root / "bravo", in_process=kill % 2 == 1),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        await asyncio.sleep(rng.uniform(0.05, full_seconds * 1.1))
        started = descendants(process.pid)
        with contextlib.suppress(ProcessLookupError):  # it may have finished first
            process.send_signal(signal.SIGKILL)
        await process.wait()
        await outlived_by_none(started)

        with sqlite3.connect(database) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            stored = dict(raw.execute("SELECT path, sha256 FROM sources"))
        assert stored in (old, new), f"kill {kill}: the sources are a mix of both versions"
        state = "old" if stored == old else "new"
        outcomes[state] += 1

        async with Library.open(database, root / "bravo") as library:
            answer = await library.ask("inspectors notice dock 17", top_k=10)
            counts = await library.stats()
        marker = "alphamarker" if state == "old" else "bravomarker"
        notices = [hit.text for hit in answer.hits if "notice" in hit.text]
        assert notices and "dock 17 " in notices[0]
        assert all(marker in text for text in notices), f"kill {kill}: the index is not the {state} one"
        assert counts["articles"] == FILES

        async with Library.open(database, root / "bravo") as library:  # and it can finish the job
            report = await library.reindex()
            assert report.articles == FILES and not report.skipped
            assert (await library.ask("bravomarker notice dock 17")).hits
    print(f"\n{KILLS} kills survived: {outcomes}")
    assert sum(outcomes.values()) == KILLS
