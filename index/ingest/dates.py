"""When an article was published, as a date a program can use.

Articles give ``published`` as text: an ISO date from front matter ("2025-06-24"), a written date
("24 June 2025"), or, on aggregator pages, a relative one ("12 hours ago", "a day ago"). A
relative date means something only against the moment the page was saved, so it is resolved once,
when its file is first indexed, against the file's modification time, and stored as an estimate.

Resolved once: when a changed file is indexed again, an article with the same title and the same
date text keeps the estimate it had (the page was saved again, the article did not move). Only an
article whose date text changed, or a new one, is estimated afresh, against the new modification
time.
"""

import re
import sqlite3
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from index.ingest.scan import MTIME_MAX, MTIME_MIN
from index.models import Article
from index.store.schema import SELECT_ESTIMATES

# Date-only values are stored as ISO dates; for display they mean noon UTC, so that the day shown
# in any time zone from UTC-11 to UTC+11 is the day the article gives.
DATE_ONLY_HOUR = 12

_UNITS = {
    "second": timedelta(seconds=1),
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=30),
    "year": timedelta(days=365),
}
_FIRST_LETTER = {"s": "second", "h": "hour", "d": "day", "w": "week", "y": "year"}
_COUNTS = {"a": 1, "an": 1, "one": 1, "few": 3, "a few": 3}
_RELATIVE = re.compile(
    r"^(?P<count>a few|a|an|one|few|\d{1,4})\s*"
    r"(?P<unit>seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|[smhdwy])\s+ago$",
    re.IGNORECASE,
)
_NAMED = {"just now": timedelta(0), "today": timedelta(0), "yesterday": timedelta(days=1),
          "last night": timedelta(days=1), "last week": timedelta(weeks=1),
          "last month": timedelta(days=30), "last year": timedelta(days=365)}  # fmt: skip
_WRITTEN_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y")


def relative_age(text: str) -> timedelta | None:
    """How long before the page was saved "12 hours ago" means; None if ``text`` is not relative."""
    text = " ".join(text.split()).casefold()
    if text in _NAMED:
        return _NAMED[text]
    match = _RELATIVE.match(text)
    if not match:
        return None
    count_text, unit = match["count"], match["unit"]
    count = _COUNTS[count_text] if count_text in _COUNTS else int(count_text)
    return count * _UNITS[_unit(unit)]  # at most 9999 years: within timedelta's range


def _unit(written: str) -> str:
    """Unit names as written ("hrs", "m", "months") to ours ("hour", "minute", "month")."""
    if written.startswith("mo"):
        return "month"
    if written.startswith("mi") or written == "m":
        return "minute"
    return _FIRST_LETTER[written[0]]


def absolute_date(text: str) -> str | None:
    """``text`` as an ISO 8601 date or date-time if it names a moment by itself, else None."""
    text = " ".join(text.split())
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        pass
    else:
        if len(text) == 10:
            return moment.date().isoformat()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)  # an offset-less time is taken as UTC
        return moment.isoformat()
    cleaned = text.replace(",", "").replace(".", "")
    for form in _WRITTEN_FORMATS:
        try:
            return datetime.strptime(cleaned, form).date().isoformat()
        except ValueError:
            continue
    return None


def resolve(published: str | None, mtime_ns: int) -> tuple[str | None, bool]:
    """(``published_at``, ``published_estimated``) for a date text found in a file saved at ``mtime_ns``."""
    if not published:
        return None, False
    exact = absolute_date(published)
    if exact is not None:
        return exact, False
    age = relative_age(published)
    if age is None or not MTIME_MIN < mtime_ns < MTIME_MAX:  # the bounds: a time that did not fit
        return None, False
    try:
        saved = datetime.fromtimestamp(mtime_ns / 1e9, UTC)
        return (saved - age).replace(microsecond=0).isoformat(), True
    except (OverflowError, ValueError, OSError):
        # Before year 1 or after 9999 ("9999 years ago", a clock set far off): not a date a
        # program can hold, so unknown, as a date text that cannot be read.
        return None, False


def timestamp(published_at: str) -> int | None:
    """Unix seconds of a stored ``published_at`` (a date alone means noon UTC); None if unreadable."""
    try:
        moment = datetime.fromisoformat(published_at)
    except ValueError:
        return None
    if len(published_at) == 10:
        day = date.fromisoformat(published_at)
        moment = datetime(day.year, day.month, day.day, DATE_ONLY_HOUR, tzinfo=UTC)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def previous_estimates(db: sqlite3.Connection, source: str) -> dict[tuple[str, str], str]:
    """The estimates stored for ``source``'s articles, by (title, date text): kept on re-index."""
    rows = db.execute(SELECT_ESTIMATES, (source,))
    return {(title, published): at for title, published, at in rows}


def dates_for(
    db: sqlite3.Connection, source: str, mtime_ns: int, articles: Sequence[Article]
) -> list[tuple[str | None, bool]]:
    """(``published_at``, ``published_estimated``) for each article of a file about to be (re)written.

    Call before the file's previous rows are deleted: an estimate made when the file was first
    indexed is kept for an article whose title and date text are unchanged.
    """
    kept = previous_estimates(db, source)
    out = []
    for article in articles:
        previous = kept.get((article.title, article.published or ""))
        out.append((previous, True) if previous else resolve(article.published, mtime_ns))
    return out
