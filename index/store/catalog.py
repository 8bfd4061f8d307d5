"""Finding articles by title: the /sources filter, its autocomplete, and the articles added from
Discord (what /remove offers).

Read-only queries on a connection of their own, run in a worker thread: an autocomplete answers
within Discord's 3 seconds whatever the index is doing.
"""

import asyncio
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from index.models import Article, SourceSummary

ADDED_FOLDER = "added"  # articles added from Discord live in this folder of the seeds folder
CHOICE_MAX = 100  # Discord's limit on an autocomplete choice's name and value

_ARTICLES = (
    "SELECT a.id, a.title, a.outlet, a.published, a.source, a.url, a.published_at, a.published_estimated,"
    " (SELECT count(*) FROM passages p WHERE p.article_id = a.id)"
    " FROM articles a WHERE instr(folded(a.title), ?) > 0 AND a.source LIKE ? ESCAPE '!'"
    " ORDER BY a.source, a.position LIMIT ?"
)


def _connect(database: str | Path) -> sqlite3.Connection:
    db = sqlite3.connect(f"{Path(database).resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    db.create_function("folded", 1, lambda text: (text or "").casefold(), deterministic=True)
    return db


def _like_prefix(prefix: str) -> str:
    return prefix.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"


def _matching(database: str | Path, text: str, limit: int, prefix: str) -> list[SourceSummary]:
    db = _connect(database)
    try:
        rows = db.execute(_ARTICLES, (" ".join(text.split()).casefold(), _like_prefix(prefix), limit))
        return [SourceSummary(Article(*row[:8]), row[8]) for row in rows]
    finally:
        db.close()


async def titled(
    database: str | Path, text: str, limit: int, *, added_only: bool = False
) -> list[SourceSummary]:
    """Up to ``limit`` articles whose title contains ``text`` (any case), by source file; only
    those added from Discord if ``added_only``."""
    prefix = f"{ADDED_FOLDER}/" if added_only else ""
    try:
        return await asyncio.to_thread(_matching, database, text, limit, prefix)
    except sqlite3.OperationalError:  # no database or no index yet: nothing to offer
        return []


def choice_name(summary: SourceSummary) -> str:
    """An autocomplete choice's name: the title, shortened to Discord's 100 characters."""
    title = " ".join(summary.article.title.split())
    return title if len(title) <= CHOICE_MAX else title[: CHOICE_MAX - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Holdings:
    """What the index holds, for /help: how many articles, and the newest one's date (ISO 8601,
    ``estimated`` when only a relative date was known), None when no article has a date."""

    articles: int
    newest: str | None = None
    estimated: bool = False


def _holdings(database: str | Path) -> Holdings:
    db = _connect(database)
    try:
        (articles,) = db.execute("SELECT count(*) FROM articles").fetchone()
        row = db.execute(
            "SELECT published_at, published_estimated FROM articles WHERE published_at IS NOT NULL"
            " ORDER BY published_at DESC LIMIT 1"
        ).fetchone()
        return Holdings(articles, row[0], bool(row[1])) if row else Holdings(articles)
    finally:
        db.close()


async def holdings(database: str | Path) -> Holdings:
    """How many articles the index holds and the newest date among them (nothing yet: 0)."""
    try:
        return await asyncio.to_thread(_holdings, database)
    except sqlite3.OperationalError:  # no database or no index yet
        return Holdings(0)
