"""Comparing the seeds folder with what is stored, and preparing what changed.

Runs in a worker thread: it reads files, hashes them, parses and analyses the changed ones.
Files whose size and modification time match what is stored are not read at all (as git does);
a file that was touched but has the same content hash is only re-stamped.
"""

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from .analysis import Analyzer
from .errors import ArticleFormatError
from .models import Article, SkippedFile
from .passages import segment
from .readers import ARTICLE_SUFFIXES, check_size, decode_article_bytes, parse_articles
from .store import NewArticle, NewPassage, StoredSource


def article_id(source: str, position: int) -> str:
    """A short id that stays the same while the file keeps its name and article order."""
    return hashlib.sha1(f"{source}#{position}".encode()).hexdigest()[:12]


def find_article_files(root: Path) -> tuple[list[tuple[str, Path]], list[SkippedFile]]:
    """Article files below ``root`` as (path relative to root, path), and the files passed over.

    Hidden files and folders are ignored; links that lead outside the folder are never followed.
    """
    found, skipped = [], []
    real_root = root.resolve()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(folder) / name
            relative = path.relative_to(root).as_posix()
            if path.suffix.casefold() not in ARTICLE_SUFFIXES:
                skipped.append(
                    SkippedFile(
                        relative, f"not an article file ({path.suffix or 'no extension'}); use .txt or .md"
                    )
                )
                continue
            if path.is_symlink() and not path.resolve().is_relative_to(real_root):
                skipped.append(SkippedFile(relative, "link to a file outside the seeds folder; not followed"))
                continue
            if not path.is_file():  # a pipe or device named *.txt would block the reader forever
                skipped.append(SkippedFile(relative, "not a regular file"))
                continue
            found.append((relative, path))
    return found, skipped


def prepare_file(relative: str, data: bytes, analyzer: Analyzer) -> list[NewArticle]:
    """Parse, segment and analyse one file's articles (ArticleFormatError if it has none)."""
    articles = []
    for position, parsed in enumerate(parse_articles(decode_article_bytes(data))):
        article = Article(
            article_id(relative, position), parsed.title, parsed.outlet, parsed.published, relative
        )
        passages = [
            NewPassage(
                p.paragraph, p.first, p.last, p.text, analyzer.terms(p.text), sorted(analyzer.names(p.text))
            )
            for p in segment(parsed.paragraphs)
        ]
        names = set(analyzer.terms(parsed.title))
        for paragraph in parsed.paragraphs:
            names |= analyzer.names(paragraph, anywhere=True)
        articles.append(NewArticle(article, parsed.url, passages, sorted(names)))
    return articles


@dataclass(slots=True)
class Plan:
    """What the file system says before any file is read: which files to read."""

    to_read: list[tuple[str, Path, StoredSource | None]] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass(slots=True)
class FileOutcome:
    """One read file: changed (``articles``), only touched (same content), or skipped."""

    relative: str
    old: StoredSource | None
    source: StoredSource | None = None
    articles: list[NewArticle] | None = None
    skipped: SkippedFile | None = None


def plan(root: Path, stored: dict[str, StoredSource]) -> Plan:
    """Compare the folder with what is stored, by size and modification time only."""
    result = Plan()
    files, result.skipped = find_article_files(root)
    seen = set()
    for relative, path in files:
        seen.add(relative)
        old = stored.get(relative)
        try:
            stat = path.stat()
        except OSError as error:
            reason = f"cannot be read ({error.strerror or error})"
            result.skipped.append(
                SkippedFile(relative, reason + ("; the previous version stays indexed" if old else ""))
            )
            continue
        if old and old.size == stat.st_size and old.mtime_ns == stat.st_mtime_ns:
            result.unchanged += 1
        else:
            result.to_read.append((relative, path, old))
    result.removed = sorted(set(stored) - seen)
    return result


def read_file(relative: str, path: Path, old: StoredSource | None, analyzer: Analyzer) -> FileOutcome:
    """Read, hash and (when its content changed) parse and analyse one file."""
    try:
        stat = path.stat()
        check_size(stat.st_size)
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        source = StoredSource(relative, digest, stat.st_size, stat.st_mtime_ns)
        if old and old.sha256 == digest:
            return FileOutcome(relative, old, source)
        return FileOutcome(relative, old, source, prepare_file(relative, data, analyzer))
    except ArticleFormatError as error:
        reason = error.message + ("; the previous version stays indexed" if old else "")
        return FileOutcome(relative, old, skipped=SkippedFile(relative, reason))
    except OSError as error:
        reason = f"cannot be read ({error.strerror or error})"
        return FileOutcome(
            relative,
            old,
            skipped=SkippedFile(relative, reason + ("; the previous version stays indexed" if old else "")),
        )
