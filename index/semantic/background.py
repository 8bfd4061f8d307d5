"""Passage vectors made in a process of their own, at a lower priority: a large archive's
background embedding (``SemanticLayer.start_background``).

Why a process and not a thread of the bot's: between its onnxruntime runs the embedding holds
the GIL (tokens, numpy, SQLite, Python), and on a busy machine a thread of lowered priority is
descheduled while it holds it; the event loop then waits behind it (bench/semantic_layer.py lag:
172 ms at worst with a thread). A process shares no GIL, its niceness leaves the cores to the bot
whenever the bot has work, and onnxruntime may use both cores when the bot has none.

``EmbeddingProcess`` runs index/semantic/worker.py in a fresh interpreter on a database. It
embeds every passage without a vector, a batch per SQLite transaction, and after each commit
writes the batch to its stdout (a line with the count, then the ids as int64 and the vectors as
float32), so that the bot's in-memory table gains them without reading them back (``batches``).
It ends when nothing is missing, when it is terminated (an open transaction is rolled back: what
was committed stays), or when the process that started it is gone.
"""

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

# As the re-index's readers: the bot's own threads always come first. Linux's idle scheduling
# class was tried instead: no less lag, and slower on a busy machine (bench/README.md).
NICENESS = 10
PARALLEL = 2  # texts run at once: both cores when the bot is idle (bench/semantic_layer.py speed)
PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])


def _boot() -> str:
    """The new interpreter's program. The priority is lowered before anything is imported:
    starting an interpreter and importing onnxruntime is work the bot's event loop should not wait
    behind; threads started later (onnxruntime's, the model's) inherit it."""
    run = "runpy.run_module('index.semantic.worker', run_name='__main__')"
    return f"import os, runpy; os.nice({NICENESS}); {run}"


class EmbeddingFailed(Exception):
    """The background process ended with an error (its last line of stderr)."""


def available() -> bool:
    """Whether a fresh interpreter can be started (not so in an embedded Python)."""
    return bool(sys.executable)


class EmbeddingProcess:
    """index/semantic/worker.py run on ``database`` in a fresh interpreter, and what it sends back."""

    def __init__(self, database: str) -> None:
        env = dict(os.environ)
        # The same Byline as this process's, whatever the caller did to sys.path.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [PACKAGE_PARENT, env.get("PYTHONPATH")]))
        # stderr to a file, not a pipe: a pipe nobody reads while the batches come could fill up.
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed by finish)
        self._terminated = False
        # -P: the current folder is not put on sys.path (a folder named "index" there would be
        # imported instead of this package).
        self._process = subprocess.Popen(
            [sys.executable, "-P", "-c", _boot(), database],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._errors, env=env,
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
