"""One segment: its format on disk, writing it from new passages, and merging segments.

``seg-<generation>-<random>/`` holds ``.npy`` arrays, loaded with ``mmap_mode="r"``: ``ids``
(passage ids, ascending), ``lengths`` (terms per passage), ``articles`` (the segment's article
number of each passage), ``term_ids``/``offsets``/``postings``/``tf``/``rank`` (posting lists of
global term ids; ``rank`` is the place of the term among the distinct terms of its passage, in
order of first appearance, which is the order in which rank-bm25 meets terms),
``name_term_ids``/``name_offsets``/``name_postings`` (which passages write a term as a name) and
``article_names``/``article_name_offsets`` (each article's names, UTF-8, space-separated).
A segment never depends on the corpus around it; it is never changed once written.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .files import Staging, load, new_name, save, small_uint


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


def _term_major(terms: np.ndarray, docs: np.ndarray, *columns: np.ndarray) -> tuple[np.ndarray, ...]:
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
    stage = Staging(root, new_name("seg", generation))
    path = stage.path
    save(path, "ids", ids.astype(np.int64))
    save(path, "lengths", lengths.astype(np.int32))
    save(path, "articles", articles.astype(np.int32))
    term_ids, offsets, postings, tf, rank = _term_major(post_terms, post_docs, post_tf, post_rank)
    save(path, "term_ids", term_ids)
    save(path, "offsets", offsets)
    save(path, "postings", postings.astype(np.int32))
    save(path, "tf", small_uint(tf))
    save(path, "rank", small_uint(rank))
    del postings, tf, rank
    name_ids, name_offsets, name_postings = _term_major(name_terms, name_docs)
    save(path, "name_term_ids", name_ids)
    save(path, "name_offsets", name_offsets)
    save(path, "name_postings", name_postings.astype(np.int32))
    encoded = [name.encode("utf-8") for name in article_names]
    blob = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    save(path, "article_names", blob)
    save(path, "article_name_offsets", np.cumsum([0] + [len(e) for e in encoded], dtype=np.int64))
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
    """One immutable segment, memory-mapped: an attribute for each of its array files, named as
    the file is (``ARRAY_FILES``; the module's docstring says what each holds)."""

    ids: np.ndarray
    lengths: np.ndarray
    articles: np.ndarray
    term_ids: np.ndarray
    offsets: np.ndarray
    postings: np.ndarray
    tf: np.ndarray
    rank: np.ndarray
    name_term_ids: np.ndarray
    name_offsets: np.ndarray
    name_postings: np.ndarray
    article_names: np.ndarray
    article_name_offsets: np.ndarray

    def __init__(self, path: Path) -> None:
        self.name = path.name
        for array in ARRAY_FILES:
            setattr(self, array, load(path, array))
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


ARRAY_FILES = tuple(name for name, kind in Segment.__annotations__.items() if kind is np.ndarray)


def merge_segments(root: Path, generation: int, parts: Sequence[tuple[Segment, np.ndarray | None]]) -> str:
    """One segment holding the live passages of adjacent segments, in their order."""
    ids: list[np.ndarray] = []
    lengths: list[np.ndarray] = []
    articles: list[np.ndarray] = []
    article_names: list[str] = []
    post: dict[str, list[np.ndarray]] = {k: [] for k in ("terms", "docs", "tf", "rank", "nterms", "ndocs")}
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
