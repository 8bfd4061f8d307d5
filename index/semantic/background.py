"""Passage vectors made in a process of their own, at a lower priority: a large archive's
background embedding (``SemanticLayer.start_background``).

Why a process and not a thread of the bot's: between its onnxruntime runs the embedding holds
the GIL (tokens, numpy, SQLite, Python), and on a busy machine a thread of lowered priority may be
descheduled while it holds it, the event loop waiting behind it. A process shares no GIL, its
niceness leaves the cores to the bot whenever the bot has work, and its two texts at once use
both cores when the bot has none: 244 passages/s against 127 for the thread's one at a time, with
the event loop's lag no worse (bench/README.md, "background vectors").

``EmbeddingProcess`` runs index/semantic/worker.py in a fresh interpreter on a database. It
embeds every passage without a vector, a batch per SQLite transaction, and after each commit
writes the batch to its stdout (a line with the count, then the ids as int64 and the vectors as
float32), so that the bot's in-memory table gains them without reading them back (``batches``).
It ends when nothing is missing, when it is terminated (an open transaction is rolled back: what
was committed stays), or when the process that started it is gone.

``BackgroundEmbedding`` is the bot's side: a thread that starts that process when passages lack a
vector (after a re-index, at open) and puts what it sends into the layer's table.
"""

import contextlib
import logging
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from typing import Protocol

import numpy as np

from index.ingest import interpreter
from index.semantic.vectors import VectorTable

log = logging.getLogger(__name__)

# As the re-index's readers: the bot's own threads always come first. Linux's idle scheduling
# class was tried instead: no less lag, and slower on a busy machine (bench/README.md).
NICENESS = 10
PARALLEL = 2  # texts run at once: both cores when the bot is idle (bench/semantic_layer.py speed)


# In a process of its own; False (or an embedded interpreter, with no Python to start), in the
# background thread itself at THREAD_NICENESS (bench/semantic_layer.py lag compares the two).
APART = True
THREAD_NICENESS = 10


class EmbeddingFailed(Exception):
    """The background process ended with an error (its last line of stderr)."""


def available() -> bool:
    """Whether a fresh interpreter can be started (not so in an embedded Python)."""
    return bool(sys.executable)


class EmbeddingProcess:
    """index/semantic/worker.py run on ``database`` in a fresh interpreter, and what it sends back."""

    def __init__(self, database: str) -> None:
        # stderr to a file, not a pipe: a pipe nobody reads while the batches come could fill up.
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed by finish)
        self._terminated = False
        # Threads started later in it (onnxruntime's, the model's) inherit its priority.
        self._process = subprocess.Popen(
            interpreter.command("index.semantic.worker", NICENESS, database),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._errors,
            env=interpreter.environment(),
        )  # fmt: skip

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def returncode(self) -> int | None:
        """None while it runs."""
        return self._process.poll()

    def batches(self, dimensions: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Each batch the process committed, as (ids, vectors), until its output ends."""
        out = self._process.stdout
        assert out is not None
        while line := out.readline():
            count = int(line)
            ids, made = out.read(count * 8), out.read(count * dimensions * 4)
            if len(ids) + len(made) != count * (8 + dimensions * 4):
                if self._terminated:
                    return
                raise EmbeddingFailed("its output ended inside a batch")
            yield np.frombuffer(ids, dtype=np.int64), np.frombuffer(made, dtype=np.float32).reshape(count, -1)

    def terminate(self) -> None:
        """Stop it now (from any thread): its open transaction is rolled back."""
        self._terminated = True
        if self._process.poll() is None:
            self._process.terminate()

    def finish(self) -> None:
        """Wait for the process to end; EmbeddingFailed, with its last line of stderr, when it
        failed on its own (not when it was terminated)."""
        try:
            code = self._process.wait()
            if code != 0 and not self._terminated:
                self._errors.seek(0)
                lines = self._errors.read().decode("utf-8", "replace").strip().splitlines()
                raise EmbeddingFailed(f"exit {code}: {lines[-1] if lines else 'no message'}")
        finally:
            if self._process.stdout is not None:
                self._process.stdout.close()
            self._errors.close()


class Embedder(Protocol):
    """What the background work needs of a semantic layer (index/semantic/layer.py)."""

    database: str

    @property
    def table(self) -> VectorTable | None: ...

    def missing(self) -> int: ...

    def embed_missing(self) -> tuple[int, float]: ...


class BackgroundEmbedding:
    """One layer's background work: a thread started once and woken after each re-index, which
    has whatever lacks a vector made by an EmbeddingProcess (or, with no Python to start one, makes
    it itself at a lower priority). ``working`` is held meanwhile (one embedding pass at a time);
    ``stopping`` is set when the library closes."""

    def __init__(self, layer: Embedder, working: threading.Lock, stopping: threading.Event) -> None:
        self._layer = layer
        self._working = working
        self._stopping = stopping
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._process: EmbeddingProcess | None = None  # while one runs
        self._starting = threading.Lock()  # no process is started after stop()

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="byline-embedding", daemon=True)
            self._thread.start()
        self._wake.set()

    def stop(self, wait: float) -> None:
        self._stopping.set()
        self._wake.set()
        with self._starting:
            if self._process is not None:
                self._process.terminate()
        if self._thread is not None:
            self._thread.join(wait)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stopping.is_set():
                return
            try:
                done, seconds = self._apart() if APART and available() else self._here()
            except (sqlite3.Error, OSError, EmbeddingFailed) as error:
                log.warning("embedding passages stopped (%s); it goes on after the next re-index", error)
                continue
            if done:
                log.info("embedded %d passages in %.1f s", done, seconds)

    def _apart(self) -> tuple[int, float]:
        """The missing vectors, made by an EmbeddingProcess; each batch it commits joins the
        layer's table as it comes. No process is started when none is missing."""
        table = self._layer.table
        if table is None or not self._layer.missing():
            return 0, 0.0
        started, done = time.perf_counter(), 0
        with self._working:
            with self._starting:
                if self._stopping.is_set():
                    return 0, 0.0
                process = self._process = EmbeddingProcess(self._layer.database)
            try:
                for ids, made in process.batches(table.dimensions):
                    table.add(ids, made)
                    done += len(ids)
            finally:
                with self._starting:
                    self._process = None
                process.finish()
        return done, time.perf_counter() - started

    def _here(self) -> tuple[int, float]:
        """The missing vectors made in this thread, at a lower priority."""
        # Linux: a thread is a task with its own niceness; the bot's threads keep theirs.
        with contextlib.suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), THREAD_NICENESS)
        return self._layer.embed_missing()
