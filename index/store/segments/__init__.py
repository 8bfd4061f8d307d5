"""The on-disk index: immutable segments beside the database, and the live view over them.

rank-bm25's ``BM25Okapi`` is the reference for every score (tests/comparison holds the two equal,
bit for bit, after additions, deletions and merges). What this package adds is the way a million
passages are kept so that opening the library costs a fraction of a second and a one-file change
costs a small new segment, as Lucene and tantivy do. ``<database>.index/`` holds:

``seg-<generation>-<random>/``    one segment (``segment.py``)
``lex-<generation>-<random>/``    a part of the lexicon, term -> global term id (``lexicon.py``)
``stats-<generation>-<random>/``  df, idf and name df over the live passages (``stats.py``)
``del-<generation>-<random>.npy`` the deleted passages of one segment (``manifest.py``)

Which of those make the index is said by the manifest, written to SQLite in the same transaction
as the passages (``manifest.py``). Modules, one idea each:

- ``files``: writing arrays under new names, fsynced, renamed into place; memory-mapping them.
- ``lexicon``: term -> global term id, over immutable parts.
- ``segment``: one segment's format, writing it from new passages, merging segments.
- ``stats``: N, avgdl, df and idf with rank-bm25's epsilon floor, over the live passages.
- ``manifest``: the typed manifest, deletion masks, removing what no manifest names.
- ``merge_policy``: which adjacent segments to merge (a swappable ``MergePolicy``).
- ``writer``: ``IndexWriter``, one re-index's changes, ending in a new manifest.

At query time, as tantivy keeps ``termdict/``, ``query/`` and ``collector/`` apart:

- ``termdict``: ``TermDictionary``, a term's id, document and name frequencies, idf, prefix search.
- ``scorer``: ``SegmentScorer``, one segment's BM25Okapi contributions; ``Bm25Weight``, what a
  question asks, computed once (its terms' ids, df and idf, MaxScore's bounds).
- ``collector``: ``TopK``, the k best, ties in corpus order.
- ``maxscore``: ``TopScorer``, the k best with MaxScore pruning, or every posting when that pays.
- ``searcher``: ``SegmentedIndex``, the thin reader of one manifest that composes them.
"""

from .files import DamagedIndexError, index_dir_for
from .lexicon import KEY_BYTES, Lexicon
from .manifest import FORMAT, Manifest, SegmentEntry, collect_garbage, manifest_files
from .merge_policy import LogMergePolicy, MergePolicy, SegmentSize
from .searcher import SegmentedIndex, open_index
from .segment import DocBatch, Segment
from .stats import Stats, compute_stats
from .termdict import TermDictionary
from .writer import IndexWriter

__all__ = [
    "FORMAT",
    "KEY_BYTES",
    "DamagedIndexError",
    "DocBatch",
    "IndexWriter",
    "Lexicon",
    "LogMergePolicy",
    "Manifest",
    "MergePolicy",
    "Segment",
    "SegmentEntry",
    "SegmentSize",
    "SegmentedIndex",
    "Stats",
    "TermDictionary",
    "collect_garbage",
    "compute_stats",
    "index_dir_for",
    "manifest_files",
    "open_index",
]
