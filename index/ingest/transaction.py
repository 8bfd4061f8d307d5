"""The writing side of a re-index: rows and index changes of one transaction, committed together.

Runs on the writer connection of ``index.store.schema`` holding the write lock (``BEGIN IMMEDIATE``):
each batch's rows go to SQLite and its passages to the index writer (a new segment, cut every
``IndexWriter.MAX_SEGMENT_DOCS`` passages; the passages of changed and removed files are marked
deleted in the segments that hold them). ``commit`` writes the index files, then the manifest
naming them to ``meta``, then commits: the passages and the index change together or not at all.
"""

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from index.errors import StorageError
from index.ingest.batches import ReadBatch
from index.ingest.dates import dates_for
from index.ingest.scan import FileOutcome
from index.store import schema
from index.store.database import StoredSource
from index.store.passage_arrays import PassageEncoder
from index.store.segments import (
    IndexWriter,
    Manifest,
    Segment,
    collect_garbage,
    index_dir_for,
    manifest_files,
)


class Transaction:
    """Rows and index changes of one re-index, committed together."""

    def __init__(
        self,
        db: sqlite3.Connection,
        database: str | Path,
        cache: dict[str, Segment] | None,
        fresh: bool = False,
    ) -> None:
        self.db = db
        self.root = index_dir_for(database)
        self.base = schema.read_manifest(db)
        self.writer = IndexWriter(self.root, None if fresh else self.base, cache)
        if fresh and self.base is not None:
            self.writer.generation = self.base.generation + 1
        self.next_id = schema.next_passage_id(db)

    def remove_source(self, path: str, stored: StoredSource | None = None) -> None:
        ids = schema.source_passages(self.db, path)
        if stored is not None and stored.passages and stored.first_passage is not None:
            # Rows deleted by hand are gone from SQLite but not from the index.
            ids.extend(range(stored.first_passage, stored.first_passage + stored.passages))
        self.writer.delete(ids)
        self.db.execute(schema.DELETE_SOURCE, (path,))

    def write_batch(self, batch: ReadBatch) -> list[FileOutcome]:
        """Write the batch's changed files; returns them."""
        db = self.db
        first_id = self.next_id
        changed = []
        for outcome in batch.files:
            if outcome.articles is None or outcome.source is None:
                continue
            changed.append(outcome)
            src = outcome.source
            dates = dates_for(db, src.path, src.mtime_ns, [new.article for new in outcome.articles])
            if outcome.old is not None:
                self.remove_source(src.path, outcome.old)
            count = sum(len(new.passages) for new in outcome.articles)
            db.execute(
                schema.INSERT_SOURCE, (src.path, src.sha256, src.size, src.mtime_ns, count, self.next_id)
            )
            for position, new in enumerate(outcome.articles):
                a = new.article
                published_at, estimated = dates[position]
                db.execute(
                    schema.INSERT_ARTICLE,
                    (
                        *(a.id, a.source, position, a.title, a.outlet, a.published, new.url),
                        *(published_at, estimated, " ".join(new.names)),
                    ),
                )
                rows = []
                for p in new.passages:
                    rows.append(
                        (
                            *(self.next_id, a.id, p.paragraph, p.first_sentence, p.last_sentence, p.text),
                            *(" ".join(p.terms), " ".join(p.names)),
                        )
                    )
                    self.next_id += 1
                db.executemany(schema.INSERT_PASSAGE, rows)
        encoded = batch.encoded
        assert self.next_id - first_id == encoded.passages
        if encoded.passages:
            ids = np.arange(first_id, self.next_id, dtype=np.int64)
            encoded.add_to(self.writer, ids)
        return changed

    def commit(self, meta: dict[str, str]) -> Manifest:
        # Nothing changed: the same files, the same manifest.
        manifest = self.writer.finish() if self.writer.dirty or self.base is None else self.base
        # Holding the write lock, no other re-index is writing files: remove what neither the
        # previous manifest (still open in running libraries) nor the new one names.
        collect_garbage(self.root, manifest_files(self.base) | manifest_files(manifest))
        meta = {**meta, schema.MANIFEST_KEY: manifest.to_json()}
        self.db.executemany(schema.UPSERT_META, list(meta.items()))
        self.db.execute("COMMIT")
        return manifest


@contextlib.contextmanager
def locked(database: str | Path) -> Iterator[sqlite3.Connection]:
    """The writer connection holding the write lock: rolled back on any error, closed at the end,
    with the errors of ``writing``."""
    with writing(database):
        db = schema.connect_writer(database)
        try:
            schema.begin_writing(db)
            try:
                yield db
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        finally:
            db.close()


@contextlib.contextmanager
def writing(database: str | Path) -> Iterator[None]:
    """Turns the errors of a database or index folder that cannot be written (read-only, full)
    into one StorageError saying which; the transaction has been rolled back by then."""
    try:
        yield
    except sqlite3.OperationalError as error:
        if "readonly" not in str(error) and "disk" not in str(error):
            raise
        raise StorageError(
            f"Cannot write the database {database} ({error}); the previous index is unchanged."
        ) from None
    except OSError as error:
        if error.filename is None:
            raise
        raise StorageError(
            f"Cannot write {error.filename} ({error.strerror or error}); the previous index is unchanged."
        ) from None


def add_all_stored(db: sqlite3.Connection, writer: IndexWriter, batch_passages: int = 20_000) -> None:
    """Every stored passage to ``writer``, from the analysed terms kept with it (no re-analysis)."""
    article_names: dict[str, str] = dict(db.execute(schema.SELECT_ARTICLE_NAMES))
    cursor = db.execute(schema.SELECT_STORED_TERMS)
    while rows := cursor.fetchmany(batch_passages):
        add_stored(writer, rows, article_names)
    writer.flush()  # in a segment, where the re-index's deletions can find them
    writer.dirty = True


def add_stored(
    writer: IndexWriter, rows: Iterable[tuple[int, str, str, str]], article_names: dict[str, str]
) -> None:
    """Stored passages, as (id, article id, terms, names) with terms and names space-separated."""
    encoder = PassageEncoder()
    numbers: dict[str, int] = {}
    ids: list[int] = []
    for passage_id, article_id, passage_terms, passage_names in rows:
        ids.append(passage_id)
        article = numbers.get(article_id)
        if article is None:
            article = numbers[article_id] = encoder.article(article_names.get(article_id, ""))
        encoder.passage(article, passage_terms.split(), passage_names.split())
    encoder.encoded().add_to(writer, np.asarray(ids, dtype=np.int64))
