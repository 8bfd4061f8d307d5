"""Published dates: parsed, estimated once from a relative date, kept across re-indexes."""

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index import Library
from index.ingest.dates import absolute_date, relative_age, resolve, timestamp
from index.store.schema import SCHEMA_VERSION

SAVED = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
SAVED_NS = int(SAVED.timestamp()) * 1_000_000_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 hours ago", "2026-03-10T06:00:00+00:00"),
        ("a day ago", "2026-03-09T18:00:00+00:00"),
        ("3 days ago", "2026-03-07T18:00:00+00:00"),
        ("an hour ago", "2026-03-10T17:00:00+00:00"),
        ("5m ago", "2026-03-10T17:55:00+00:00"),
        ("2 weeks ago", "2026-02-24T18:00:00+00:00"),
        ("yesterday", "2026-03-09T18:00:00+00:00"),
    ],
)
def test_a_relative_date_is_estimated_against_the_time_the_file_was_saved(text: str, expected: str) -> None:
    assert resolve(text, SAVED_NS) == (expected, True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-24", "2025-06-24"),
        ("2025-06-24T09:30:00Z", "2025-06-24T09:30:00+00:00"),
        ("2025-06-24 09:30", "2025-06-24T09:30:00+00:00"),
        ("24 June 2025", "2025-06-24"),
        ("June 24, 2025", "2025-06-24"),
        ("Jun. 24 2025", "2025-06-24"),
    ],
)
def test_a_date_that_names_a_day_is_known_not_estimated(text: str, expected: str) -> None:
    assert resolve(text, SAVED_NS) == (expected, False)


@pytest.mark.parametrize("text", [None, "", "soon", "Tuesday", "ages ago"])
def test_a_date_that_cannot_be_read_has_no_published_at(text: str | None) -> None:
    assert resolve(text, SAVED_NS) == (None, False)
    if text:
        assert absolute_date(text) is None and relative_age(text) is None


@pytest.mark.parametrize(
    ("text", "mtime_ns"),
    [
        ("9999 years ago", SAVED_NS),  # before year 1: OverflowError
        ("2 days ago", 2**63 - 1),  # a modification time past 2262, stored as SQLite's bound
        ("2 days ago", -(2**63)),
        ("2 days ago", 99_999_999_999 * 10**9 * 10**4),  # beyond what datetime holds at all
    ],
)
def test_a_date_that_cannot_be_represented_is_unknown(text: str, mtime_ns: int) -> None:
    assert resolve(text, mtime_ns) == (None, False)
    assert resolve("2025-06-24", mtime_ns) == ("2025-06-24", False)  # a known date needs no time


def test_a_date_alone_is_shown_at_noon_utc_so_every_time_zone_sees_the_same_day() -> None:
    assert timestamp("2025-06-24") == int(datetime(2025, 6, 24, 12, tzinfo=UTC).timestamp())
    assert timestamp("2025-06-24T09:30:00+00:00") == int(datetime(2025, 6, 24, 9, 30, tzinfo=UTC).timestamp())
    assert timestamp("not a date") is None


# ---- through the library ------------------------------------------------------------------------------

PAGE = """Main headline about harbour budgets
The council agreed the harbour budget after a long debate about dredging.
Related Articles
Daily Courier
12 hours ago
- Daily Courier
Tram fares rise again
The tram operator raised fares for the third time this year, citing the price of electricity.
Evening Post
3 days ago
- Evening Post
Museum reopens after repairs
The city museum reopened its doors after two years of roof repairs and a new exhibition hall.
"""


def _write(path: Path, text: str, saved: datetime) -> None:
    path.write_text(text, encoding="utf-8")
    stamp = saved.timestamp()
    os.utime(path, (stamp, stamp))


async def _articles(database: Path, seeds: Path) -> dict[str, dict]:
    async with Library.open(database=database, seeds_dir=seeds) as lib:
        await lib.reindex()
        return {s.article.title: s.article.to_dict() for s in await lib.articles()}


async def test_relative_dates_are_stored_as_estimates_and_iso_dates_as_known(
    database: Path, seeds_dir: Path
) -> None:
    _write(seeds_dir / "page.txt", PAGE, SAVED)
    _write(seeds_dir / "doc.md", "---\ntitle: Budget day\npublished: 2025-06-24\n---\n\nText.\n", SAVED)
    articles = await _articles(database, seeds_dir)
    tram = articles["Tram fares rise again"]
    assert tram["published"] == "12 hours ago"  # as the article gives it
    assert (tram["published_at"], tram["published_estimated"]) == ("2026-03-10T06:00:00+00:00", True)
    museum = articles["Museum reopens after repairs"]
    assert museum["published_at"] == "2026-03-07T18:00:00+00:00"
    budget = articles["Budget day"]
    assert (budget["published_at"], budget["published_estimated"]) == ("2025-06-24", False)
    main = articles["Main headline about harbour budgets"]
    assert (main["published"], main["published_at"], main["published_estimated"]) == (None, None, False)


async def test_an_unchanged_file_touched_later_keeps_its_estimate(database: Path, seeds_dir: Path) -> None:
    _write(seeds_dir / "page.txt", PAGE, SAVED)
    await _articles(database, seeds_dir)
    _write(seeds_dir / "page.txt", PAGE, datetime(2026, 5, 1, tzinfo=UTC))  # same text, saved later
    articles = await _articles(database, seeds_dir)
    assert articles["Tram fares rise again"]["published_at"] == "2026-03-10T06:00:00+00:00"


async def test_a_changed_file_keeps_the_estimates_of_articles_whose_date_text_is_unchanged(
    database: Path, seeds_dir: Path
) -> None:
    _write(seeds_dir / "page.txt", PAGE, SAVED)
    await _articles(database, seeds_dir)
    later = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)
    # Saved again two days later: one article's date text moved on, the other's did not change.
    changed = PAGE.replace("3 days ago", "5 days ago").replace("budget after", "budget only after")
    _write(seeds_dir / "page.txt", changed, later)
    articles = await _articles(database, seeds_dir)
    assert articles["Tram fares rise again"]["published_at"] == "2026-03-10T06:00:00+00:00"  # kept
    museum = articles["Museum reopens after repairs"]
    assert (museum["published"], museum["published_at"]) == ("5 days ago", "2026-03-07T18:00:00+00:00")


async def test_a_database_of_the_previous_schema_gains_the_date_columns(
    database: Path, seeds_dir: Path
) -> None:
    _write(seeds_dir / "page.txt", PAGE, SAVED)
    await _articles(database, seeds_dir)
    with sqlite3.connect(database) as db:  # what an older Byline left: no date columns
        db.execute("ALTER TABLE articles DROP COLUMN published_at")
        db.execute("ALTER TABLE articles DROP COLUMN published_estimated")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    articles = await _articles(database, seeds_dir)
    assert articles["Tram fares rise again"]["published_estimated"] is True
    with sqlite3.connect(database) as db:
        assert (
            db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == SCHEMA_VERSION
        )
