"""Any article folder is safe: every bad file is skipped with a reason, the good ones are indexed,
and nothing indexed before from good files is lost."""

import os
import shutil
from pathlib import Path

from index import Library

ROOT = Path(__file__).resolve().parents[2]
GOOD = "---\ntitle: Harbour pilots strike\noutlet: Coast Gazette\n---\n\nPilots at Porthkennack harbour walked out on Monday over rosters.\n\nThe strike closed the harbour to ships longer than 80 metres.\n\nTalks resume on Thursday.\n"  # noqa: E501


def write_bad_files(seeds: Path, outside: Path) -> set[str]:
    """Every kind of bad file at once; returns their names."""
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "blank.md").write_text("  \n\n \t\n")
    (seeds / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (seeds / "latin1.txt").write_bytes("Café in Zürich: the mayor’s plan".encode("cp1252"))
    with (seeds / "huge.txt").open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # 50 MB (sparse): refused by size before it is read
    (seeds / "furniture.txt").write_text("\nHashtags\n\nTry Our AI Features\nComments\nNo comments yet...\n")
    (seeds / "report.pdf").write_bytes(b"%PDF-1.7")
    (seeds / "folder.txt").mkdir()
    os.mkfifo(seeds / "pipe.txt")
    (outside / "secret.txt").write_text("Title\n\nA secret paragraph outside the seeds folder.\n")
    (seeds / "escape.txt").symlink_to(outside / "secret.txt")
    return {"empty.txt", "blank.md", "binary.txt", "latin1.txt", "huge.txt", "furniture.txt", "report.pdf",
            "pipe.txt", "escape.txt"}  # fmt: skip


async def test_bad_files_are_skipped_with_reasons_and_good_files_are_indexed(tmp_path: Path) -> None:
    seeds, outside = tmp_path / "seeds", tmp_path / "outside"
    seeds.mkdir()
    outside.mkdir()
    shutil.copy(ROOT / "seeds" / "000_b51a04dbdb0fcd70.txt", seeds)
    (seeds / "good.md").write_text(GOOD)
    bad = write_bad_files(seeds, outside)

    async with Library.open(tmp_path / "byline.db", seeds) as library:
        report = await library.reindex()
        answer = await library.ask("why did the harbour pilots strike?")
        secret = await library.ask("secret paragraph outside")

    skipped = {s.source: s.reason for s in report.skipped}
    assert bad <= set(skipped)
    assert all(reason.strip() and "\n" not in reason for reason in skipped.values())
    assert report.added == 2 and report.articles == 5
    assert answer.hits and answer.hits[0].article.outlet == "Coast Gazette"
    assert secret.hits == []


async def test_a_good_file_turned_bad_keeps_its_indexed_version_and_the_rest(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "good.md").write_text(GOOD)
    shutil.copy(ROOT / "seeds" / "000_b51a04dbdb0fcd70.txt", seeds)

    async with Library.open(tmp_path / "byline.db", seeds) as library:
        await library.reindex()
        before = (await library.ask("what is Poland's spending?")).to_dict()
        (seeds / "good.md").write_bytes(b"\x00\x01 not text any more")
        report = await library.reindex()
        harbour = await library.ask("why did the harbour pilots strike?")
        after = (await library.ask("what is Poland's spending?")).to_dict()

    assert [s.source for s in report.skipped] == ["good.md"]
    assert "previous version stays indexed" in report.skipped[0].reason
    assert harbour.hits and harbour.hits[0].article.outlet == "Coast Gazette"
    assert after == before
