"""The index beside the database: what a library writes, re-opens, survives and cleans up."""

import json
import os
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index import BylineError, Library
from index.store.schema import MANIFEST_KEY
from index.store.segments.segment import ARRAY_FILES, Segment
from index.text.analysis import Analyzer

from ..support import COLLECTION, markdown_article, write_collection

QUESTIONS = [
    "what will astronomers search for with the telescope?",
    "what happened to the cider orchards?",
    "how many jobs will the hydrogen plant create?",
    "ferry crews rotas",
]


def index_dir(database: Path) -> Path:
    return Path(f"{database}.index")


def stored_corpus(database: Path) -> list[list[str]]:
    with sqlite3.connect(database) as db:
        return [terms.split() for (terms,) in db.execute("SELECT terms FROM passages ORDER BY id")]


def manifest(database: Path) -> dict:
    with sqlite3.connect(database) as db:
        return json.loads(db.execute("SELECT value FROM meta WHERE key = ?", (MANIFEST_KEY,)).fetchone()[0])


def assert_scores_equal_rank_bm25(lib: Library, database: Path) -> None:
    reference = BM25Okapi(stored_corpus(database))
    analyzer = Analyzer()
    for question in QUESTIONS:
        terms = analyzer.terms(question)
        ours = lib._live.snapshot.index.get_scores(terms)
        assert np.array_equal(ours.view(np.int64), reference.get_scores(terms).view(np.int64)), question


def rewrite(path: Path, text: str) -> None:
    later = path.stat().st_mtime_ns + 2_000_000_000
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(later, later))


async def test_index_lives_beside_the_database_named_after_it(
    collection_library: Library, database: Path
) -> None:
    folder = index_dir(database)
    assert folder.is_dir()
    names = {entry.name for entry in folder.iterdir()}
    assert set(manifest(database)["lexicon"]) <= names
    assert {s["name"] for s in manifest(database)["segments"]} <= names


async def test_a_segment_maps_every_array_file_it_was_written_with(
    collection_library: Library, database: Path
) -> None:
    """``Segment`` maps its files by the names of its attributes: none written is left unmapped."""
    [entry] = manifest(database)["segments"]
    folder = index_dir(database) / entry["name"]
    assert {path.stem for path in folder.glob("*.npy")} == set(ARRAY_FILES)
    segment = Segment(folder)
    assert [int(segment.ids.size), segment.article_count] == [len(stored_corpus(database)), len(COLLECTION)]
    assert all(getattr(segment, name).size for name in ARRAY_FILES)


async def test_scores_equal_rank_bm25_on_the_stored_passages_through_changes(
    collection_library: Library, collection_seeds: Path, database: Path
) -> None:
    lib = collection_library
    assert_scores_equal_rank_bm25(lib, database)
    (collection_seeds / "ferry.md").write_text(
        markdown_article("Ferry strike", ["Ferry crews walked out over rotas.", "The cider ferry ran late."]),
        encoding="utf-8",
    )
    await lib.reindex()
    assert_scores_equal_rank_bm25(lib, database)
    rewrite(collection_seeds / "observatory.md", "# Replaced\n\nNothing about the telescope any more.\n")
    await lib.reindex()
    assert_scores_equal_rank_bm25(lib, database)
    (collection_seeds / "orchard.md").unlink()
    await lib.reindex()
    assert_scores_equal_rank_bm25(lib, database)
    async with Library.open(database=database, seeds_dir=collection_seeds) as reopened:
        assert_scores_equal_rank_bm25(reopened, database)
        for question in QUESTIONS:
            assert (await reopened.ask(question)).to_dict() == (await lib.ask(question)).to_dict()


async def test_unchanged_reindex_keeps_the_same_index_files(
    collection_library: Library, database: Path
) -> None:
    before = manifest(database)
    await collection_library.reindex()
    assert manifest(database) == before


async def test_one_changed_file_adds_a_small_segment(
    collection_library: Library, collection_seeds: Path, database: Path
) -> None:
    before = manifest(database)
    rewrite(collection_seeds / "observatory.md", "# Replaced\n\nThe telescope was sold for scrap.\n")
    await collection_library.reindex()
    after = manifest(database)
    assert [s["name"] for s in after["segments"][:-1]] == [s["name"] for s in before["segments"]]
    assert after["segments"][-1]["docs"] == 1
    assert after["segments"][0]["deleted_count"] > 0
    assert (await collection_library.ask("telescope sold for scrap")).hits


async def test_files_of_a_crashed_reindex_are_removed_at_open(
    collection_library: Library, collection_seeds: Path, database: Path
) -> None:
    folder = index_dir(database)
    (folder / "seg-99999999-deadbeef").mkdir()
    (folder / "tmp-seg-99999999-cafebabe").mkdir()
    (folder / "del-99999999-deadbeef.npy").write_bytes(b"partial")
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        assert (await lib.ask(QUESTIONS[0])).hits
    names = {entry.name for entry in folder.iterdir()}
    assert not {n for n in names if "99999999" in n}


async def test_files_byline_did_not_write_stay_in_the_index_folder(
    collection_library: Library, collection_seeds: Path, database: Path
) -> None:
    folder = index_dir(database)
    theirs = ["notes.txt", "seg-notes", "segments-backup", "stats-old", "del-me.npy", "tmp-draft"]
    for name in theirs:
        (folder / name).write_text("mine", encoding="utf-8")
    (folder / "seg-00000001-deadbeef.bak").mkdir()
    (folder / "seg-99999999-deadbeef").mkdir()  # Byline's name, no manifest names it: removed
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        rewrite(collection_seeds / "observatory.md", "# Replaced\n\nThe telescope was sold.\n")
        await lib.reindex()
    names = {entry.name for entry in folder.iterdir()}
    assert {*theirs, "seg-00000001-deadbeef.bak"} <= names
    assert all((folder / name).read_text(encoding="utf-8") == "mine" for name in theirs)
    assert "seg-99999999-deadbeef" not in names


async def test_previous_index_files_stay_until_the_next_reindex(
    collection_library: Library, collection_seeds: Path, database: Path
) -> None:
    # Another process may still be answering from the previous manifest's files.
    first = manifest(database)
    rewrite(collection_seeds / "observatory.md", "# Replaced\n\nThe telescope was sold.\n")
    await collection_library.reindex()
    folder = index_dir(database)
    assert (folder / first["stats"]).is_dir()
    rewrite(collection_seeds / "observatory.md", "# Replaced again\n\nThe telescope was bought back.\n")
    await collection_library.reindex()
    assert not (folder / first["stats"]).exists()


async def test_lost_index_folder_is_rebuilt_from_the_stored_terms(
    collection_library: Library, collection_seeds: Path, database: Path
) -> None:
    before = [(await collection_library.ask(q)).to_dict() for q in QUESTIONS]
    shutil.rmtree(index_dir(database))
    os.rename(collection_seeds, collection_seeds.with_name("gone"))  # no re-reading of articles
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        assert [(await lib.ask(q)).to_dict() for q in QUESTIONS] == before
        assert_scores_equal_rank_bm25(lib, database)
    assert index_dir(database).is_dir()


async def test_database_without_an_index_manifest_gets_one_at_open(
    collection_library: Library, collection_seeds: Path, database: Path
) -> None:
    before = [(await collection_library.ask(q)).to_dict() for q in QUESTIONS]
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM meta WHERE key = ?", (MANIFEST_KEY,))
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        assert [(await lib.ask(q)).to_dict() for q in QUESTIONS] == before
    assert manifest(database)["passages"] == len(stored_corpus(database))


async def test_failed_reindex_leaves_the_committed_manifest_and_its_files(
    collection_library: Library, collection_seeds: Path, database: Path
) -> None:
    before = manifest(database)
    with sqlite3.connect(database) as db:
        db.executescript(
            "CREATE TRIGGER fail BEFORE INSERT ON meta WHEN NEW.key = 'index_manifest'"
            " BEGIN SELECT RAISE(ABORT, 'boom'); END;"
            "CREATE TRIGGER fail2 BEFORE UPDATE ON meta WHEN NEW.key = 'index_manifest'"
            " BEGIN SELECT RAISE(ABORT, 'boom'); END;"
        )
    rewrite(collection_seeds / "observatory.md", "# Replaced\n\nThe telescope was sold.\n")
    with pytest.raises((sqlite3.Error, BylineError)):
        await collection_library.reindex()
    assert manifest(database) == before
    with sqlite3.connect(database) as db:
        db.executescript("DROP TRIGGER fail; DROP TRIGGER fail2;")
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        assert (await lib.ask(QUESTIONS[0])).hits  # the old text, from the old files
        assert_scores_equal_rank_bm25(lib, database)
        await lib.reindex()
        assert (await lib.ask("the telescope was sold")).hits


async def test_many_files_are_read_by_a_pool_of_processes(
    library: Library, seeds_dir: Path, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index.ingest import batches as reading

    monkeypatch.setattr(reading, "POOL_MIN_FILES", 2)
    monkeypatch.setattr(reading, "BATCH_FILES", 1)
    monkeypatch.setattr(reading, "_pool_workers", lambda: 2)
    write_collection(seeds_dir)
    report = await library.reindex()
    assert report.added == len(COLLECTION)
    assert_scores_equal_rank_bm25(library, database)
    assert (await library.ask(QUESTIONS[0])).hits


async def test_terms_starting_with_are_those_the_live_passages_hold(
    collection_library: Library, collection_seeds: Path, database: Path
) -> None:
    def expected(prefix: str) -> set[str]:
        return {t for terms in stored_corpus(database) for t in terms if t.startswith(prefix)}

    def found(prefix: str, shortest: int = 0, longest: int = 100) -> set[str]:
        return set(collection_library._live.snapshot.index.terms_starting_with(prefix, shortest, longest))

    long_word = "telescopemirrorpolishingworkshop" * 2  # over KEY_BYTES: kept apart from the sorted keys
    (collection_seeds / "ferry.md").write_text(
        markdown_article("Ferry", [f"The telescopic ferry ramp and the {long_word} reopened in Αθηνα."]),
        encoding="utf-8",
    )
    await collection_library.reindex()  # its new terms go to a second lexicon part
    assert len(manifest(database)["lexicon"]) == 2
    for prefix in ("tele", "ferr", "c", "zzz"):
        assert found(prefix) == expected(prefix), prefix
    long_terms = {t for t in expected("tele") if len(t.encode()) > 24}
    assert long_terms
    assert found("tele", longest=24) == expected("tele") - long_terms
    assert found("tele", 6, 8) == {t for t in expected("tele") if 6 <= len(t) <= 8}
    assert found("αθ", 5, 5) == expected("αθ") == {"αθηνα"}  # five letters, ten bytes
    (collection_seeds / "ferry.md").unlink()
    await collection_library.reindex()  # its terms stay in the lexicon, held by no passage
    assert found("tele") == expected("tele")
    assert not long_terms & found("tele")


@pytest.mark.parametrize(
    "paragraphs",
    [
        ["Red pandas eat bamboo in the mountain forests."],  # one passage: idf below 0
        ["Red pandas eat bamboo in the mountain forests.", "The ferry to Ushant sails at noon."],  # idf 0
    ],
    ids=["one passage", "two passages"],
)
async def test_a_passage_sharing_a_term_is_shown_in_the_smallest_collection(
    database: Path, seeds_dir: Path, paragraphs: list[str]
) -> None:
    """A newcomer's first article: BM25Okapi gives a term in one of one or two passages an idf of
    0 or below, and "red pandas" was answered "Nothing in the articles answers" though the
    passage holds both words. It is shown, with its exact score; what shares no term is not (BM25
    alone: the semantic layer may add a passage near in meaning)."""
    (seeds_dir / "pandas.md").write_text(markdown_article("Zoo notes", paragraphs), encoding="utf-8")
    async with Library.open(database=database, seeds_dir=seeds_dir, semantic=False) as lib:
        await lib.reindex()
        answer = await lib.ask("red pandas")
        nothing = await lib.ask("volcano eruption")
    assert [hit.text for hit in answer.hits] == [paragraphs[0]]
    terms = Analyzer().terms("red pandas")
    corpus = stored_corpus(database)
    expected = BM25Okapi(corpus).get_scores(terms)[0]
    assert answer.hits[0].score == expected <= 0
    assert answer.to_dict()["hits"][0]["score"] == expected
    assert nothing.hits == []
