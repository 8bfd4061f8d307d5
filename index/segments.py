"""The on-disk index: immutable segments beside the database, and the live view over them.

rank-bm25's ``BM25Okapi`` is the reference for every score (tests/comparison holds the two equal,
bit for bit, after additions and deletions too). What this module adds is the way a million
passages are kept so that opening the library costs a fraction of a second and a one-file change
costs a small new segment, as Lucene does:

``<database>.index/``
    ``seg-<generation>-<random>/``  one segment: ``.npy`` arrays, loaded with ``mmap_mode="r"``
        ``ids`` (passage ids, ascending), ``lengths`` (terms per passage), ``articles`` (the
        segment's article number of each passage), ``term_ids``/``offsets``/``postings``/``tf``/
        ``rank`` (posting lists of global term ids; ``rank`` is the place of the term among the
        distinct terms of its passage, in order of first appearance, which is the order in which
        rank-bm25 meets terms), ``name_term_ids``/``name_offsets``/``name_postings`` (which
        passages write a term as a name) and ``article_names``/``article_name_offsets`` (each
        article's names, UTF-8, space-separated).
    ``lex-<generation>-<random>/``  a part of the lexicon (term -> global term id): ``keys`` (the
        UTF-8 terms of up to KEY_BYTES bytes, sorted, searched with ``np.searchsorted``), ``ids``,
        and ``long.json`` for longer terms. Parts only ever add terms; ids never change.
    ``stats-<generation>-<random>/``  ``df``, ``idf`` and ``name_df`` by global term id, over the
        live passages.
    ``del-<generation>-<random>.npy``  the deleted passages of one segment (segment-local numbers).

Which of those files make the index is said by the manifest, a JSON value in the database's
``meta`` table, written in the same SQLite transaction as the passages. Files are written under
new names and fsynced before that transaction commits, and never changed afterwards, so the
manifest a reader sees always names complete files that hold exactly the committed passages.
Files no manifest names (a crashed re-index) are removed later (``collect_garbage``).

Statistics (N, avgdl, df, idf and rank-bm25's epsilon floor) are over all segments minus the
deleted passages, computed when a re-index commits; length normalisation is computed per snapshot,
so a segment never depends on the corpus around it.
"""

import json
import math
import os
import secrets
import shutil
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .answering import NAME_SHARE, Names
from .bm25 import EPSILON, K1, B, ScoredPassage

FORMAT = 1
KEY_BYTES = 24  # terms up to this many UTF-8 bytes are searched in a sorted numpy array
SEGMENT_PREFIXES = ("seg-", "lex-", "stats-", "del-", "tmp-")


def index_dir_for(database: str | Path) -> Path:
    """The folder that holds a database's index: named after it, beside it."""
    return Path(f"{database}.index")


# --- files -----------------------------------------------------------------------------------------


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _save(folder: Path, name: str, array: np.ndarray) -> None:
    with open(folder / f"{name}.npy", "wb") as file:
        np.save(file, np.ascontiguousarray(array))
        file.flush()
        os.fsync(file.fileno())


def _load(folder: Path, name: str) -> np.ndarray:
    # A plain ndarray view of the mapping: slicing a np.memmap costs Python calls each time.
    return np.asarray(np.load(folder / f"{name}.npy", mmap_mode="r"))


def _new_name(prefix: str, generation: int) -> str:
    return f"{prefix}-{generation:08d}-{secrets.token_hex(4)}"


class _Staging:
    """A folder written under a temporary name and renamed into place once complete and synced."""

    def __init__(self, root: Path, name: str) -> None:
        self.root, self.name = root, name
        self.path = root / f"tmp-{name}"
        self.path.mkdir(parents=True)

    def publish(self) -> str:
        _fsync_dir(self.path)
        os.rename(self.path, self.root / self.name)
        _fsync_dir(self.root)
        return self.name


def _small_uint(values: np.ndarray) -> np.ndarray:
    """uint16 when every value fits (term frequencies and ranks nearly always do), else int32."""
    if values.size == 0 or int(values.max()) < 65536:
        return values.astype(np.uint16)
    return values.astype(np.int32)


# --- lexicon ---------------------------------------------------------------------------------------


class LexiconPart:
    def __init__(self, path: Path) -> None:
        self.name = path.name
        self.keys = _load(path, "keys")  # sorted, dtype S<=KEY_BYTES
        self.ids = _load(path, "ids")
        self.long: dict[str, int] = json.loads((path / "long.json").read_text(encoding="utf-8"))

    def lookup(self, term: str, encoded: bytes) -> int:
        if len(encoded) > KEY_BYTES:
            return self.long.get(term, -1)
        if self.keys.size == 0:
            return -1
        at = int(np.searchsorted(self.keys, encoded))
        if at < self.keys.size and self.keys[at] == encoded:
            return int(self.ids[at])
        return -1

    def lookup_many(self, keys: np.ndarray) -> np.ndarray:
        """Ids of short encoded terms (an S array), -1 where absent."""
        out = np.full(keys.size, -1, dtype=np.int64)
        if self.keys.size == 0 or keys.size == 0:
            return out
        at = np.minimum(np.searchsorted(self.keys, keys), self.keys.size - 1)
        found = self.keys[at] == keys
        out[found] = self.ids[at[found]]
        return out

    @staticmethod
    def write(root: Path, generation: int, terms: Sequence[str], ids: Sequence[int]) -> str:
        stage = _Staging(root, _new_name("lex", generation))
        short, short_ids, long = [], [], {}
        for term, tid in zip(terms, ids, strict=True):
            encoded = term.encode("utf-8")
            if len(encoded) > KEY_BYTES or not encoded or encoded.endswith(b"\0"):
                long[term] = int(tid)
            else:
                short.append(encoded)
                short_ids.append(tid)
        keys = np.array(short, dtype=f"S{KEY_BYTES}")
        order = np.argsort(keys, kind="stable")
        _save(stage.path, "keys", keys[order])
        _save(stage.path, "ids", np.asarray(short_ids, dtype=np.int32)[order])
        with open(stage.path / "long.json", "w", encoding="utf-8") as file:
            json.dump(long, file, ensure_ascii=False)
            file.flush()
            os.fsync(file.fileno())
        return stage.publish()

    def items(self) -> Iterator[tuple[str, int]]:
        for key, tid in zip(self.keys.tolist(), self.ids.tolist(), strict=True):
            yield key.decode("utf-8"), tid
        yield from self.long.items()


class Lexicon:
    """Term -> global term id, over a few immutable parts (the first one holds nearly all terms)."""

    CACHE = 100_000

    def __init__(self, parts: list[LexiconPart], size: int) -> None:
        self.parts = parts
        self.size = size  # ids are 0 .. size-1
        # A question looks its terms up several times (scoring, the no-answer rule, marking), and
        # questions repeat words: each lookup is a binary search per part.
        self._known: dict[str, int] = {}

    @classmethod
    def open(cls, root: Path, names: Sequence[str], size: int) -> "Lexicon":
        return cls([LexiconPart(root / name) for name in names], size)

    def lookup(self, term: str) -> int:
        tid = self._known.get(term)
        if tid is None:
            tid = self._search(term)
            if len(self._known) < self.CACHE:
                self._known[term] = tid
        return tid

    def _search(self, term: str) -> int:
        encoded = term.encode("utf-8")
        for part in self.parts:
            tid = part.lookup(term, encoded)
            if tid >= 0:
                return tid
        return -1


class LexiconWriter:
    """Assigns global ids to the terms of new passages: known terms keep theirs."""

    COMPACT_PARTS = 12  # more small parts than this are merged into one

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.new: dict[str, int] = {}

    @property
    def size(self) -> int:
        return self.lexicon.size + len(self.new)

    def ids_for(self, terms: Sequence[str]) -> np.ndarray:
        out = np.full(len(terms), -1, dtype=np.int64)
        encoded = [t.encode("utf-8") for t in terms]
        short = np.array([len(e) <= KEY_BYTES and not e.endswith(b"\0") and bool(e) for e in encoded], bool)
        if short.any() and self.lexicon.parts:
            keys = np.array([e for e, s in zip(encoded, short, strict=True) if s], dtype=f"S{KEY_BYTES}")
            found = np.full(keys.size, -1, dtype=np.int64)
            for part in self.lexicon.parts:
                missing = found < 0
                if not missing.any():
                    break
                found[missing] = part.lookup_many(keys[missing])
            out[short] = found
        for i in np.flatnonzero(out < 0).tolist():
            term = terms[i]
            tid = -1
            if not short[i]:
                tid = next((p.long[term] for p in self.lexicon.parts if term in p.long), -1)
            if tid < 0:
                tid = self.new.setdefault(term, self.lexicon.size + len(self.new))
            out[i] = tid
        return out

    def finish(self, root: Path, generation: int) -> list[str]:
        """The lexicon part names after this re-index (a new part for the new terms)."""
        names = [p.name for p in self.lexicon.parts]
        if self.new:
            names.append(LexiconPart.write(root, generation, list(self.new), list(self.new.values())))
        if len(names) > self.COMPACT_PARTS:
            parts = [LexiconPart(root / name) for name in names[1:]]
            terms, ids = [], []
            for part in parts:
                for term, tid in part.items():
                    terms.append(term)
                    ids.append(tid)
            names = [names[0], LexiconPart.write(root, generation, terms, ids)]
        return names


# --- segments --------------------------------------------------------------------------------------


@dataclass(slots=True)
class DocBatch:
    """New passages, one after another (doc-major), with global term ids.

    ``terms``/``tf`` list each passage's distinct terms in order of first appearance;
    ``names`` each passage's name terms; ``articles`` numbers the passages' articles from 0.
    """

    ids: np.ndarray  # int64, ascending
    lengths: np.ndarray  # int32
    articles: np.ndarray  # int32
    term_offsets: np.ndarray  # int64, len(ids) + 1
    terms: np.ndarray  # int64 global term ids
    tf: np.ndarray  # int32
    name_offsets: np.ndarray  # int64, len(ids) + 1
    names: np.ndarray  # int64 global term ids
    article_names: list[str]  # one space-separated string an article

    @staticmethod
    def concat(batches: Sequence["DocBatch"]) -> "DocBatch":
        if len(batches) == 1:
            return batches[0]
        article_base = np.cumsum([0] + [len(b.article_names) for b in batches])
        return DocBatch(
            _concat([b.ids for b in batches]),
            _concat([b.lengths for b in batches]),
            _concat([b.articles + base for b, base in zip(batches, article_base, strict=False)]),
            _concat_offsets([b.term_offsets for b in batches]),
            _concat([b.terms for b in batches]),
            _concat([b.tf for b in batches]),
            _concat_offsets([b.name_offsets for b in batches]),
            _concat([b.names for b in batches]),
            [name for b in batches for name in b.article_names],
        )


def _concat_offsets(parts: Sequence[np.ndarray]) -> np.ndarray:
    out, base = [np.zeros(1, dtype=np.int64)], 0
    for offsets in parts:
        out.append(np.asarray(offsets[1:], dtype=np.int64) + base)
        base += int(offsets[-1])
    return _concat(out)


def _term_major(terms: np.ndarray, docs: np.ndarray, *columns: np.ndarray):
    """Posting lists from postings in passage order: grouped by term, passage order kept."""
    order = np.argsort(terms, kind="stable")
    sorted_terms = terms[order]
    starts = np.flatnonzero(np.diff(sorted_terms)) + 1 if sorted_terms.size else np.zeros(0, np.int64)
    starts = np.concatenate(([0], starts)) if sorted_terms.size else starts
    term_ids = sorted_terms[starts]
    offsets = np.append(starts, sorted_terms.size).astype(np.int64)
    return term_ids.astype(np.int32), offsets, docs[order], *(c[order] for c in columns)


def _write_segment(
    root: Path,
    generation: int,
    ids: np.ndarray,
    lengths: np.ndarray,
    articles: np.ndarray,
    post_terms: np.ndarray,
    post_docs: np.ndarray,
    post_tf: np.ndarray,
    post_rank: np.ndarray,
    name_terms: np.ndarray,
    name_docs: np.ndarray,
    article_names: list[str],
) -> str:
    stage = _Staging(root, _new_name("seg", generation))
    path = stage.path
    _save(path, "ids", ids.astype(np.int64))
    _save(path, "lengths", lengths.astype(np.int32))
    _save(path, "articles", articles.astype(np.int32))
    term_ids, offsets, postings, tf, rank = _term_major(post_terms, post_docs, post_tf, post_rank)
    _save(path, "term_ids", term_ids)
    _save(path, "offsets", offsets)
    _save(path, "postings", postings.astype(np.int32))
    _save(path, "tf", _small_uint(tf))
    _save(path, "rank", _small_uint(rank))
    del postings, tf, rank
    name_ids, name_offsets, name_postings = _term_major(name_terms, name_docs)
    _save(path, "name_term_ids", name_ids)
    _save(path, "name_offsets", name_offsets)
    _save(path, "name_postings", name_postings.astype(np.int32))
    encoded = [name.encode("utf-8") for name in article_names]
    blob = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    _save(path, "article_names", blob)
    _save(path, "article_name_offsets", np.cumsum([0] + [len(e) for e in encoded], dtype=np.int64))
    return stage.publish()


def _repeat(values: np.ndarray, counts: np.ndarray, chunk: int = 8_192) -> np.ndarray:
    """``np.repeat``, a chunk at a time: it holds the GIL throughout, and on millions of
    postings that would stall the event loop of the process re-indexing."""
    if values.size <= chunk:
        return np.repeat(values, counts)
    return _concat(
        [np.repeat(values[i : i + chunk], counts[i : i + chunk]) for i in range(0, values.size, chunk)]
    )


def _concat(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """``np.concatenate`` as many small copies (one long copy holds the GIL as long)."""
    if len(arrays) == 1:
        return arrays[0]
    out = np.empty(sum(a.size for a in arrays), dtype=np.result_type(*arrays))
    at = 0
    for array in arrays:
        out[at : at + array.size] = array
        at += array.size
    return out


def write_batch(root: Path, generation: int, batch: DocBatch) -> str:
    """A new segment holding ``batch``; its name."""
    n = batch.ids.size
    counts = np.diff(batch.term_offsets)
    docs = _repeat(np.arange(n, dtype=np.int32), counts)
    rank = np.arange(batch.terms.size, dtype=np.int64) - _repeat(batch.term_offsets[:-1], counts)
    name_docs = _repeat(np.arange(n, dtype=np.int32), np.diff(batch.name_offsets))
    return _write_segment(
        root, generation, batch.ids, batch.lengths, batch.articles,
        batch.terms, docs, batch.tf, rank, batch.names, name_docs, batch.article_names,
    )  # fmt: skip


class Segment:
    """One immutable segment, memory-mapped."""

    def __init__(self, path: Path) -> None:
        self.name = path.name
        self.ids = _load(path, "ids")
        self.lengths = _load(path, "lengths")
        self.articles = _load(path, "articles")
        self.term_ids = _load(path, "term_ids")
        self.offsets = _load(path, "offsets")
        self.postings = _load(path, "postings")
        self.tf = _load(path, "tf")
        self.rank = _load(path, "rank")
        self.name_term_ids = _load(path, "name_term_ids")
        self.name_offsets = _load(path, "name_offsets")
        self.name_postings = _load(path, "name_postings")
        self.article_names = _load(path, "article_names")
        self.article_name_offsets = _load(path, "article_name_offsets")
        self.size = int(self.ids.size)
        self.article_count = int(self.article_name_offsets.size - 1)

    def span(self, tid: int) -> tuple[int, int]:
        at = int(np.searchsorted(self.term_ids, self.term_ids.dtype.type(tid)))
        if at < self.term_ids.size and self.term_ids[at] == tid:
            return int(self.offsets[at]), int(self.offsets[at + 1])
        return 0, 0

    def names_of(self, article: int) -> frozenset[str]:
        start, end = self.article_name_offsets[article], self.article_name_offsets[article + 1]
        return frozenset(self.article_names[start:end].tobytes().decode("utf-8").split())


def merge_segments(root: Path, generation: int, parts: Sequence[tuple[Segment, np.ndarray | None]]) -> str:
    """One segment holding the live passages of adjacent segments, in their order."""
    ids, lengths, articles, article_names = [], [], [], []
    post = {"terms": [], "docs": [], "tf": [], "rank": [], "nterms": [], "ndocs": []}
    doc_base = article_base = 0
    for segment, deleted in parts:
        live = np.ones(segment.size, bool) if deleted is None else ~deleted
        remap = np.cumsum(live, dtype=np.int64) - 1 + doc_base  # old local doc -> merged doc
        live_articles = np.unique(np.asarray(segment.articles)[live])
        article_remap = np.full(segment.article_count, -1, dtype=np.int64)
        article_remap[live_articles] = np.arange(live_articles.size) + article_base
        ids.append(np.asarray(segment.ids)[live])
        lengths.append(np.asarray(segment.lengths)[live])
        articles.append(article_remap[np.asarray(segment.articles)[live]])
        article_names += [" ".join(sorted(segment.names_of(int(a)))) for a in live_articles]
        for key_terms, key_docs, ids_, offsets, postings, extra in (
            ("terms", "docs", segment.term_ids, segment.offsets, segment.postings, True),
            ("nterms", "ndocs", segment.name_term_ids, segment.name_offsets, segment.name_postings, False),
        ):
            postings = np.asarray(postings)
            terms = _repeat(np.asarray(ids_), np.diff(offsets))
            keep = live[postings]
            post[key_terms].append(terms[keep])
            post[key_docs].append(remap[postings[keep]])
            if extra:
                post["tf"].append(np.asarray(segment.tf)[keep].astype(np.int32))
                post["rank"].append(np.asarray(segment.rank)[keep].astype(np.int32))
        doc_base += int(live.sum())
        article_base += live_articles.size
    return _write_segment(
        root, generation, np.concatenate(ids), np.concatenate(lengths), np.concatenate(articles),
        np.concatenate(post["terms"]), np.concatenate(post["docs"]), np.concatenate(post["tf"]),
        np.concatenate(post["rank"]), np.concatenate(post["nterms"]), np.concatenate(post["ndocs"]),
        article_names,
    )  # fmt: skip


# --- statistics ------------------------------------------------------------------------------------


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


def _write_stats(root: Path, generation: int, stats: Stats) -> str:
    stage = _Staging(root, _new_name("stats", generation))
    _save(stage.path, "df", stats.df)
    _save(stage.path, "idf", stats.idf)
    _save(stage.path, "name_df", stats.name_df)
    return stage.publish()


def _write_deleted(root: Path, generation: int, deleted: np.ndarray) -> str:
    name = _new_name("del", generation) + ".npy"
    tmp = root / f"tmp-{name}"
    with open(tmp, "wb") as file:
        np.save(file, np.flatnonzero(deleted).astype(np.int32))
        file.flush()
        os.fsync(file.fileno())
    os.rename(tmp, root / name)
    return name


# --- manifest --------------------------------------------------------------------------------------


def empty_manifest() -> dict:
    return {
        "format": FORMAT, "generation": 0, "segments": [], "lexicon": [], "terms": 0, "stats": None,
        "passages": 0, "length": 0, "vocabulary": 0, "epsilon": 0.0,
    }  # fmt: skip


def manifest_files(manifest: dict | None) -> set[str]:
    if not manifest:
        return set()
    names = set(manifest["lexicon"])
    names.update(s["name"] for s in manifest["segments"])
    names.update(s["deleted"] for s in manifest["segments"] if s.get("deleted"))
    if manifest.get("stats"):
        names.add(manifest["stats"])
    return names


def collect_garbage(root: Path, keep: set[str]) -> list[str]:
    """Remove the index files that no kept manifest names. Call it holding the write lock."""
    removed = []
    if not root.is_dir():
        return removed
    for entry in root.iterdir():
        if entry.name.startswith(SEGMENT_PREFIXES) and entry.name not in keep:
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry.name)
    return removed


def _load_deleted(root: Path, entry: dict, size: int) -> np.ndarray | None:
    if not entry.get("deleted"):
        return None
    mask = np.zeros(size, dtype=bool)
    mask[np.load(root / entry["deleted"])] = True
    return mask


# --- writing ---------------------------------------------------------------------------------------


class IndexWriter:
    """One re-index's changes to the index: new passages, deleted passages, merges.

    ``finish`` writes every file the new manifest names and returns that manifest; the caller
    commits it in the same transaction as the passages. Nothing visible changes before that.
    """

    MAX_SEGMENT_DOCS = 262_144  # new passages are cut into segments of at most this many
    MERGE_FACTOR = 8  # this many adjacent segments of one size tier are merged into one
    EXPUNGE_SHARE = 0.3  # a small segment with this share of deleted passages is rewritten
    EXPUNGE_MAX_DOCS = 100_000

    def __init__(self, root: Path, manifest: dict | None, cache: dict[str, Segment] | None = None) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.base = manifest or empty_manifest()
        self.generation = self.base["generation"] + 1
        cache = cache or {}
        self.segments: list[list] = []  # [name, Segment, deleted mask or None, changed?]
        for entry in self.base["segments"]:
            segment = cache.get(entry["name"]) or Segment(root / entry["name"])
            self.segments.append([entry["name"], segment, _load_deleted(root, entry, segment.size), False])
        self.lexicon = LexiconWriter(Lexicon.open(root, self.base["lexicon"], self.base["terms"]))
        self.pending: list[DocBatch] = []
        self.pending_docs = 0
        self.dirty = False  # anything added or deleted

    def delete(self, passage_ids: Sequence[int] | np.ndarray) -> None:
        ids = np.sort(np.asarray(passage_ids, dtype=np.int64))
        if ids.size == 0:
            return
        for item in self.segments:
            _, segment, deleted, _ = item
            if segment.size == 0:
                continue
            at = np.searchsorted(segment.ids, ids)
            inside = at < segment.size
            hit = at[inside][np.asarray(segment.ids)[at[inside]] == ids[inside]]
            if hit.size:
                if deleted is None:
                    deleted = item[2] = np.zeros(segment.size, dtype=bool)
                deleted[hit] = True
                item[3] = True
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
        self.segments.append([name, Segment(self.root / name), None, False])

    def finish(self) -> dict:
        self.flush()
        # Segments with nothing live are dropped; adjacent small ones are merged (as Lucene's
        # LogMergePolicy does), keeping the corpus order (passage id order) intact.
        self.segments = [s for s in self.segments if s[2] is None or not s[2].all()]
        self._merge()
        parts = [(s[1], s[2]) for s in self.segments]
        lexicon = self.lexicon.finish(self.root, self.generation)
        stats = compute_stats(parts, self.lexicon.size)
        entries = []
        for name, segment, deleted, changed in self.segments:
            old = next((e for e in self.base["segments"] if e["name"] == name), None)
            if deleted is None:
                deleted_name = None
            elif changed or old is None:
                deleted_name = _write_deleted(self.root, self.generation, deleted)
            else:
                deleted_name = old["deleted"]
            entries.append({
                "name": name, "docs": segment.size, "deleted": deleted_name,
                "deleted_count": 0 if deleted is None else int(deleted.sum()),
            })  # fmt: skip
        return {
            "format": FORMAT,
            "generation": self.generation,
            "segments": entries,
            "lexicon": lexicon,
            "terms": self.lexicon.size,
            "stats": _write_stats(self.root, self.generation, stats),
            "passages": stats.passages,
            "length": stats.length,
            "vocabulary": stats.vocabulary,
            "epsilon": stats.epsilon,
        }

    def _tier(self, item: list) -> int:
        live = item[1].size - (0 if item[2] is None else int(item[2].sum()))
        return int(math.log(max(live, 1), self.MERGE_FACTOR))

    def _merge(self) -> None:
        for item in list(self.segments):
            _, segment, deleted, _ = item
            if (
                deleted is not None
                and segment.size <= self.EXPUNGE_MAX_DOCS
                and deleted.sum() >= self.EXPUNGE_SHARE * segment.size
            ):
                self._replace([item])
        while True:
            tiers = [self._tier(s) for s in self.segments]
            run = None
            for start in range(len(tiers) - self.MERGE_FACTOR + 1):
                window = tiers[start : start + self.MERGE_FACTOR]
                if len(set(window)) == 1:
                    run = self.segments[start : start + self.MERGE_FACTOR]
                    break
            if run is None:
                return
            self._replace(run)

    def _replace(self, run: list[list]) -> None:
        name = merge_segments(self.root, self.generation, [(s[1], s[2]) for s in run])
        at = next(i for i, item in enumerate(self.segments) if item is run[0])
        self.segments[at : at + len(run)] = [[name, Segment(self.root / name), None, False]]


# --- reading ---------------------------------------------------------------------------------------


class NameTerms:
    """The terms the articles write as names: a term is one when at least NAME_SHARE of the
    passages holding it write it as a name. Answers ``term in names`` without a set of them all."""

    def __init__(self, index: "SegmentedIndex") -> None:
        self._index = index

    def __contains__(self, term: object) -> bool:
        if not isinstance(term, str):
            return False
        tid = self._index.lexicon.lookup(term)
        if tid < 0:
            return False
        df = int(self._index.stats.df[tid])
        return df > 0 and int(self._index.stats.name_df[tid]) >= NAME_SHARE * df


class ArticleNames(Sequence):
    """Article number -> the names that article mentions, read from the segments on demand."""

    def __init__(self, segments: Sequence[Segment]) -> None:
        self._segments = segments
        self._bases = np.cumsum([0] + [s.article_count for s in segments])

    def __len__(self) -> int:
        return int(self._bases[-1])

    def __getitem__(self, article):
        article = int(article)
        if not 0 <= article < len(self):
            raise IndexError(article)
        at = int(np.searchsorted(self._bases, article, side="right")) - 1
        return self._segments[at].names_of(article - int(self._bases[at]))


def _letters(keys: np.ndarray) -> np.ndarray:
    """The number of letters of each UTF-8 key (bytes that start a character; none is 0)."""
    raw = keys.view(np.uint8).reshape(len(keys), keys.itemsize)
    return ((raw != 0) & ((raw & 0xC0) != 0x80)).sum(axis=1)


class SegmentedIndex:
    """The live corpus: all segments of one manifest, minus deleted passages.

    A passage's *position* is its place among all passages of the segments, deleted ones
    included; live positions in increasing order are the live passages in passage-id order,
    which is the order rank-bm25 is given them in.
    """

    def __init__(self, root: Path, manifest: dict, cache: dict[str, Segment] | None = None) -> None:
        cache = cache or {}
        self.manifest = manifest
        self.segments = [cache.get(e["name"]) or Segment(root / e["name"]) for e in manifest["segments"]]
        self.lexicon = Lexicon.open(root, manifest["lexicon"], manifest["terms"])
        if manifest["stats"]:
            folder = root / manifest["stats"]
            df, idf, name_df = _load(folder, "df"), _load(folder, "idf"), _load(folder, "name_df")
        else:
            df = name_df = np.zeros(0, dtype=np.int32)
            idf = np.zeros(0)
        self.stats = Stats(
            df,
            idf,
            name_df,
            manifest["passages"],
            manifest["length"],
            manifest["vocabulary"],
            manifest["epsilon"],
        )
        sizes = [s.size for s in self.segments]
        self.bases = np.cumsum([0, *sizes]).astype(np.int64)
        self.positions = int(self.bases[-1])
        self.size = self.stats.passages  # N, the live passages
        self.live = np.ones(self.positions, dtype=bool)
        for entry, base, size in zip(manifest["segments"], self.bases, sizes, strict=False):
            deleted = _load_deleted(root, entry, size)
            if deleted is not None:
                self.live[base : base + size] = ~deleted
        self.passage_ids = (
            np.concatenate([s.ids for s in self.segments]) if sizes else np.zeros(0, dtype=np.int64)
        )
        lengths = np.concatenate([s.lengths for s in self.segments]) if sizes else np.zeros(0, dtype=np.int32)
        if self.size and self.stats.length:
            avgdl = self.stats.length / self.size  # as rank-bm25: int / int
            # BM25Okapi's length normalisation, evaluated as rank-bm25 evaluates it.
            self._norm = K1 * (1 - B + B * lengths / avgdl)
        else:
            self._norm = np.zeros(self.positions)
        article_bases = np.cumsum([0] + [s.article_count for s in self.segments])
        self.article_of = (
            np.concatenate(
                [np.asarray(s.articles) + b for s, b in zip(self.segments, article_bases, strict=False)]
            )
            if sizes
            else np.zeros(0, dtype=np.int64)
        )
        self.all_live = bool(self.live.all())
        self._buffers = threading.local()
        self._bounds: dict[int, float] = {}

    @property
    def vocabulary_size(self) -> int:
        return self.stats.vocabulary

    def names(self) -> Names:
        return Names(NameTerms(self), self.article_of, ArticleNames(self.segments))  # type: ignore[arg-type]

    def weight(self, term: str) -> float:
        """How much a term says about a passage: a smoothed idf, positive even for common terms
        and highest for a term no passage contains."""
        df = self.document_frequency(term)
        return float(np.log1p((self.size - df + 0.5) / (df + 0.5)))

    def document_frequency(self, term: str) -> int:
        """How many live passages hold ``term``."""
        tid = self.lexicon.lookup(term)
        return 0 if tid < 0 else int(self.stats.df[tid])

    def terms_starting_with(self, prefix: str, shortest: int, longest: int) -> list[str]:
        """The terms some live passage holds that begin with ``prefix`` and are ``shortest`` to
        ``longest`` letters long; chosen on the lexicon's arrays, so a prefix that thousands of
        terms share decodes only the few that qualify."""
        encoded = prefix.encode("utf-8")
        found: list[str] = []
        for part in self.lexicon.parts:
            start, end = np.searchsorted(part.keys, [encoded, encoded + b"\xff"])  # no UTF-8 byte is 0xff
            keys, ids = part.keys[start:end], part.ids[start:end]
            size = _letters(keys)
            keep = (size >= shortest) & (size <= longest) & (self.stats.df[ids] > 0)
            found += [key.decode("utf-8") for key in keys[keep].tolist()]
            found += [  # terms longer than KEY_BYTES are few, and kept apart
                term
                for term, tid in part.long.items()
                if shortest <= len(term) <= longest and term.startswith(prefix) and self.stats.df[tid]
            ]
        return found

    def contains(self, term: str, positions: np.ndarray) -> np.ndarray:
        """For each position, whether that passage contains ``term``."""
        positions = np.asarray(positions, dtype=np.int64)
        out = np.zeros(positions.size, dtype=bool)
        tid = self.lexicon.lookup(term)
        if tid < 0 or positions.size == 0:
            return out
        which = np.searchsorted(self.bases, positions, side="right") - 1
        for s in np.unique(which).tolist():
            start, end = self.segments[s].span(tid)
            if start == end:
                continue
            docs = self.segments[s].postings[start:end]
            mask = which == s
            local = positions[mask] - self.bases[s]
            at = np.searchsorted(docs, local.astype(docs.dtype))  # never cast the long list
            out[mask] = (at < docs.size) & (docs[np.minimum(at, docs.size - 1)] == local)
        return out

    def _query_terms(self, query: Sequence[str]) -> list[tuple[int, float]]:
        """(term id, idf) of each query term that can change a score, in query order."""
        out = []
        for term in query:  # repeated terms count again, as in rank-bm25
            tid = self.lexicon.lookup(term)
            if tid < 0 or self.stats.df[tid] == 0:
                continue
            idf = float(self.stats.idf[tid])
            if idf != 0:  # a term with idf 0 adds exactly nothing
                out.append((tid, idf))
        return out

    def _contributions(self, tid: int, idf: float, positions: np.ndarray, tf: np.ndarray) -> np.ndarray:
        """BM25Okapi's term score for these passages, evaluated as rank-bm25 evaluates it."""
        tf = tf.astype(np.float64)
        return idf * (tf * (K1 + 1) / (tf + self._norm[positions]))

    def _postings(self, terms: Sequence[tuple[int, float]]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(positions, contributions) per query term and segment, in query order."""
        for tid, idf in terms:
            for segment, base in zip(self.segments, self.bases.tolist(), strict=False):
                start, end = segment.span(tid)
                if start != end:
                    positions = segment.postings[start:end] + np.int64(base)
                    yield positions, self._contributions(tid, idf, positions, segment.tf[start:end])

    def get_scores(self, query: Sequence[str]) -> np.ndarray:
        """Every live passage's score, in passage-id order, exactly as ``BM25Okapi.get_scores``."""
        scores = np.zeros(self.positions)
        for positions, contributions in self._postings(self._query_terms(query)):
            scores[positions] += contributions
        return scores[self.live]

    def _buffer(self) -> np.ndarray:
        buffer = getattr(self._buffers, "scores", None)
        if buffer is None:
            buffer = self._buffers.scores = np.zeros(self.positions)
        return buffer

    COMMON_SHARE = 0.02  # terms in more than this share of passages are scored only where needed
    COMMON_MIN_DF = 64
    PRUNED_MAX_SHARE = 0.03  # past this many candidates, scoring every posting is cheaper
    # Pruning is tried only when the common terms' postings it may skip number at least this share
    # of the passages: below it, scoring them all costs less than an attempt that may fail.
    PRUNED_MIN_SKIPPED = 0.2

    def top(self, query: Sequence[str], k: int) -> list[ScoredPassage]:
        """The ``k`` best live passages with a positive score, best first, ties in corpus order.

        Exact, and fast when the question has rare terms (MaxScore, as search engines prune):
        the passages holding the rarer terms are scored in full, common terms included; a
        passage holding none of them scores at most the sum of the common terms' largest
        contributions, so once that bound is below the k-th best score found, the long posting
        lists of the common terms are never scanned. Otherwise every posting is scored.
        """
        terms = self._query_terms(query)
        if k <= 0 or not terms:
            return []
        found = self._top_pruned(terms, k)
        return found if found is not None else self._top_exhaustive(terms, k)

    def top_reordered(
        self, query: Sequence[str], extra: Sequence[str], k: int, pool: int
    ) -> list[ScoredPassage]:
        """The ``k`` best of the ``pool * k`` passages ``query`` finds, scored for ``query + extra``.

        ``extra`` (a question's answer words: "how long" -> "years") only reorders what the
        question's own words find; such words are often common, and scanning their posting lists
        in full would cost tens of milliseconds a question at a million passages.
        """
        extra = [term for term in extra if self.document_frequency(term)]
        if not extra:
            return self.top(query, k)
        found = self.top(query, k * pool)
        if not found:
            return []
        positions = np.sort(np.fromiter((s.position for s in found), dtype=np.int64, count=len(found)))
        scores = self.score_passages([*query, *extra], positions)
        order = np.lexsort((positions, -scores))[:k]  # ties in corpus order, as top() keeps them
        return [ScoredPassage(int(positions[i]), float(scores[i])) for i in order]

    def score_passages(self, query: Sequence[str], positions: np.ndarray) -> np.ndarray:
        """The scores of these passages (sorted positions) for ``query``, exactly as
        ``BM25Okapi.get_scores`` gives them, reading only these passages' postings."""
        return self._score_candidates(self._query_terms(query), np.asarray(positions, dtype=np.int64))

    def _max_contribution(self, tid: int, idf: float) -> float:
        """The largest score one occurrence of the term adds to any passage (0 if none is positive)."""
        known = self._bounds.get(tid)
        if known is None:
            known = 0.0
            for _, contributions in self._postings([(tid, idf)]):
                known = max(known, float(contributions.max()))
            self._bounds[tid] = known
        return known

    def _top_pruned(self, terms: list[tuple[int, float]], k: int) -> list[ScoredPassage] | None:
        idfs = dict(terms)
        df = {tid: int(self.stats.df[tid]) for tid in idfs}
        by_rarity = sorted(df, key=df.__getitem__)
        threshold = max(self.COMMON_MIN_DF, self.COMMON_SHARE * self.size)
        rare = max(1, sum(1 for tid in by_rarity if df[tid] <= threshold))
        if rare == len(by_rarity) or df[by_rarity[0]] > self.PRUNED_MAX_SHARE * self.size:
            return None  # nothing to prune, or no term rare enough to start from
        if sum(df[tid] for tid in by_rarity[rare:]) < self.PRUNED_MIN_SKIPPED * self.size:
            return None  # too little to skip
        count = Counter(tid for tid, _ in terms)
        bounds = {tid: self._max_contribution(tid, idfs[tid]) * count[tid] for tid in by_rarity[rare:]}
        parts = [p for p, _ in self._postings([(tid, idfs[tid]) for tid in by_rarity[:rare]])]
        while True:
            candidates = np.unique(np.concatenate(parts))
            candidates = candidates[self.live[candidates]]
            if candidates.size > self.PRUNED_MAX_SHARE * self.size:
                return None
            scores = self._score_candidates(terms, candidates)
            positive = scores > 0
            candidates, scores = candidates[positive], scores[positive]
            bound = sum(bounds[tid] for tid in by_rarity[rare:])
            if candidates.size >= k:
                kth = np.partition(scores, candidates.size - k)[candidates.size - k]
                done = bound * (1 + 1e-9) < kth  # no passage outside can reach (or tie) the k-th
            else:
                done = bound <= 0  # outside, nothing can score above zero
            if done:
                if candidates.size > k:
                    keep = scores >= kth
                    candidates, scores = candidates[keep], scores[keep]
                order = np.lexsort((candidates, -scores))[:k]
                return [ScoredPassage(int(candidates[i]), float(scores[i])) for i in order]
            tid = by_rarity[rare]  # the next rarest term joins those scored in full
            if candidates.size + df[tid] > self.PRUNED_MAX_SHARE * self.size:
                return None
            parts += [p for p, _ in self._postings([(tid, idfs[tid])])]
            rare += 1

    def _score_candidates(self, terms: list[tuple[int, float]], candidates: np.ndarray) -> np.ndarray:
        """Full scores of these (sorted) positions, each a sum in query order as rank-bm25's."""
        scores = np.zeros(candidates.size)
        which = np.searchsorted(self.bases, candidates, side="right") - 1
        groups = [(s, np.flatnonzero(which == s)) for s in np.unique(which).tolist()]
        for tid, idf in terms:
            for s, index in groups:
                segment = self.segments[s]
                start, end = segment.span(tid)
                if start == end:
                    continue
                local = candidates[index] - self.bases[s]
                docs = segment.postings[start:end]
                at = np.minimum(np.searchsorted(docs, local.astype(docs.dtype)), docs.size - 1)
                holds = docs[at] == local
                if holds.any():
                    positions = candidates[index[holds]]
                    tf = segment.tf[start:end][at[holds]]
                    scores[index[holds]] += self._contributions(tid, idf, positions, tf)
        return scores

    def _top_exhaustive(self, terms: list[tuple[int, float]], k: int) -> list[ScoredPassage]:
        scores = self._buffer()  # all zero between questions
        touched = []
        try:
            for positions, contributions in self._postings(terms):
                scores[positions] += contributions
                touched.append(positions)
            if not touched:
                return []
            candidates = np.concatenate(touched) if len(touched) > 1 else touched[0]
            values = scores[candidates]
            # A floor for the k-th best score: the k-th best among one posting list's passages
            # (distinct passages, all of them candidates). Only passages at or above it can
            # be in the top k, so the long list of candidates is cut with one comparison.
            sample = min((p for p in touched if p.size >= k), key=len, default=None)
            floor = None
            if sample is not None:
                found = scores[sample][self.live[sample]]
                found = found[found > 0]
                if found.size >= k:
                    floor = np.partition(found, found.size - k)[found.size - k]
        finally:
            for positions in touched:
                scores[positions] = 0.0
        keep = values >= floor if floor is not None else values > 0
        candidates, values = candidates[keep], values[keep]
        if not self.all_live:
            keep = self.live[candidates]
            candidates, values = candidates[keep], values[keep]
        wanted = k * len(touched)  # a passage appears at most once per list: enough for k distinct
        if candidates.size > wanted:
            kth = np.partition(values, candidates.size - wanted)[candidates.size - wanted]
            keep = values >= kth  # every tie at the boundary stays
            candidates, values = candidates[keep], values[keep]
        candidates, first = np.unique(candidates, return_index=True)
        values = values[first]
        order = np.lexsort((candidates, -values))[:k]
        return [ScoredPassage(int(candidates[i]), float(values[i])) for i in order]


def open_index(root: Path, manifest: dict | None, previous: SegmentedIndex | None = None) -> SegmentedIndex:
    """The index a manifest names (reusing the already mapped segments of ``previous``)."""
    cache = {s.name: s for s in previous.segments} if previous is not None else None
    return SegmentedIndex(root, manifest or empty_manifest(), cache)
