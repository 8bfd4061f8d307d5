"""When the passage vectors move from memory to the nearest-vector file, and the work of moving them.

Up to ``EXACT_MAX`` stored vectors, all are held in memory and searched exactly (what a small
collection, and every test set, gets). Past it, the vectors go into the nearest-vector files
(index/semantic/nearest.py): opening the library then reads only the vectors newer than the file
(at most ``TAIL_MAX``; more, and the file is extended first), never the whole float32 table.
The file is made, or extended with the newer vectors, from the vectors stored in the
database by a process of its own at a lower priority (index/semantic/nearest_build.py: usearch
holds the GIL while it reads and saves a graph), which a background thread waits for; until it
is in place, questions get the nearest passages among the vectors held in memory (none, at
first, for a large archive whose file is missing or damaged: BM25 alone answers), and their
cosines from the database.
"""

import logging
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from index.semantic import vectors
from index.semantic.nearest import NearestFile
from index.semantic.nearest_build import build_apart
from index.semantic.vectors import VectorTable
from index.store.segments.files import index_dir_for

log = logging.getLogger(__name__)

# Exact search up to this many vectors. bench/ann_choice.py on 2 shared cores (load 4.6), the
# layer's exact scan for 60, p50: 0.5 ms at 20k, 1.3 ms at 30k (46 MB of float32), then 7.5 ms
# at 40k and 11 ms at 100k once the matrix outgrows the cache; the nearest file's search is
# 3.4 ms at 100k, recall@30 0.984 (bench/ann_choice.py --libraries byline).
EXACT_MAX = 30_000
# Newer vectors held in memory beside the file, searched exactly (0.5 ms at 20k); past it the
# file is extended.
TAIL_MAX = 20_000
RETRY_SECONDS = 300.0  # after a failure to make the file
SAMPLE = 16  # passages whose vectors are compared with the file's when it is opened
SAME_COSINE = 0.99  # int8 rounding keeps a vector above it; another passage's is far below


class NearestUpkeep:
    """Decides, for one library's vector table, what is held and what is in the file, and keeps
    the file up to date in a background thread."""

    def __init__(
        self,
        database: str,
        connect: Callable[[], sqlite3.Connection],
        exact_max: int | None = None,
        tail_max: int | None = None,
    ) -> None:
        self.database = database
        self.folder: Path = index_dir_for(database)
        self._connect = connect
        self.exact_max = EXACT_MAX if exact_max is None else exact_max
        self.tail_max = TAIL_MAX if tail_max is None else tail_max
        self._model = ""
        self._table: VectorTable | None = None
        self._behind = False  # the database holds vectors neither in memory nor in the file
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._failed_at = -RETRY_SECONDS
        self._process: subprocess.Popen[str] | None = None  # the one making the set, if any
        self._stopped = False

    def load(self, db: sqlite3.Connection, table: VectorTable, model: str) -> list[int]:
        """Fill ``table`` from the file and the database as the collection's size says; the ids
        of damaged stored vectors (to be made again)."""
        self._model, self._table = model, table
        file = NearestFile.open(self.folder, model)
        if file is not None and not self._same_vectors(db, file):
            log.warning("the nearest-vector files in %s are another database's; made again", self.folder)
            file = None
        limit = self.tail_max if file is not None else self.exact_max
        damaged: list[int] = []
        if vectors.count_after(db, file.last_id if file is not None else 0, limit + 1) <= limit:
            ids, matrix, damaged = vectors.read(db, table.dimensions, after=file.last_id if file else 0)
            table.add(ids, matrix)
        else:
            self._behind = True
        table.attach(file)
        self._read_stored_when_needed()
        table.on_grow = self.check
        self.check()
        return damaged

    @property
    def behind(self) -> bool:
        """Whether vectors are stored that questions cannot find yet (the file is being made)."""
        return self._behind

    def _same_vectors(self, db: sqlite3.Connection, file: NearestFile) -> bool:
        """Whether the file was made from this database's vectors: a database set aside and
        built again numbers its passages from 1, and the folder beside it is kept. Up to
        SAMPLE passages spread over the file, those still stored, must have the file's vector."""
        sample = file.ids[np.linspace(0, file.size - 1, min(SAMPLE, file.size)).astype(np.int64)]
        stored_ids, stored = vectors.read_ids(db, sample, file.dimensions)
        filed_ids, filed = file.rows_of(stored_ids)
        if not len(stored_ids) or not np.array_equal(filed_ids, stored_ids):
            return False
        return bool(np.all(np.einsum("ij,ij->i", filed, stored) > SAME_COSINE))

    def check(self) -> None:
        """Start extending the file when memory holds more than it should (not again within
        RETRY_SECONDS of a failure)."""
        table = self._table
        if table is None or self._stopped or time.monotonic() - self._failed_at < RETRY_SECONDS:
            return
        limit = self.tail_max if table.file is not None else self.exact_max
        if self._behind or table.held > limit:
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._extend, name="byline-nearest", daemon=True)
                    self._thread.start()

    def stop(self) -> None:
        """End the process making the set, if any (the set in place stays; what it wrote goes at
        the next build), and start no other."""
        self._stopped = True
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()

    def _started(self, process: "subprocess.Popen[str]") -> None:
        self._process = process
        if self._stopped:
            process.terminate()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the file's extension under way, if any (tests, benchmarks)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _read_stored_when_needed(self) -> None:
        assert self._table is not None
        self._table.read_from(self._stored if self._behind or self._table.file is not None else None)

    def _stored(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        assert self._table is not None
        db = self._connect()
        try:
            return vectors.read_ids(db, ids, self._table.dimensions)
        finally:
            db.close()

    def _extend(self) -> None:
        # This thread keeps the bot's priority: the work is the process's (at a lower one), and
        # what is left here, mapping the new set, holds the GIL in steps; at a lower priority it
        # could be descheduled holding it, and the event loop would wait the longer.
        table = self._table
        assert table is not None
        started = time.perf_counter()
        try:
            base = table.file.meta.tag if table.file is not None else ""
            dimensions = table.dimensions
            if not build_apart(self.database, self.folder, dimensions, self._model, base, self._started):
                return
            made = NearestFile.open(self.folder, self._model)
        except (OSError, RuntimeError, sqlite3.Error) as error:
            if self._stopped:
                return
            self._failed_at = time.monotonic()
            log.warning("the nearest-vector file could not be made (%r); tried again later", error)
            return
        if made is None:
            return
        table.attach(made)
        self._behind = False
        self._read_stored_when_needed()
        log.info("nearest-vector file: %d passages, made in %.1f s", made.size, time.perf_counter() - started)
