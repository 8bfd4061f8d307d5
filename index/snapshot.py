"""One complete index as questions see it: the segments, the passage ids they map to, and the
names the answering side reads. Questions are answered from one snapshot from start to end; a
re-index puts a new one in place (``LiveIndex``, tantivy's ``IndexReader`` with its reload on
commit: this library's re-index, or another program's found by looking now and then)."""

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass

import numpy as np

from index.answer.names import Names
from index.ingest import reindex as indexer
from index.semantic.layer import SemanticLayer
from index.store import schema
from index.store.database import Store
from index.store.segments import (
    DamagedIndexError,
    Manifest,
    SegmentedIndex,
    index_dir_for,
    open_index,
)

log = logging.getLogger("index.library")

LOOK_EVERY = 1.0  # seconds between looks for an index another program committed to the database


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One complete index: questions are scored against one snapshot from start to end."""

    index: SegmentedIndex
    passage_ids: np.ndarray  # position in the index -> passages.id
    names: Names


def generation(snapshot: Snapshot) -> int:
    return snapshot.index.manifest.generation


def snapshot_of(index: SegmentedIndex) -> Snapshot:
    return Snapshot(index, index.passage_ids, Names.of(index))


def load_snapshot(database: str, previous: Snapshot | None = None) -> Snapshot:
    """The committed index of ``database``: memory-mapped segments, nothing re-analysed.

    A database whose passages have no index beside it (written by an older Byline, or whose
    index folder was removed) gets one built from the analysed terms it stores.
    """
    root = index_dir_for(database)
    for attempt in range(3):
        db = schema.connect_writer(database)
        try:
            manifest = schema.read_manifest(db)
            has_passages = db.execute(schema.HAS_PASSAGES).fetchone()[0]
        finally:
            db.close()
        try:
            if manifest is None and has_passages:
                raise FileNotFoundError("no index manifest")
            return snapshot_of(open_index(root, manifest, previous.index if previous else None))
        except DamagedIndexError as error:
            log.warning("%s; rebuilding the index from the terms stored in %s", error.message, database)
            return snapshot_of(open_index(root, indexer.rebuild(database)))
        except FileNotFoundError as error:
            if attempt == 2 or manifest is None:
                log.warning("rebuilding the index of %s from its stored terms (%s)", database, error)
                return snapshot_of(open_index(root, indexer.rebuild(database)))
            # A re-index elsewhere may have replaced the files between reading and opening.
    raise AssertionError("unreachable")


class LiveIndex:
    """The snapshot questions are answered from now, and its replacement by a newer committed one.

    Replacing it runs in a worker thread, and once per committed index however many questions
    ask for it at once; the previous snapshot is released there too, as unmapping the files of
    dropped segments (hundreds of MB at a million passages) would stall the event loop.
    """

    def __init__(self, store: Store, snapshot: Snapshot, semantic: SemanticLayer | None) -> None:
        self.store = store
        self.semantic = semantic
        self.snapshot = snapshot
        self._loading = threading.Lock()  # one committed index is opened at a time
        self._looked = time.monotonic()

    def look_now_and_then(self) -> None:
        """Load the index committed to the database if ``LOOK_EVERY`` has passed since the last
        look: `byline reindex` may have run beside the bot. Blocking: from a worker thread."""
        if time.monotonic() - self._looked >= LOOK_EVERY:
            self._looked = time.monotonic()
            self.load_committed(self.snapshot)

    def put_in_place(self, manifest: Manifest) -> None:
        """Open the index ``manifest`` names and answer from it, unless one as new is in place."""
        with self._loading:
            current = self.snapshot
            if manifest.generation <= generation(current):
                return
            if self.semantic is not None:
                self.semantic.refresh()  # the vectors committed with it, before questions see it
            self.snapshot = snapshot_of(open_index(index_dir_for(self.store.path), manifest, current.index))

    def replaced_since(self, snapshot: Snapshot) -> bool:
        """Whether an index newer than ``snapshot`` is in place now. Its passages are gone from
        SQLite, so a re-index (this library's or another program's) has committed: its index is
        loaded from the database if nobody has put it in place yet. Never waits for the re-index
        (questions waiting in the worker threads could keep it from them), only, briefly, for a
        thread already opening that committed index."""
        return self.snapshot is not snapshot or self.load_committed(snapshot)

    def load_committed(self, snapshot: Snapshot) -> bool:
        """Put in place the index committed to this database if it is newer than ``snapshot``
        (another program's ``byline reindex``, or this library's before it swaps); whether an
        index newer than ``snapshot`` is in place now."""
        try:
            committed = self.store.read_meta(schema.MANIFEST_KEY)
            manifest = Manifest.from_json(committed) if committed else None
            if manifest is not None and manifest.generation > generation(snapshot):
                self.put_in_place(manifest)
                if self.semantic is not None and self.semantic.available:
                    self.semantic.start_background()  # another program's re-index: its new passages
        except (OSError, sqlite3.Error, ValueError, KeyError, TypeError) as error:
            # Replaced again meanwhile (the next question loads that one), or unreadable.
            log.warning("could not load the index committed to %s: %r", self.store.path, error)
        return self.snapshot is not snapshot
