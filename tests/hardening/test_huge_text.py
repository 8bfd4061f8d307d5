"""Text of any shape becomes passages of bounded length: a 5 MB line of sentences that start in
lower case, or of one endless word, is cut into passages no longer than the hard limit."""

from pathlib import Path

import pytest

from index import Library
from index.ingest.passages import HARD_CHARS, HARD_WORDS, segment

LINE = "the harbour pilots walked out on monday over new rosters. " * 90_000  # about 5 MB


@pytest.mark.parametrize(
    "text", [LINE, "x" * 5_000_000, "word " * 1_000_000], ids=["lower case", "one word", "words"]
)
def test_a_huge_paragraph_is_cut_into_bounded_passages(text: str) -> None:
    passages = segment([text])
    assert len(passages) > 1000
    assert max(len(p.text) for p in passages) <= 2 * HARD_CHARS + 1  # a bridge joins two windows
    assert max(len(p.text.split()) for p in passages) <= 2 * HARD_WORDS
    covered = " ".join(p.text for p in passages)
    assert "walked out" in covered or "x" in covered or "word" in covered


async def test_a_file_of_one_huge_line_is_answered_with_a_passage_of_normal_size(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    line = LINE[: 1 << 20]  # 1 MB is enough here: analysing 5 MB takes a while
    (seeds / "huge.md").write_text("# Harbour diary\n\n" + line + " the ferry to ushant sank.\n")
    (seeds / "other.md").write_text("# Mill closes\n\nThe mill closed on Monday.\n\nIt opened in 1850.\n")
    async with Library.open(tmp_path / "b.db", seeds) as library:
        report = await library.reindex()
        answer = await library.ask("which ferry sank?")
    assert report.added == 2
    assert answer.hits and "ushant" in answer.hits[0].text
    assert all(len(hit.text) <= 2 * HARD_CHARS + 1 for hit in answer.hits)
