"""Reading a re-index's files: read, hash, parse and analyse them, a batch at a time, in order.

In the calling thread when there are few files, in a pool of processes (one a core) when there
are many. Results arrive in file order, a batch of files at a time, and the writer stores each
straight away: no more than a few batches of text are held in memory at once.
"""

import contextlib
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from index.ingest.scan import FileOutcome, prefetch_inside, read_file
from index.store.database import StoredSource
from index.store.passage_arrays import EncodedPassages, PassageEncoder
from index.text.analysis import Analyzer, RememberingAnalyzer

POOL_MIN_FILES = 200  # fewer files than this are read in the calling thread
BATCH_FILES = 64
BATCH_BYTES = 2 << 20
NICENESS = 5  # a re-index's processes yield the processor to the one answering questions

Item = tuple[str, str, StoredSource | None]  # (source, file to open, what is stored), as in scan.Plan


@dataclass(slots=True)
class ReadBatch:
    """A batch of read files and their new passages, encoded."""

    files: list[FileOutcome]
    encoded: EncodedPassages


def encode(files: list[FileOutcome]) -> ReadBatch:
    encoder = PassageEncoder()
    for outcome in files:
        for new in outcome.articles or ():
            article = encoder.article(" ".join(new.names))
            for passage in new.passages:
                encoder.passage(article, passage.terms, passage.names)
    return ReadBatch(files, encoder.encoded())


def read_batch(root: Path, items: Sequence[Item], analyzer: Analyzer) -> ReadBatch:
    prefetch_inside(root, (target for _, target, _ in items))
    return encode([read_file(root, relative, target, old, analyzer) for relative, target, old in items])


def _processes() -> multiprocessing.context.BaseContext:
    """New processes are forked from a server that has imported Byline, not from a program that
    runs threads (and an event loop), and start in milliseconds."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["index.ingest.batches"])
    return context


# --- the worker processes --------------------------------------------------------------------------

_worker_analyzer: Analyzer | None = None


def _end_with_parent() -> None:
    """Every process a re-index starts ends when the process that started it ends, killed or not.

    A pool's worker would otherwise wait for work for ever (it holds its own copy of the queue's
    write end, so it never reads an end of file), and a re-index process would go on to commit
    after the program that started it was killed.
    """

    def watch() -> None:
        parent = multiprocessing.parent_process()
        if parent is not None:
            parent.join()
            os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def lower_priority() -> None:
    """Run at niceness NICENESS at least, so the process answering questions comes first.

    Absolute, not one more step down: niceness is inherited, and the readers are started by a
    re-index process already at NICENESS. At 10 (5 + 5) they would get a third of the processor
    share they get at 5 against any other program running at the normal priority."""
    os.nice(max(0, NICENESS - os.nice(0)))


def _init_worker() -> None:
    global _worker_analyzer
    _end_with_parent()
    lower_priority()
    _worker_analyzer = RememberingAnalyzer()


def _worker_read_batch(root: str, items: Sequence[Item]) -> ReadBatch:
    assert _worker_analyzer is not None
    return read_batch(Path(root), items, _worker_analyzer)


def _batches(root: Path, items: Sequence[Item]) -> Iterator[list[Item]]:
    batch: list[Item] = []
    size = 0
    for item in items:
        with contextlib.suppress(OSError):
            size += os.stat(root / item[1], follow_symlinks=False).st_size
        batch.append(item)
        if len(batch) >= BATCH_FILES or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _pool_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def analysed_batches(
    root: Path, items: Sequence[Item], analyzer: Analyzer, workers: int | None = None
) -> Iterator[ReadBatch]:
    """The files below ``root`` read and analysed, in order, a batch at a time."""
    workers = _pool_workers() if workers is None else workers
    if len(items) < POOL_MIN_FILES or workers < 2:
        for batch in _batches(root, items):
            yield read_batch(root, batch, analyzer)
        return
    pool = ProcessPoolExecutor(workers, mp_context=_processes(), initializer=_init_worker)
    try:
        pending: deque[Future[ReadBatch]] = deque()
        batches = _batches(root, items)
        for batch in batches:
            pending.append(pool.submit(_worker_read_batch, str(root), batch))
            if len(pending) >= 2 * workers:
                break
        while pending:
            result = pending.popleft().result()
            for batch in batches:  # keep the pool busy, but never far ahead of the writer
                pending.append(pool.submit(_worker_read_batch, str(root), batch))
                break
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
