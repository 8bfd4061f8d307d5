"""index.store: the SQLite file (WAL, schema version, analysed passages) as other tools see it."""

import sqlite3
from pathlib import Path

from index import Library
from index.analysis import Analyzer
from index.store import SCHEMA_VERSION

from ..support import COLLECTION

# The schema the first release of Byline (commit 3965d63) created, with schema_version "1".
FIRST_RELEASE_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
                      mtime_ns INTEGER NOT NULL);
CREATE TABLE articles (id TEXT PRIMARY KEY,
                       source TEXT NOT NULL REFERENCES sources(path) ON DELETE CASCADE,
                       position INTEGER NOT NULL, title TEXT NOT NULL, outlet TEXT, published TEXT,
                       url TEXT);
CREATE INDEX articles_source ON articles(source);
CREATE TABLE passages (id INTEGER PRIMARY KEY AUTOINCREMENT,
                       article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
                       paragraph INTEGER NOT NULL, text TEXT NOT NULL, terms TEXT NOT NULL);
CREATE INDEX passages_article ON passages(article_id);
INSERT INTO meta VALUES ('schema_version', '1'), ('indexed_at', '1764067440.000');
INSERT INTO sources VALUES ('old.md', 'x', 10, 1);
INSERT INTO articles VALUES ('a1', 'old.md', 0, 'Old article', NULL, NULL, NULL);
INSERT INTO passages(article_id, paragraph, text, terms) VALUES ('a1', 1, 'Old text.', 'old text');
"""


def query(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database) as db:
        return db.execute(sql).fetchall()


async def test_fresh_database_is_in_wal_mode(library: Library, database: Path) -> None:
    assert query(database, "PRAGMA journal_mode") == [("wal",)]


async def test_fresh_database_records_its_schema_version(library: Library, database: Path) -> None:
    assert query(database, "SELECT value FROM meta WHERE key = 'schema_version'") == [(SCHEMA_VERSION,)]


async def test_fresh_database_is_not_indexed(library: Library) -> None:
    assert not await library.is_indexed()


async def test_passages_are_stored_with_their_analysed_terms(
    collection_library: Library, database: Path
) -> None:
    rows = query(database, "SELECT text, terms FROM passages")
    assert len(rows) >= sum(len(a["paragraphs"]) for a in COLLECTION.values())
    analyzer = Analyzer()
    for text, terms in rows:
        assert terms.split() == analyzer.terms(text)


async def test_question_terms_come_from_the_same_analysis_as_passages(collection_library: Library) -> None:
    question = "How many jobs will the hydrogen plant create?"
    answer = await collection_library.ask(question)
    assert answer.terms == Analyzer().terms(question)


async def test_database_with_another_schema_version_is_rebuilt_by_the_next_index(
    database: Path, collection_seeds: Path
) -> None:
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        await lib.reindex()
    with sqlite3.connect(database) as db:
        db.execute("UPDATE meta SET value = 'old' WHERE key = 'schema_version'")
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        assert not await lib.is_indexed()
        report = await lib.ensure_indexed()
        assert report is not None and report.added == len(COLLECTION)
        assert (await lib.ask("what will astronomers search for with the telescope?")).hits


async def test_database_written_by_the_first_release_is_rebuilt(
    database: Path, collection_seeds: Path
) -> None:
    with sqlite3.connect(database) as db:
        db.executescript(FIRST_RELEASE_SCHEMA)
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        await lib.ensure_indexed()
        await lib.reindex()
        assert (await lib.ask("what will astronomers search for with the telescope?")).hits
