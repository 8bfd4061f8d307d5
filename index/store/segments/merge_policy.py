"""Which segments a re-index merges: a policy apart from the writer, swappable and tested alone
(as tantivy's ``MergePolicy`` trait with ``LogMergePolicy`` behind it, and Lucene's).

A policy sees only the sizes of the segments, in corpus order, and answers with runs of
*adjacent* segments: merging keeps the passages in id order, which is rank-bm25's order.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SegmentSize:
    """What a merge policy knows of a segment."""

    docs: int  # passages written in it, deleted ones included
    deleted: int

    @property
    def live(self) -> int:
        return self.docs - self.deleted


class MergePolicy(Protocol):
    def expunge(self, segment: SegmentSize) -> bool:
        """Whether this segment is rewritten alone, to drop its deleted passages."""
        ...

    def next_merge(self, segments: Sequence[SegmentSize]) -> range | None:
        """The positions of adjacent segments to merge into one next, or None when done."""
        ...


@dataclass(frozen=True, slots=True)
class LogMergePolicy:
    """Segments fall in size tiers (log base ``merge_factor`` of their live passages);
    ``merge_factor`` adjacent segments of one tier are merged into one, as Lucene's
    LogMergePolicy does. A small segment with ``expunge_share`` of its passages deleted is
    rewritten without them."""

    merge_factor: int = 8
    expunge_share: float = 0.3
    expunge_max_docs: int = 100_000

    def tier(self, segment: SegmentSize) -> int:
        return int(math.log(max(segment.live, 1), self.merge_factor))

    def expunge(self, segment: SegmentSize) -> bool:
        return (
            segment.deleted > 0
            and segment.docs <= self.expunge_max_docs
            and segment.deleted >= self.expunge_share * segment.docs
        )

    def next_merge(self, segments: Sequence[SegmentSize]) -> range | None:
        tiers = [self.tier(s) for s in segments]
        for start in range(len(tiers) - self.merge_factor + 1):
            if len(set(tiers[start : start + self.merge_factor])) == 1:
                return range(start, start + self.merge_factor)
        return None
