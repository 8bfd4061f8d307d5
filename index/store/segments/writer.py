"""The writer: one re-index's changes to the index (new passages, deleted passages, merges).

``IndexWriter.finish`` writes every file the new manifest names and returns that manifest; the
caller commits it in the same SQLite transaction as the passages. Nothing visible changes before
that: files are only ever added under new names.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .files import checksums_of, verify
from .lexicon import Lexicon, LexiconWriter
from .manifest import Manifest, SegmentEntry, load_deleted, write_deleted
from .merge_policy import LogMergePolicy, MergePolicy, SegmentSize
from .segment import DocBatch, Segment, merge_segments, write_batch
from .stats import compute_stats, write_stats


@dataclass(slots=True, eq=False)
class LiveSegment:
    """A segment of the index being written, and its deletions so far."""

    segment: Segment
    deleted: np.ndarray | None = None  # a mask over its passages; None when none is deleted
    changed: bool = False  # deletions added by this writer (a new deletion file is needed)
    entry: SegmentEntry | None = None  # how the previous manifest named it, if it did

    @property
    def name(self) -> str:
        return self.segment.name

    @property
    def size(self) -> SegmentSize:
        return SegmentSize(self.segment.size, 0 if self.deleted is None else int(self.deleted.sum()))

    @property
    def empty(self) -> bool:
        return self.deleted is not None and bool(self.deleted.all())


class IndexWriter:
    """One re-index's changes to the index, written as new files; ``finish`` names them all."""

    MAX_SEGMENT_DOCS = 262_144  # new passages are cut into segments of at most this many

    def __init__(
        self,
        root: Path,
        manifest: Manifest | None,
        cache: dict[str, Segment] | None = None,
        policy: MergePolicy | None = None,
    ) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.base = manifest or Manifest()
        self.generation = self.base.generation + 1
        self.policy: MergePolicy = policy or LogMergePolicy()
        cache = cache or {}
        # A damaged segment must never be merged into a new one that would pass its checksum.
        verify(root, self.base.files(), self.base.checksums)
        self.segments: list[LiveSegment] = []
        for entry in self.base.segments:
            segment = cache.get(entry.name) or Segment(root / entry.name)
            self.segments.append(LiveSegment(segment, load_deleted(root, entry), entry=entry))
        self.lexicon = LexiconWriter(Lexicon.open(root, self.base.lexicon, self.base.terms))
        self.pending: list[DocBatch] = []
        self.pending_docs = 0
        self.dirty = False  # anything added or deleted

    def delete(self, passage_ids: Sequence[int] | np.ndarray) -> None:
        ids = np.sort(np.asarray(passage_ids, dtype=np.int64))
        if ids.size == 0:
            return
        for live in self.segments:
            segment = live.segment
            if segment.size == 0:
                continue
            at = np.searchsorted(segment.ids, ids)
            inside = at < segment.size
            hit = at[inside][np.asarray(segment.ids)[at[inside]] == ids[inside]]
            if hit.size:
                if live.deleted is None:
                    live.deleted = np.zeros(segment.size, dtype=bool)
                live.deleted[hit] = True
                live.changed = True
                self.dirty = True

    def add(self, batch: DocBatch) -> None:
        """New passages, with ids above every id in the index, in id order."""
        if batch.ids.size == 0:
            return
        self.pending.append(batch)
        self.pending_docs += batch.ids.size
        self.dirty = True
        if self.pending_docs >= self.MAX_SEGMENT_DOCS:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        batch = DocBatch.concat(self.pending)
        self.pending, self.pending_docs = [], 0
        name = write_batch(self.root, self.generation, batch)
        self.segments.append(LiveSegment(Segment(self.root / name)))

    def finish(self) -> Manifest:
        self.flush()
        # Segments with nothing live are dropped; the merge policy merges adjacent ones,
        # keeping the corpus order (passage id order) intact.
        self.segments = [s for s in self.segments if not s.empty]
        self._merge()
        lexicon = self.lexicon.finish(self.root, self.generation)
        stats = compute_stats([(s.segment, s.deleted) for s in self.segments], self.lexicon.size)
        manifest = Manifest(
            generation=self.generation,
            segments=tuple(self._entry(s) for s in self.segments),
            lexicon=tuple(lexicon),
            terms=self.lexicon.size,
            stats=write_stats(self.root, self.generation, stats),
            passages=stats.passages,
            length=stats.length,
            vocabulary=stats.vocabulary,
            epsilon=stats.epsilon,
        )
        return replace(manifest, checksums=self._checksums(manifest.files()))

    def _checksums(self, files: set[str]) -> dict[str, int]:
        """The checksums of ``files``: carried over for files the previous manifest named,
        computed for the new ones (read back from the page cache they were just written to)."""
        sums = {k: v for k, v in self.base.checksums.items() if k.split("/", 1)[0] in files}
        known = {k.split("/", 1)[0] for k in sums}
        for name in sorted(files - known):
            sums.update(checksums_of(self.root, name))
        return sums

    def _entry(self, live: LiveSegment) -> SegmentEntry:
        if live.deleted is None:
            deleted = None
        elif live.changed or live.entry is None:
            deleted = write_deleted(self.root, self.generation, live.deleted)
        else:
            deleted = live.entry.deleted
        return SegmentEntry(live.name, live.segment.size, deleted, live.size.deleted)

    def _merge(self) -> None:
        for at in range(len(self.segments)):  # one segment for one: the positions stay
            if self.policy.expunge(self.segments[at].size):
                self._replace(range(at, at + 1))
        while (run := self.policy.next_merge([s.size for s in self.segments])) is not None:
            self._replace(run)

    def _replace(self, run: range) -> None:
        parts = [(s.segment, s.deleted) for s in self.segments[run.start : run.stop]]
        name = merge_segments(self.root, self.generation, parts)
        self.segments[run.start : run.stop] = [LiveSegment(Segment(self.root / name))]
