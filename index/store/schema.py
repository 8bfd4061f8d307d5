"""The SQLite file's schema, its migrations, and every statement more than one module runs.

One database file holds the derived tables (``sources``, ``articles``, ``passages``, ``meta``:
rebuilt from the seeds folder whenever ``SCHEMA_VERSION`` or the analysis changes) and the
feedback tables (kept through any such change). Three kinds of connection reach it, each for a
reason:

- **aiosqlite** (``index.store.database.Store``, ``index.feedback.votes.Feedback``) on the event loop: opening
  the database, listing articles, counts, feedback writes. Never blocks the loop.
- **sync sqlite3, one per worker thread** (``Store.read_passages``/``read_meta``): a question is
  scored, its passages fetched and marked in one worker thread, without a round trip through the
  event loop for each fetch.
- **sync sqlite3, the writer** (``connect_writer`` below, used by ``index.ingest.transaction`` in a
  worker thread or in the re-index process of ``index.ingest.process``): one re-index is one
  ``BEGIN IMMEDIATE`` transaction holding the write lock; readers in WAL mode meanwhile see the
  previous commit whole. ``index.store.health`` and ``index.store.repair`` open short sync connections of
  their own to look without changing anything.

The feedback module keeps the statements only it runs (its queue's inserts, its report's
queries) beside the code that runs them; its tables are created here.
"""

import sqlite3
from pathlib import Path

from index.errors import IndexBusyError
from index.store.segments import Manifest

SCHEMA_VERSION = "3"  # 3: articles.published_at and published_estimated
MANIFEST_KEY = "index_manifest"  # in ``meta``: the index files the committed passages belong to
BUSY_SECONDS = 30  # how long a connection waits for another one holding the write lock

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    path TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    passages INTEGER,  -- how many passages were written for it, and the first one's id (they are
    first_passage INTEGER  -- numbered in a row): a re-index re-reads a source whose rows don't add up
);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL REFERENCES sources(path) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    outlet TEXT,
    published TEXT,
    url TEXT,
    published_at TEXT,  -- ISO 8601, known or estimated (index/ingest/dates.py)
    published_estimated INTEGER NOT NULL DEFAULT 0,
    names TEXT NOT NULL  -- the name terms the article mentions, title included
);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    paragraph INTEGER NOT NULL,
    first_sentence INTEGER NOT NULL,
    last_sentence INTEGER NOT NULL,
    text TEXT NOT NULL,
    terms TEXT NOT NULL,
    names TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_article ON passages(article_id);
CREATE TABLE IF NOT EXISTS passage_vectors (  -- index/semantic/vectors.py: the semantic layer
    passage_id INTEGER PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
    vector BLOB NOT NULL,  -- float32, unit length, of the model meta.embedding_model names
    crc INTEGER NOT NULL  -- CRC32 of vector
);
-- So that counting the vectors (byline status, the re-index report) reads a few MB, not every
-- vector: 7 s cold at a million without it (index/semantic/vectors.py COUNT_INDEX).
CREATE INDEX IF NOT EXISTS passage_vectors_count ON passage_vectors(crc);
"""

# Derived data from an older Byline, or analysed otherwise: dropped, the next re-index refills it.
DROP_DERIVED = (
    "DROP TABLE IF EXISTS passage_vectors; DROP TABLE IF EXISTS passages; DROP TABLE IF EXISTS articles;"
    "DROP TABLE IF EXISTS sources; DELETE FROM meta;"
)

FEEDBACK_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback_salt (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    salt BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback_answers (
    id TEXT PRIMARY KEY,            -- carried by the vote buttons' custom_id
    asked_at REAL NOT NULL,         -- Unix seconds
    guild_id TEXT,                  -- NULL in direct messages and on the command line
    confident INTEGER NOT NULL,
    question TEXT,                  -- only when questions are kept
    user_hash TEXT                  -- who asked, only when questions are kept
);
CREATE INDEX IF NOT EXISTS feedback_answers_asked ON feedback_answers(asked_at);
CREATE INDEX IF NOT EXISTS feedback_answers_user ON feedback_answers(user_hash);
CREATE TABLE IF NOT EXISTS feedback_passages (
    answer_id TEXT NOT NULL REFERENCES feedback_answers(id) ON DELETE CASCADE,
    rank INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    title TEXT NOT NULL,
    outlet TEXT,
    paragraph INTEGER NOT NULL,
    source TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    PRIMARY KEY (answer_id, rank)
);
CREATE TABLE IF NOT EXISTS feedback_votes (
    answer_id TEXT NOT NULL REFERENCES feedback_answers(id) ON DELETE CASCADE,
    user_hash TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    question TEXT,                  -- the question as the voter saw it
    guild_id TEXT,
    voted_at REAL NOT NULL,
    reason TEXT,                    -- after a down vote, what was wrong (index/feedback/votes.py REASONS)
    PRIMARY KEY (answer_id, user_hash)
);
CREATE INDEX IF NOT EXISTS feedback_votes_user ON feedback_votes(user_hash);
"""

# --- statements ------------------------------------------------------------------------------------

SELECT_META = "SELECT value FROM meta WHERE key = ?"
SELECT_VERSIONS = "SELECT key, value FROM meta WHERE key IN ('schema_version', 'analysis_version')"
UPSERT_META = (
    "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"
)
SELECT_COUNTS = (
    "SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM articles), (SELECT count(*) FROM passages)"
)
SELECT_SOURCES = "SELECT path, sha256, size, mtime_ns, passages, first_passage FROM sources"
INSERT_SOURCE = (
    "INSERT INTO sources(path, sha256, size, mtime_ns, passages, first_passage) VALUES (?, ?, ?, ?, ?, ?)"
)
TOUCH_SOURCE = "UPDATE sources SET size = ?, mtime_ns = ? WHERE path = ?"
DELETE_SOURCE = "DELETE FROM sources WHERE path = ?"  # its articles and passages go with it
INSERT_ARTICLE = (
    "INSERT INTO articles(id, source, position, title, outlet, published, url, published_at,"
    " published_estimated, names) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_PASSAGE = (
    "INSERT INTO passages(id, article_id, paragraph, first_sentence, last_sentence, text, terms, names)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
# Passages with their articles, by id (a JSON array): the columns of PassageRow, then Article's.
SELECT_PASSAGES = (
    "SELECT p.id, p.paragraph, p.first_sentence, p.last_sentence, p.text,"
    " a.id, a.title, a.outlet, a.published, a.source, a.url, a.published_at, a.published_estimated"
    " FROM passages p JOIN articles a ON a.id = p.article_id"
    " WHERE p.id IN (SELECT value FROM json_each(?))"
)
# Articles (Article's columns) with their passage counts, by source file and order in the file.
SELECT_ARTICLES = (
    "SELECT a.id, a.title, a.outlet, a.published, a.source, a.url, a.published_at,"
    " a.published_estimated, (SELECT count(*) FROM passages p WHERE p.article_id = a.id)"
    " FROM articles a ORDER BY a.source, a.position LIMIT ? OFFSET ?"
)
SELECT_ESTIMATES = (
    "SELECT title, published, published_at FROM articles"
    " WHERE source = ? AND published_estimated = 1 AND published_at IS NOT NULL"
)
SELECT_ARTICLE_NAMES = "SELECT id, names FROM articles"
SELECT_STORED_TERMS = "SELECT id, article_id, terms, names FROM passages ORDER BY id"
SELECT_SOURCE_PASSAGES = (
    "SELECT id FROM passages WHERE article_id IN (SELECT id FROM articles WHERE source = ?)"
)
HAS_PASSAGES = "SELECT EXISTS (SELECT 1 FROM passages)"


# --- the sync connections --------------------------------------------------------------------------


def connect_writer(database: str | Path) -> sqlite3.Connection:
    """The re-index's connection (autocommit: it runs its own ``BEGIN IMMEDIATE``)."""
    connection = sqlite3.connect(database, timeout=BUSY_SECONDS, isolation_level=None)  # busy wait
    connection.execute("PRAGMA foreign_keys = ON")
    # A full re-index is one large transaction: a bigger page cache keeps SQLite from spilling
    # and re-reading the pages it is filling (about 200 MB at most).
    connection.execute("PRAGMA cache_size = -200000")
    return connection


def begin_writing(db: sqlite3.Connection) -> None:
    """Take the database's write lock, waiting up to BUSY_SECONDS for another re-index."""
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if "locked" not in str(error) and "busy" not in str(error):
            raise
        raise IndexBusyError(
            "Another re-index of this database is running (the bot's, or `byline reindex`); "
            "try again when it has finished."
        ) from None


def read_meta(db: sqlite3.Connection, key: str) -> str | None:
    row = db.execute(SELECT_META, (key,)).fetchone()
    return None if row is None else str(row[0])


def read_manifest(db: sqlite3.Connection) -> Manifest | None:
    """The committed index's manifest; None before the first re-index."""
    value = read_meta(db, MANIFEST_KEY)
    return None if value is None else Manifest.from_json(value)


def committed_manifest(database: str | Path) -> Manifest | None:
    """``read_manifest`` on a connection of its own, for a tool that reads nothing else."""
    db = connect_writer(database)
    try:
        return read_manifest(db)
    finally:
        db.close()


def count_passages_per_source(db: sqlite3.Connection) -> None:
    """Migration: give a database written before sources counted their passages the columns
    that do. Holding the write lock."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(sources)")}
    if "passages" not in columns:
        db.execute("ALTER TABLE sources ADD COLUMN passages INTEGER")
        db.execute("ALTER TABLE sources ADD COLUMN first_passage INTEGER")


def next_passage_id(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'passages'").fetchone()
    top = db.execute("SELECT max(id) FROM passages").fetchone()[0]
    return max(row[0] if row else 0, top or 0) + 1


def miscounted(db: sqlite3.Connection) -> frozenset[str]:
    """Sources whose stored passages are not all there (rows deleted by hand): read again.

    One count of the passages (an index scan) when nothing is wrong; the sources are compared
    one by one only when the totals differ."""
    recorded, unknown = db.execute(
        "SELECT coalesce(sum(passages), 0), count(*) - count(passages) FROM sources"
    ).fetchone()
    if unknown or db.execute("SELECT count(*) FROM passages").fetchone()[0] == recorded:
        return frozenset()
    rows = db.execute(
        "SELECT s.path FROM sources s LEFT JOIN articles a ON a.source = s.path"
        " LEFT JOIN passages p ON p.article_id = a.id"
        " GROUP BY s.path HAVING count(p.id) != max(s.passages)"
    )
    return frozenset(row[0] for row in rows)


def source_passages(db: sqlite3.Connection, source: str) -> list[int]:
    return [row[0] for row in db.execute(SELECT_SOURCE_PASSAGES, (source,))]
