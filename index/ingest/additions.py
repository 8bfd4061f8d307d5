"""Articles added and removed by an administrator from Discord (/add, /remove).

An added article is checked with the same readers a re-index uses before anything is written
(a file a re-index would skip is refused with the reason it would give), then saved in the
``added`` folder of the seeds folder under a name made from its title: never a name or path the
person chose, never hidden; distinct titles get distinct files, and a file is replaced only by an
article of the same title, when asked to.
"""

import hashlib
import os
import re
import secrets
import stat
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
HASH_CHARS = 8  # hex digits of the title's hash in a name that needs it


class AdditionError(BylineError):
    """An article cannot be added or removed; the message says why."""


@dataclass(frozen=True, slots=True)
class Saved:
    """Where an added article was saved (relative to the seeds folder), and what it holds."""

    source: str
    articles: list[ParsedArticle]
    replaced: bool
    previous: bytes | None = None  # what the file held before, when it replaced one


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


def _title_key(title: str) -> str:
    return " ".join(title.split())


def safe_name(title: str, suffix: str, *, hashed: bool = False) -> str:
    """A file name from a title: lower-case ASCII letters, digits and dashes, never empty or hidden.

    Letters with accents keep their base letter ("Café" -> "cafe"). When that loses the title's
    letters or digits (Cyrillic, Greek, emoji, "...", "---": all were "article.md"), or when
    ``hashed``, a short hash of the title follows, so distinct titles get distinct files."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.casefold()).strip("-")[:NAME_CHARS].strip("-")
    kept = sum(c.isalnum() for c in ascii_title)
    if hashed or not slug or kept < sum(c.isalnum() for c in title):
        digest = hashlib.sha256(_title_key(title).encode()).hexdigest()[:HASH_CHARS]
        slug = f"{slug or 'article'}-{digest}"
    return f"{slug}{suffix if suffix in ADD_SUFFIXES else '.md'}"


def _saved_title(path: Path) -> str | None:
    """The title of the article file at ``path`` (its first article's), None if it has none."""
    try:
        return _title_key(parse_articles(decode_article_bytes(path.read_bytes()))[0].title)
    except (OSError, ArticleFormatError):
        return None


def _name_for(folder: Path, title: str, suffix: str) -> str:
    """The file name for ``title`` in ``folder``: its plain name, unless a file of another title
    holds it ("Harbour budget" and "Harbour budget!"), then the name with the title's hash."""
    name = safe_name(title, suffix)
    target = folder / name
    if not target.exists() or _saved_title(target) == _title_key(title):
        return name
    return safe_name(title, suffix, hashed=True)


def save(
    seeds_dir: Path, filename: str, data: bytes, *, replace: bool, articles: list[ParsedArticle] | None = None
) -> Saved:
    """Check (unless ``articles`` says what ``check_article`` found) and save an article file in
    the added folder; AdditionError if it is refused."""
    articles = check_article(filename, data) if articles is None else articles
    folder = seeds_dir / ADDED_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    title = articles[0].title
    name = _name_for(folder, title, Path(filename).suffix.casefold())
    target = folder / name
    exists = target.exists()
    if exists and _saved_title(target) != _title_key(title):  # a hash shared by two titles
        raise AdditionError(f"Another article is saved as {ADDED_FOLDER}/{name}; change the title a little.")
    if exists and not replace:
        raise AdditionError(
            f"An added article is already saved as {ADDED_FOLDER}/{name}; "
            "add it again with replace: True to replace it."
        )
    previous = target.read_bytes() if exists else None
    _write(target, data)
    return Saved(f"{ADDED_FOLDER}/{name}", articles, exists, previous)


def _write(target: Path, data: bytes) -> None:
    """``target`` holds ``data``, whole or not at all (a re-index meanwhile sees one or the other)."""
    staging = target.parent / f".adding-{secrets.token_hex(4)}"  # hidden: a re-index ignores it
    try:
        staging.write_bytes(data)
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)


def roll_back(seeds_dir: Path, saved: Saved) -> None:
    """Undo ``save`` when the index refused the file: the article it replaced is put back, a new
    one is deleted. Nothing is kept that the index did not take."""
    target = seeds_dir / saved.source
    if saved.previous is None:
        target.unlink(missing_ok=True)
    else:
        _write(target, saved.previous)


# What ``safe_name`` makes: only such a name in the added folder is an article Byline wrote.
_MADE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\.(?:md|txt)")
SOURCE_MAX = 4096  # longer than any name Byline makes, or a path the system takes
_NOT_ADDED = "That is not an article added with /add; pick one from the list."


def added_path(seeds_dir: Path, source: str) -> Path:
    """The file of an article added from Discord, or AdditionError if ``source`` is not one.

    Only a name Byline makes (``safe_name``), directly in the added folder (itself no link), and a
    regular file or a link: a link is the article itself, never its target. Hidden files, other
    kinds of file and other names are not Byline's to remove."""
    if len(source) > SOURCE_MAX or "\x00" in source:
        raise AdditionError(_NOT_ADDED)
    folder_name, _, name = source.partition("/")
    folder = seeds_dir / ADDED_FOLDER
    if folder_name != ADDED_FOLDER or not _MADE_NAME.fullmatch(name) or folder.is_symlink():
        raise AdditionError(_NOT_ADDED)
    path = folder / name
    try:
        mode = path.lstat().st_mode
    except OSError:
        raise AdditionError(_NOT_ADDED) from None
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise AdditionError(_NOT_ADDED)
    return path


def remove(seeds_dir: Path, source: str) -> None:
    """Delete an article file added from Discord (the next re-index drops it from the index); a
    link is removed itself, its target left alone."""
    added_path(seeds_dir, source).unlink()
