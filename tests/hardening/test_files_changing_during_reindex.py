"""Files changed or deleted while a re-index runs never break it: the re-index finishes, every
file is indexed as it was read or skipped with a reason, and the next re-index matches the folder."""

import asyncio
import random
import threading
import time
from pathlib import Path

from index import Library

FILES = 400


def article(i: int, version: int) -> str:
    return (
        f"---\ntitle: Ferry timetable {i}\noutlet: Island Courier\n---\n\n"
        f"The ferry on route {i} now leaves at version{version} hours.\n\n"
        + " ".join(f"Passengers on route {i} were told about change {k}." for k in range(40))
        + "\n"
    )


def churn(seeds: Path, stop: threading.Event, rng: random.Random) -> tuple[set[str], set[str]]:
    """Delete and rewrite files until told to stop; returns (deleted, rewritten) names."""
    deleted, rewritten = set(), set()
    names = [f"route{i:03}.md" for i in range(FILES)]
    rng.shuffle(names)
    for n, name in enumerate(names):
        if stop.is_set():
            break
        path = seeds / name
        if n % 2:
            path.unlink()
            deleted.add(name)
        else:
            path.write_text(article(int(name[5:8]), 2))
            rewritten.add(name)
        time.sleep(0.002)  # spread the churn over the whole re-index
    return deleted, rewritten


async def test_files_deleted_and_rewritten_during_a_reindex(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for i in range(FILES):
        (seeds / f"route{i:03}.md").write_text(article(i, 1))

    async with Library.open(tmp_path / "byline.db", seeds) as library:
        stop = threading.Event()
        churner = asyncio.create_task(asyncio.to_thread(churn, seeds, stop, random.Random(7)))
        report = await library.reindex()  # must finish, whatever the churn did to its files
        stop.set()
        deleted, rewritten = await churner

        assert report.added + len(report.skipped) <= FILES
        assert all(s.reason.strip() and "\n" not in s.reason for s in report.skipped)

        settled = await library.reindex()
        sources = {summary.article.source for summary in await library.articles()}
        still_there = {p.name for p in seeds.iterdir()}
        assert sources == still_there
        assert not settled.skipped
        assert sources.isdisjoint(deleted)
        if rewritten:
            name = sorted(rewritten)[0]
            answer = await library.ask(f"ferry route {int(name[5:8])} version2 hours")
            assert answer.hits and "version2" in answer.hits[0].text
