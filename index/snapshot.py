"""One complete index as questions see it: the segments, the passage ids they map to, and the
names the answering side reads. Questions are answered from one snapshot from start to end; a
re-index puts a new one in place."""

import logging
from dataclasses import dataclass

import numpy as np

from index.answer.names import Names
from index.ingest import reindex as indexer
from index.store import schema
from index.store.segments import DamagedIndexError, SegmentedIndex, index_dir_for, open_index

log = logging.getLogger("index.library")


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
