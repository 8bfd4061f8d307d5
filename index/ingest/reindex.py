"""Re-indexing: from the seeds folder to passages in SQLite and segments beside it, in one commit.

Runs synchronously with its own SQLite connection: in a worker thread for a small archive, in a
process of its own for a large one (``reindex_process.reindex_in_process``), never on the event loop:

1. ``BEGIN IMMEDIATE``: the write lock, so what is stored cannot change underneath.
2. The folder is compared with the stored sources by size and modification time (``index.ingest.scan``).
3. Files to read are read, hashed, parsed and analysed, a batch at a time (``index.ingest.batches``).
4. Each batch is written to SQLite and the index writer straight away; the writer's files, then
   the manifest naming them, are committed with the rows (``index.ingest.transaction``).
"""

import gc
import logging
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from index.ingest.batches import analysed_batches
from index.ingest.scan import plan
from index.ingest.transaction import Transaction, add_all_stored, locked
from index.models import SkippedFile
from index.semantic.layer import embed_within
from index.store import schema
from index.store.database import StoredSource
from index.store.schema import read_manifest
from index.store.segments import (
    DamagedIndexError,
    Manifest,
    Segment,
    collect_garbage,
    index_dir_for,
    manifest_files,
)
from index.text.analysis import Analyzer

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Outcome:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    changed: bool = False
    manifest: Manifest | None = None
    embedded: int = 0  # passages given a vector in the same transaction (index/semantic/)
    embedding_seconds: float = 0.0


def reindex(
    database: str | Path,
    seeds_dir: Path,
    analyzer: Analyzer,
    cache: dict[str, Segment] | None = None,
    workers: int | None = None,
    embed: bool = False,
) -> Outcome:
    """Bring the database and its index in line with ``seeds_dir``, in one transaction.

    ``embed``: also make the vectors of passages without one when they are few, in the same
    transaction (``index.semantic.layer.embed_within``; more are made in the background).

    What exists when it starts (open indexes, the running program) and what lives through each
    step (the stored sources, the plan, each batch) is frozen: left out of the cyclic collector's
    full passes, which would otherwise walk it again and again, holding the GIL (and so the event
    loop of the program that runs this in a thread) for 50 ms and more at a time. It is thawed
    once the re-index's own structures are gone, so a collection then walks only what remains.
    """
    gc.freeze()
    try:
        with locked(database) as db:
            return _reindex(db, database, seeds_dir, analyzer, cache, workers, embed)
    finally:
        gc.unfreeze()


def _reindex(
    db: sqlite3.Connection,
    database: str | Path,
    seeds_dir: Path,
    analyzer: Analyzer,
    cache: dict[str, Segment] | None,
    workers: int | None,
    embed: bool = False,
) -> Outcome:
    gc.disable()  # reading the sources and walking the folder make 100,000s of lasting objects
    try:
        schema.count_passages_per_source(db)
        stored = {row[0]: StoredSource(*row) for row in db.execute(schema.SELECT_SOURCES)}
        planned = plan(seeds_dir, stored, schema.miscounted(db))
    finally:
        gc.enable()
    gc.freeze()
    result = Outcome(unchanged=planned.unchanged, skipped=planned.skipped)
    try:
        tx = Transaction(db, database, cache)
    except DamagedIndexError as error:
        log.warning("%s; rebuilding the index from the terms stored in %s", error.message, database)
        tx = Transaction(db, database, None, fresh=True)
        add_all_stored(db, tx.writer)
    touched: list[StoredSource] = []
    for batch in analysed_batches(seeds_dir, planned.to_read, analyzer, workers):
        for outcome in batch.files:
            if outcome.skipped is not None:
                result.skipped.append(outcome.skipped)
            elif outcome.articles is None and outcome.source is not None:
                result.unchanged += 1
                touched.append(outcome.source)
        for outcome in tx.write_batch(batch):
            if outcome.old is None:
                result.added += 1
            else:
                result.updated += 1
        del batch
        gc.freeze()
    for path in planned.removed:
        tx.remove_source(path, stored[path])
    result.removed = len(planned.removed)
    db.executemany(schema.TOUCH_SOURCE, [(s.size, s.mtime_ns, s.path) for s in touched])
    result.changed = bool(result.added or result.updated or result.removed or tx.base is None)
    if embed:
        result.embedded, result.embedding_seconds = embed_within(db)
    result.manifest = tx.commit({"indexed_at": f"{time.time():.3f}"})
    return result


def rebuild(database: str | Path, batch_passages: int = 20_000) -> Manifest:
    """Write the index again from the analysed terms stored with the passages (no re-analysis):
    for a database written before the index lived beside it, or whose index folder was lost."""
    with locked(database) as db:
        tx = Transaction(db, database, None, fresh=True)
        add_all_stored(db, tx.writer, batch_passages)
        return tx.commit({})


def tidy(database: str | Path) -> None:
    """Remove index files that the committed manifest does not name (left by a crash), if no
    re-index holds the write lock right now."""
    try:
        db = sqlite3.connect(database, timeout=0.05, isolation_level=None)
    except sqlite3.Error:
        return
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            collect_garbage(index_dir_for(database), manifest_files(read_manifest(db)))
        finally:
            db.execute("ROLLBACK")
    except sqlite3.Error:
        pass  # busy: a re-index is running and will tidy up itself
    finally:
        db.close()
