"""Whether a database and its index are whole, for ``byline status``: read only, repairs nothing.

``Library.open`` rebuilds a missing index and tidies stray files; a health check must not, so
that asking "is it well?" never changes the answer (nor races a re-index in the running bot).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from index.store.schema import SCHEMA_VERSION, SELECT_COUNTS, SELECT_VERSIONS, read_manifest, read_meta
from index.store.segments import index_dir_for, manifest_files, open_index
from index.text.analysis import ANALYSIS_VERSION

CURRENT_VERSIONS = {"schema_version": SCHEMA_VERSION, "analysis_version": ANALYSIS_VERSION}

SELECT_EMBEDDED = "SELECT count(*) FROM passage_vectors"


@dataclass
class IndexHealth:
    """What ``check`` found; ``problems`` is empty when the database and its index are whole."""

    database: Path
    index_dir: Path
    problems: list[str] = field(default_factory=list)
    sources: int = 0
    articles: int = 0
    passages: int = 0
    indexed_at: datetime | None = None
    embedded: int = 0  # passages with a vector in the semantic layer (index/semantic/)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, object]:
        return {
            "healthy": self.healthy,
            "database": str(self.database),
            "index": str(self.index_dir),
            "problems": list(self.problems),
            "sources": self.sources,
            "articles": self.articles,
            "passages": self.passages,
            "embedded": self.embedded,
            "indexed_at": self.indexed_at.isoformat(timespec="seconds") if self.indexed_at else None,
        }


def _versions(versions: dict[str, str]) -> str:
    """ "schema 3, analysis 10"."""
    return ", ".join(f"{key.split('_')[0]} {versions.get(key, 'none')}" for key in CURRENT_VERSIONS)


def check(database: str | Path) -> IndexHealth:
    """Open ``database`` read-only and check that its index is complete and agrees with it.

    Blocking (SQLite, memory-mapping the index): call it from a worker thread in async code.
    """
    path = Path(database)
    health = IndexHealth(path, index_dir_for(path))
    if not path.is_file():
        health.problems.append(f"no database at {path}: run `byline reindex` or start the bot to build it")
        return health
    try:
        # mode=rw, not ro: it never creates the file, only reads, and (when it is the last
        # connection) lets SQLite fold its write-ahead log back in at close instead of leaving
        # byline.db-wal and -shm behind after every look.
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=rw", uri=True, timeout=5)
        try:
            versions = dict(db.execute(SELECT_VERSIONS).fetchall())
            manifest = read_manifest(db)
            indexed = read_meta(db, "indexed_at")
            health.sources, health.articles, health.passages = db.execute(SELECT_COUNTS).fetchone()
            try:
                health.embedded = db.execute(SELECT_EMBEDDED).fetchone()[0]
            except sqlite3.OperationalError:  # written by a Byline without the semantic layer
                health.embedded = 0
        finally:
            db.close()
    except (sqlite3.Error, ValueError) as error:
        health.problems.append(f"the database {path} cannot be read: {error}")
        return health
    if versions != CURRENT_VERSIONS:
        # Opening it (the bot, any command) rebuilds it; until then its rows and index are
        # another Byline's, analysed and laid out otherwise, and questions may miss.
        found = _versions(versions)
        health.problems.append(
            f"the index was written by another version of Byline ({found}; this one writes "
            f"{_versions(CURRENT_VERSIONS)}): run `byline reindex` or restart the bot to rebuild it"
        )
        return health
    if indexed is None:
        health.problems.append("the database was never indexed: run `byline reindex`")
    else:
        health.indexed_at = datetime.fromtimestamp(float(indexed), UTC)
    if manifest is None:
        if health.passages:
            health.problems.append(f"the index {health.index_dir} is missing")
        return health
    missing = sorted(name for name in manifest_files(manifest) if not (health.index_dir / name).exists())
    if missing:
        shown = ", ".join(missing[:3])
        health.problems.append(f"the index {health.index_dir} lacks {len(missing)} files: {shown}")
        return health
    try:
        size = open_index(health.index_dir, manifest).size
    except Exception as error:  # any damage the index's own checks find
        health.problems.append(f"the index {health.index_dir} cannot be opened: {error}")
        return health
    if size != health.passages:
        health.problems.append(f"the index holds {size} passages but the database {health.passages}")
    return health
