"""index.store.database: the SQLite file (WAL, schema version, analysed passages) as other tools see it."""

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from index import Library
from index.ingest.scan import prepare_file
from index.store.schema import SCHEMA_VERSION
from index.text.analysis import ANALYSIS_VERSION, Analyzer

from ..support import COLLECTION

ROOT = Path(__file__).resolve().parents[2]

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


async def test_database_written_by_the_first_release_is_rebuilt(
    database: Path, collection_seeds: Path
) -> None:
    with sqlite3.connect(database) as db:
        db.executescript(FIRST_RELEASE_SCHEMA)
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        await lib.ensure_indexed()
        await lib.reindex()
        assert (await lib.ask("what will astronomers search for with the telescope?")).hits


# What the repository's own pages index to under ANALYSIS_VERSION. When a change to the analysis
# changes it, bump ANALYSIS_VERSION (so databases written before are rebuilt) and record both here.
INDEXED_FORM = ("13", "4eca297f795c820bb8b91edf030e35446843846262de9320b52ad79fbdd5b0e3")


def _indexed_form_digest() -> str:
    analyzer = Analyzer()
    digest = hashlib.sha256()
    for folder in ("seeds", "eval/pages", "eval/heldout/pages"):
        for page in sorted(p for p in (ROOT / folder).iterdir() if p.suffix in (".txt", ".md")):
            for new in prepare_file(page.name, page.read_bytes(), analyzer):
                passages = [
                    (p.paragraph, p.first_sentence, p.last_sentence, p.text, p.terms, p.names)
                    for p in new.passages
                ]
                digest.update(json.dumps([new.names, passages]).encode())
    return digest.hexdigest()


def test_a_change_to_what_pages_index_to_comes_with_a_new_analysis_version() -> None:
    version, digest = INDEXED_FORM
    assert _indexed_form_digest() == digest or version != ANALYSIS_VERSION, (
        "what the pages index to changed: if the analysis changed, bump ANALYSIS_VERSION; then (or if "
        "only the pages changed) record the new digest in INDEXED_FORM"
    )
    assert version == ANALYSIS_VERSION, "record the new ANALYSIS_VERSION's digest in INDEXED_FORM"


@pytest.mark.parametrize("key", ["schema_version", "analysis_version"])
async def test_a_database_of_another_schema_or_analysis_is_rebuilt_by_the_next_index(
    database: Path, collection_seeds: Path, key: str
) -> None:
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        await lib.reindex()
    with sqlite3.connect(database) as db:
        db.execute("UPDATE meta SET value = 'old' WHERE key = ?", (key,))
    async with Library.open(database=database, seeds_dir=collection_seeds) as lib:
        assert not await lib.is_indexed()
        report = await lib.ensure_indexed()
        assert report is not None and report.added == len(COLLECTION)
        assert (await lib.ask("what will astronomers search for with the telescope?")).hits
    versions = query(database, "SELECT key, value FROM meta WHERE key LIKE '%_version' ORDER BY key")
    assert versions == [("analysis_version", ANALYSIS_VERSION), ("schema_version", SCHEMA_VERSION)]
