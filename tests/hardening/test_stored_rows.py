"""What is stored is checked against what the seeds folder says at each re-index: passage rows
deleted by hand are written again, and the index stops counting the ones that are gone."""

import sqlite3
from pathlib import Path

from index import Library

TELESCOPE_QUESTION = "what will astronomers search for with the telescope?"


def delete_passages_of(database: Path, source: str) -> int:
    with sqlite3.connect(database) as db:
        return db.execute(
            "DELETE FROM passages WHERE article_id IN (SELECT id FROM articles WHERE source = ?)", (source,)
        ).rowcount


async def test_passage_rows_deleted_by_hand_are_restored_by_the_next_reindex(
    collection_library: Library, database: Path
) -> None:
    before = (await collection_library.ask(TELESCOPE_QUESTION)).to_dict()
    stats = await collection_library.stats()
    assert delete_passages_of(database, "observatory.md") > 0

    report = await collection_library.reindex()

    assert (report.updated, report.added, report.removed) == (1, 0, 0)
    assert report.passages == stats["passages"]
    assert (await collection_library.ask(TELESCOPE_QUESTION)).to_dict()["hits"][0]["text"] == (
        before["hits"][0]["text"]
    )
    again = await collection_library.reindex()
    assert (again.updated, again.unchanged) == (0, report.unchanged + 1)
