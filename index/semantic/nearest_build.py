"""Making the nearest-vector files (index/semantic/nearest.py) in a process of their own.

usearch holds the GIL for the whole of reading a graph into memory and of saving one: at a
million passages 320 and 266 ms, a stall of the bot's event loop each time the file is extended
(every ``TAIL_MAX`` new vectors; bench/README.md, "the nearest-vector set off the event loop").
So the set is made in a fresh interpreter at a lower priority (its program is nearest_worker.py),
as the re-index (index/ingest/process.py) and the background vectors (worker.py) are; the bot
then only maps the new set, a step at a time (``NearestFile.open``).
"""

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from index.ingest import interpreter
from index.semantic import vectors
from index.semantic.nearest import NearestBuilder, NearestFile

NICENESS = 10
BUSY_SECONDS = 30.0


def build(folder: Path, dimensions: int, model: str, base_tag: str, db: sqlite3.Connection) -> bool:
    """Write a new set in ``folder``: the set tagged ``base_tag`` (none when empty, or when it
    is not the one in place) and every vector ``db`` stores past it. False when there was
    nothing to add."""
    base = NearestFile.open(folder, model) if base_tag else None
    if base is not None and base.meta.tag != base_tag:
        base = None
    builder = NearestBuilder(folder, dimensions, base=base)
    try:
        last = base.last_id if base is not None else 0
        for ids, matrix, _ in vectors.batches(db, dimensions, after=last):
            builder.add(ids, matrix)
            if len(ids):
                last = int(ids[-1])
        if not builder.added:
            builder.discard()
            return False
        builder.write(model, last)
    except BaseException:
        builder.discard()
        raise
    return True


def connect(database: str) -> sqlite3.Connection:
    return sqlite3.connect(database, timeout=BUSY_SECONDS, isolation_level=None)


def build_apart(
    database: str,
    folder: Path,
    dimensions: int,
    model: str,
    base_tag: str,
    started: Callable[["subprocess.Popen[str]"], None] = lambda process: None,
) -> bool:
    """``build`` in a new interpreter (here, in an embedded Python that cannot start one);
    ``started`` is given the process, to end it early. Raises RuntimeError with the process's last
    line of error when it fails."""
    if not sys.executable:
        db = connect(database)
        try:
            return build(folder, dimensions, model, base_tag, db)
        finally:
            db.close()
    arguments = (database, str(folder), str(dimensions), model, base_tag)
    process = subprocess.Popen(
        interpreter.command("index.semantic.nearest_worker", NICENESS, *arguments),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=interpreter.environment(),
    )  # fmt: skip
    started(process)
    out, errors = process.communicate()
    if process.returncode != 0:
        last = (errors.strip().splitlines() or [f"exit {process.returncode}"])[-1]
        raise RuntimeError(f"the nearest-vector process failed: {last}")
    return out.strip() == "written"
