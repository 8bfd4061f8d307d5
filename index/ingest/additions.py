"""Articles added and removed by an administrator from Discord (/add, /remove).

An added article is checked with the same readers a re-index uses before anything is written
(a file a re-index would skip is refused with the reason it would give), then saved in the
``added`` folder of the seeds folder under a name made from its title: never a name or path the
person chose, never hidden, and an existing file is replaced only when asked to.
"""

import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from index.errors import ArticleFormatError, BylineError
from index.ingest.dates import absolute_date, relative_age
from index.ingest.readers import MAX_FILE_BYTES, decode_article_bytes, parse_articles
from index.models import ParsedArticle, web_url
from index.store.catalog import ADDED_FOLDER

ADD_SUFFIXES = (".md", ".txt")
NAME_CHARS = 60


class AdditionError(BylineError):
    """An article cannot be added or removed; the message says why."""


@dataclass(frozen=True, slots=True)
class Saved:
    """Where an added article was saved (relative to the seeds folder), and what it holds."""

    source: str
    articles: list[ParsedArticle]
    replaced: bool


OUTLET_MAX = 100


def article_details(
    outlet: str | None = None, published: str | None = None, url: str | None = None
) -> dict[str, str]:
    """Front matter for an article typed in Discord: its outlet, date and address, checked as the
    readers would take them (AdditionError saying what is wrong otherwise).

    The address must be one the readers keep (``web_url``: http or https, nothing that could break
    a link); the date one that index/ingest/dates.py understands (a date, or "2 days ago", counted
    from now); every value one line, so that it cannot end the front matter early.
    """
    details: dict[str, str] = {}
    if outlet is not None and outlet.strip():
        outlet = " ".join(outlet.split())
        if len(outlet) > OUTLET_MAX:
            raise AdditionError(f"The outlet's name is too long: at most {OUTLET_MAX} characters.")
        details["outlet"] = outlet
    if published is not None and published.strip():
        published = " ".join(published.split())
        if absolute_date(published) is None and relative_age(published) is None:
            raise AdditionError(
                "I cannot read that date: write it as 2025-06-24, 24 June 2025 or 2 days ago."
            )
        details["published"] = published
    if url is not None and url.strip():
        kept = web_url(url.strip())
        if kept is None:
            raise AdditionError("The url must be an http:// or https:// address, without spaces or quotes.")
        details["url"] = kept
    return details


def article_text(title: str, text: str, details: dict[str, str] | None = None) -> bytes:
    """A Markdown article file for a title and text typed in Discord, with ``article_details``."""
    title = " ".join(title.split())
    lines = [f"title: {title}", *(f"{key}: {value}" for key, value in (details or {}).items())]
    return ("---\n" + "\n".join(lines) + f"\n---\n\n{text.strip()}\n").encode()


def check_suffix(filename: str) -> None:
    """AdditionError unless ``filename`` ends in .md or .txt."""
    suffix = Path(filename).suffix.casefold()
    if suffix not in ADD_SUFFIXES:
        kind = suffix or "a file without extension"
        raise AdditionError(f"Only .md and .txt files can be added, not {kind}.")


def check_article(filename: str, data: bytes) -> list[ParsedArticle]:
    """The articles ``data`` holds, or AdditionError with the reason a re-index would skip it."""
    check_suffix(filename)
    if len(data) > MAX_FILE_BYTES:
        raise AdditionError(f"That file is too large: the limit is {MAX_FILE_BYTES // 1_048_576} MB.")
    try:
        return parse_articles(decode_article_bytes(data))
    except ArticleFormatError as error:
        raise AdditionError(f"That file would be skipped: {error.message}.") from None


def safe_name(title: str, suffix: str) -> str:
    """A file name from a title: lower-case ASCII letters, digits and dashes, never empty or hidden."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.casefold()).strip("-")[:NAME_CHARS].strip("-")
    return f"{slug or 'article'}{suffix if suffix in ADD_SUFFIXES else '.md'}"


def save(seeds_dir: Path, filename: str, data: bytes, *, replace: bool) -> Saved:
    """Check and save an article file in the added folder; AdditionError if it is refused."""
    articles = check_article(filename, data)
    name = safe_name(articles[0].title, Path(filename).suffix.casefold())
    folder = seeds_dir / ADDED_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    exists = target.exists()
    if exists and not replace:
        raise AdditionError(
            f"An added article is already saved as {ADDED_FOLDER}/{name}; "
            "add it again with replace: True to replace it."
        )
    staging = folder / f".adding-{secrets.token_hex(4)}"  # hidden: a re-index meanwhile ignores it
    try:
        staging.write_bytes(data)
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)
    return Saved(f"{ADDED_FOLDER}/{name}", articles, exists)


def added_path(seeds_dir: Path, source: str) -> Path:
    """The file of an article added from Discord, or AdditionError if ``source`` is not one."""
    folder = (seeds_dir / ADDED_FOLDER).resolve()
    path = (seeds_dir / source).resolve()
    if not source.startswith(f"{ADDED_FOLDER}/") or path.parent != folder or not path.is_file():
        raise AdditionError("That is not an article added with /add; pick one from the list.")
    return path


def remove(seeds_dir: Path, source: str) -> None:
    """Delete an article file added from Discord (the next re-index drops it from the index)."""
    added_path(seeds_dir, source).unlink()
