"""The corpus statistics that must equal rank-bm25's: N, avgdl, df, idf and its epsilon floor.

Computed over all segments minus the deleted passages when a re-index commits, and written as
``stats-<generation>-<random>/`` (``df``, ``idf`` and ``name_df`` by global term id).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.store.bm25 import EPSILON

from .files import Staging, new_name, save
from .segment import Segment


@dataclass(frozen=True, slots=True)
class Stats:
    df: np.ndarray  # live passages holding each term (by global term id)
    idf: np.ndarray  # rank-bm25's idf, its epsilon floor applied
    name_df: np.ndarray  # live passages writing each term as a name
    passages: int  # N
    length: int  # total terms over live passages
    vocabulary: int  # distinct terms over live passages (rank-bm25's len(idf))
    epsilon: float  # the idf given to terms in more than half the passages


def compute_stats(parts: Sequence[tuple[Segment, np.ndarray | None]], terms: int) -> Stats:
    """rank-bm25's statistics over the live passages of ``parts`` (in corpus order).

    rank-bm25 sums idf over terms in the order it first meets them (passage by passage, and in a
    passage in order of first appearance) and floors negative idf at 0.25 times that sum over the
    vocabulary size; to get the same float, the sum runs in that same order.
    """
    df = np.zeros(terms, dtype=np.int64)
    name_df = np.zeros(terms, dtype=np.int64)
    first_doc = np.full(terms, np.iinfo(np.int64).max, dtype=np.int64)
    first_rank = np.zeros(terms, dtype=np.int64)
    bases = np.cumsum([0] + [segment.size for segment, _ in parts])
    passages = length = 0
    for (segment, deleted), base in reversed(list(zip(parts, bases, strict=False))):
        lengths = np.asarray(segment.lengths, dtype=np.int64)
        postings, offsets = segment.postings, np.asarray(segment.offsets)
        if deleted is None:
            counts = np.diff(offsets)
            first = offsets[:-1]
            has = counts > 0
            passages += segment.size
            length += int(lengths.sum())
        else:
            live = ~deleted[postings]
            cumulative = np.concatenate(([0], np.cumsum(live, dtype=np.int64)))
            counts = cumulative[offsets[1:]] - cumulative[offsets[:-1]]
            has = counts > 0
            live_at = np.flatnonzero(live)
            first = np.zeros(counts.size, dtype=np.int64)
            first[has] = live_at[np.searchsorted(live_at, offsets[:-1][has])]
            passages += int((~deleted).sum())
            length += int(lengths[~deleted].sum())
            del live, cumulative, live_at
        tids = np.asarray(segment.term_ids, dtype=np.int64)[has]
        df[tids] += counts[has]
        first_doc[tids] = np.asarray(postings)[first[has]] + base
        first_rank[tids] = np.asarray(segment.rank)[first[has]]
        name_offsets, name_postings = np.asarray(segment.name_offsets), segment.name_postings
        if deleted is None:
            name_counts = np.diff(name_offsets)
        else:
            live_names = ~deleted[name_postings]
            cumulative = np.concatenate(([0], np.cumsum(live_names, dtype=np.int64)))
            name_counts = cumulative[name_offsets[1:]] - cumulative[name_offsets[:-1]]
        name_df[np.asarray(segment.name_term_ids, dtype=np.int64)] += name_counts
    idf = np.zeros(terms, dtype=np.float64)
    present = np.flatnonzero(df)
    epsilon = 0.0
    if present.size and passages:
        ordered = present[np.lexsort((first_rank[present], first_doc[present]))]
        values, inverse = np.unique(df[ordered], return_inverse=True)
        # math.log per distinct df, exactly the expression rank-bm25 evaluates.
        table = np.array([math.log(passages - d + 0.5) - math.log(d + 0.5) for d in values.tolist()])
        raw = table[inverse]
        idf_sum = float(np.cumsum(raw)[-1])  # a running sum, in rank-bm25's order
        epsilon = EPSILON * (idf_sum / present.size)
        raw[raw < 0] = epsilon
        idf[ordered] = raw
    return Stats(
        df.astype(np.int32), idf, name_df.astype(np.int32), passages, length, int(present.size), epsilon
    )


def write_stats(root: Path, generation: int, stats: Stats) -> str:
    stage = Staging(root, new_name("stats", generation))
    save(stage.path, "df", stats.df)
    save(stage.path, "idf", stats.idf)
    save(stage.path, "name_df", stats.name_df)
    return stage.publish()
