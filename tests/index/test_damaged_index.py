"""Damaged index files: found by their checksums, rebuilt from the stored terms, never served."""

import json
import logging
import os
import random
import sqlite3
from pathlib import Path

import pytest

from index import Library
from index.ingest.reindex import reindex
from index.store.schema import MANIFEST_KEY
from index.text.analysis import Analyzer

from .test_segments import assert_scores_equal_rank_bm25

SEED_QUESTION = "what is Poland's spending?"


def manifest(database: Path) -> dict:
    with sqlite3.connect(database) as db:
        return json.loads(db.execute("SELECT value FROM meta WHERE key = ?", (MANIFEST_KEY,)).fetchone()[0])


def segment_file(database: Path, name: str) -> Path:
    first = manifest(database)["segments"][0]["name"]
    return Path(f"{database}.index") / first / name


def scribble(path: Path, count: int = 2000, seed: int = 13) -> None:
    """``count`` random bytes written into the middle of ``path``'s data (not its header)."""
    rng = random.Random(seed)
    size = path.stat().st_size
    at = min(128 + rng.randrange(max(1, size - 128 - count)), max(128, size - count))
    with open(path, "r+b") as file:
        file.seek(at)
        file.write(bytes(rng.randrange(256) for _ in range(min(count, size - at))))


async def answers(database: Path, seeds: Path) -> list[dict]:
    async with Library.open(database=database, seeds_dir=seeds) as lib:
        return [(await lib.ask(SEED_QUESTION)).to_dict()]


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_every_file_the_manifest_names_has_a_checksum(seed_library: Library, database: Path) -> None:
    index = Path(f"{database}.index")
    named = manifest(database)
    files = set(named["lexicon"]) | {s["name"] for s in named["segments"]} | {named["stats"]}
    on_disk = {
        f"{name}/{f.name}" if (index / name).is_dir() else name
        for name in files
        for f in ((index / name).iterdir() if (index / name).is_dir() else [index / name])
    }
    assert set(named["checksums"]) == on_disk


async def test_truncated_postings_are_rebuilt_with_one_warning_and_the_same_answers(
    seed_library: Library, seed_page_seeds: Path, database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = await answers(database, seed_page_seeds)
    os.truncate(segment_file(database, "postings.npy"), 5000)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        after = await answers(database, seed_page_seeds)
    assert after == before
    [warning] = warnings_of(caplog)
    assert "postings.npy" in warning.getMessage() and warning.exc_info is None
    caplog.clear()
    assert await answers(database, seed_page_seeds) == before  # rebuilt for good: no warning again
    assert not warnings_of(caplog)


async def test_random_bytes_in_tf_are_detected_and_the_score_stays_what_it_was(
    seed_library: Library, seed_page_seeds: Path, database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = await answers(database, seed_page_seeds)
    assert before[0]["hits"]
    scribble(segment_file(database, "tf.npy"))
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        after = await answers(database, seed_page_seeds)
    assert [h["score"] for h in after[0]["hits"]] == [h["score"] for h in before[0]["hits"]]
    assert after == before
    [warning] = warnings_of(caplog)
    assert "tf.npy" in warning.getMessage()


@pytest.mark.parametrize("victim", ["lexicon", "stats", "deleted"])
async def test_damage_to_any_named_file_is_found(
    collection_library: Library, collection_seeds: Path, database: Path, victim: str
) -> None:
    (collection_seeds / "orchard.md").unlink()  # a deletion file too
    await collection_library.reindex()
    before = [(await collection_library.ask(q)).to_dict() for q in ("cider orchards", "hydrogen jobs")]
    named, index = manifest(database), Path(f"{database}.index")
    path = {
        "lexicon": index / named["lexicon"][0] / "keys.npy",
        "stats": index / named["stats"] / "idf.npy",
        "deleted": index / next(s["deleted"] for s in named["segments"] if s["deleted"]),
    }[victim]
    scribble(path, count=64)
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        assert [(await lib.ask(q)).to_dict() for q in ("cider orchards", "hydrogen jobs")] == before


async def test_a_reindex_that_finds_a_damaged_segment_rebuilds_it(
    seed_library: Library, seed_page_seeds: Path, database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = await answers(database, seed_page_seeds)
    scribble(segment_file(database, "tf.npy"))
    (seed_page_seeds / "extra.md").write_text("# Ferry strike\n\nFerry crews walked out.\n", encoding="utf-8")
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        outcome = reindex(database, seed_page_seeds, Analyzer())  # a fresh process verifies all
    assert outcome.added == 1
    [warning] = warnings_of(caplog)
    assert "tf.npy" in warning.getMessage()
    async with Library.open(database=database, seeds_dir=seed_page_seeds) as lib:
        assert_scores_equal_rank_bm25(lib, database)  # every score, over the new corpus
        assert (await lib.ask("ferry crews walked out")).hits
    assert before[0]["hits"]


async def test_an_index_written_before_checksums_gets_them_at_the_next_reindex(
    collection_library: Library, collection_seeds: Path, database: Path
) -> None:
    older = manifest(database)
    del older["checksums"]
    with sqlite3.connect(database) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = ?", (json.dumps(older), MANIFEST_KEY))
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        assert (await lib.ask("cider orchards")).hits
        (collection_seeds / "ferry.md").write_text("# Ferry\n\nFerry crews walked out.\n", encoding="utf-8")
        await lib.reindex()
    named = manifest(database)
    assert {key.split("/")[0] for key in named["checksums"]} == set(named["lexicon"]) | {
        s["name"] for s in named["segments"]
    } | {named["stats"]} | {s["deleted"] for s in named["segments"] if s["deleted"]}
