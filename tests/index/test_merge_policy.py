"""The merge policy alone: which adjacent segments a re-index merges or rewrites."""

from collections.abc import Sequence
from pathlib import Path

from index.store.segments import IndexWriter, LogMergePolicy, SegmentSize

from ..comparison.reference import RANDOM_CORPORA, Archive, all_queries

POLICY = LogMergePolicy(merge_factor=4, expunge_share=0.3, expunge_max_docs=1000)


def sizes(*live: int) -> list[SegmentSize]:
    return [SegmentSize(docs, 0) for docs in live]


def test_segments_of_one_tier_are_merged_merge_factor_at_a_time() -> None:
    assert POLICY.next_merge(sizes(1, 2, 3, 1)) == range(0, 4)


def test_fewer_than_merge_factor_segments_of_a_tier_stay() -> None:
    assert POLICY.next_merge(sizes(1, 2, 3)) is None


def test_only_adjacent_segments_are_merged() -> None:
    # 100 passages are a higher tier: the small segments around it are never merged across it.
    assert POLICY.next_merge(sizes(1, 1, 100, 1, 1)) is None
    assert POLICY.next_merge(sizes(100, 1, 1, 1, 1)) == range(1, 5)


def test_tiers_count_live_passages_only() -> None:
    big_but_mostly_deleted = SegmentSize(docs=500, deleted=498)
    assert POLICY.next_merge([big_but_mostly_deleted, *sizes(1, 2, 3)]) == range(0, 4)


def test_a_small_segment_with_many_deletions_is_expunged() -> None:
    assert POLICY.expunge(SegmentSize(docs=100, deleted=30))
    assert not POLICY.expunge(SegmentSize(docs=100, deleted=29))
    assert not POLICY.expunge(SegmentSize(docs=100, deleted=0))
    assert not POLICY.expunge(SegmentSize(docs=5000, deleted=4000))  # too large to rewrite


class NeverMerge:
    def expunge(self, segment: SegmentSize) -> bool:
        return False

    def next_merge(self, segments: Sequence[SegmentSize]) -> range | None:
        return None


def test_the_writer_follows_the_policy_it_is_given(tmp_path: Path) -> None:
    corpus = RANDOM_CORPORA["seed1-200x300"]
    kept, merged = Archive(tmp_path / "kept"), Archive(tmp_path / "merged")
    for start in range(0, 100, 5):
        kept.commit(add=corpus[start : start + 5], policy=NeverMerge())
        merged.commit(add=corpus[start : start + 5])
    assert kept.manifest is not None and merged.manifest is not None
    assert len(kept.manifest.segments) == 20
    assert len(merged.manifest.segments) < 20
    for archive in (kept, merged):
        archive.check(all_queries(archive.corpus(), 1), ks=(3,))


def test_writer_uses_the_log_merge_policy_by_default(tmp_path: Path) -> None:
    assert isinstance(IndexWriter(tmp_path, None).policy, LogMergePolicy)
