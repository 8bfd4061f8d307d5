"""Passage vectors killed mid-way, like the segments (test_crash_safety.py): a process making
them, killed with SIGKILL at a random moment, leaves a database that passes SQLite's integrity
check, holds only whole vectors (each matching its CRC32 and its passage's text), and the next
library goes on from there to a vector for every passage."""

import asyncio
import random
import sqlite3
import sys
import zlib
from pathlib import Path

import numpy as np

from index import Library
from index.semantic import model as semantic_model
from index.semantic.vectors import embedded_text

from ..support import markdown_article

KILLS = 4
FILES = 40


def write_folder(folder: Path) -> None:
    for i in range(FILES):
        paragraphs = [
            f"The dock {i} ledger lists the cargo landed this week, from timber to grain.",
            f"Inspectors filed a notice for dock {i} on Monday after a crane failed.",
            f"Crews at dock {i} said the night shift would be cut from March.",
        ]
        text = markdown_article(f"Dock {i} report", paragraphs)
        (folder / f"dock{i:03}.md").write_text(text, encoding="utf-8")


def stored(database: Path) -> tuple[str, list[tuple[int, bytes, int, str]], int]:
    """The integrity check's verdict, each vector with its CRC32 and text, and the passages."""
    with sqlite3.connect(database) as db:
        verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
        rows = db.execute(
            "SELECT v.passage_id, v.vector, v.crc, a.title, p.text FROM passage_vectors v"
            " JOIN passages p ON p.id = v.passage_id JOIN articles a ON a.id = p.article_id"
        ).fetchall()
        passages = db.execute("SELECT count(*) FROM passages").fetchone()[0]
    texts = [(pid, blob, crc, embedded_text(title, text)) for pid, blob, crc, title, text in rows]
    return verdict, texts, passages


def assert_whole(rows: list[tuple[int, bytes, int, str]]) -> None:
    if not rows:
        return
    model = semantic_model.packaged()
    fresh = model.embed([text for *_, text in rows])
    for (pid, blob, crc, _), expected in zip(rows, fresh, strict=True):
        assert len(blob) == model.dimensions * 4 and zlib.crc32(blob) == crc, pid
        assert np.allclose(np.frombuffer(blob, dtype=np.float32), expected, atol=1e-6), pid


async def progress_beyond(database: Path, count: int, process: asyncio.subprocess.Process) -> None:
    """Wait until the process has committed more vectors than ``count`` (or has ended)."""
    for _ in range(600):
        if process.returncode is not None:
            return
        with sqlite3.connect(database) as db:
            if db.execute("SELECT count(*) FROM passage_vectors").fetchone()[0] > count:
                return
        await asyncio.sleep(0.05)


async def test_a_killed_embedding_keeps_whole_vectors_and_the_next_run_finishes(
    tmp_path: Path, seeds_dir: Path
) -> None:
    database = tmp_path / "byline.db"
    write_folder(seeds_dir)
    async with Library.open(database, seeds_dir, semantic=False) as library:
        passages = (await library.reindex()).passages
    code = (
        "import asyncio, sys\n"
        "from index import Library\n"
        "from index.semantic import layer\n"
        "layer.BATCH = 8  # many small commits, so that a kill lands between or inside them\n"
        "# This process's embedding only: the background process Library.open starts would outlive\n"
        "# the kill by up to half a second, and could finish every vector before the first kill.\n"
        "layer.SemanticLayer.start_background = lambda self: None\n"
        "async def main():\n"
        "    async with Library.open(sys.argv[1], sys.argv[2]) as library:\n"
        "        await asyncio.to_thread(library.semantic.embed_missing)\n"
        "asyncio.run(main())\n"
    )
    rng = random.Random(20261208)
    counts = []
    for _ in range(KILLS):
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, str(database), str(seeds_dir),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        await progress_beyond(database, counts[-1] if counts else 0, process)
        await asyncio.sleep(rng.uniform(0.0, 0.3))  # then somewhere inside a batch, or between two
        if process.returncode is None:
            process.kill()
        await process.wait()
        verdict, rows, total = stored(database)
        assert verdict == "ok" and total == passages
        assert_whole(rows)
        counts.append(len(rows))
    assert counts == sorted(counts) and 0 < counts[0] < passages  # what was committed stays
    async with Library.open(database, seeds_dir) as library:
        assert library.semantic is not None
        await asyncio.to_thread(library.semantic.embed_missing)
    verdict, rows, total = stored(database)
    assert verdict == "ok" and len(rows) == total == passages
    assert_whole(rows)
