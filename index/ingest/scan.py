"""Comparing the seeds folder with what is stored, and reading what changed.

Runs in a worker thread or process: it reads files, hashes them, parses and analyses the changed
ones. Files whose size and modification time match what is stored are not read at all (as git
does); a file that was touched but has the same content hash is only re-stamped.

Nothing outside the seeds folder is ever read, whatever changes while a re-index runs: a file is
opened by walking from a descriptor of the seeds folder one name at a time, following no link
(``O_NOFOLLOW``), without waiting for a writer (``O_NONBLOCK``), and what was opened is checked
on the descriptor (a regular file, not too large). A link inside the folder to another file in
it is resolved when the folder is scanned, and its target is then opened the same way.
"""

import errno
import hashlib
import logging
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from index.errors import ArticleFormatError
from index.ingest.passages import segment
from index.ingest.readers import (
    ARTICLE_SUFFIXES,
    MAX_FILE_BYTES,
    check_size,
    decode_article_bytes,
    parse_articles,
)
from index.models import Article, SkippedFile
from index.store.database import NewArticle, NewPassage, StoredSource
from index.text.analysis import Analyzer

log = logging.getLogger(__name__)

_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
KEPT = "; the previous version stays indexed"
# SQLite's INTEGER is 64-bit: a modification time past 2262 (``touch -d @99999999999``) or before
# 1678 in nanoseconds does not fit. It is stored as the bound, which no real file has, so a
# re-index still finds the file unchanged; ``dates`` takes the bound as "unknown".
MTIME_MAX = 2**63 - 1
MTIME_MIN = -(2**63)


def storable_mtime(mtime_ns: int) -> int:
    """``mtime_ns`` as it is stored: within SQLite's INTEGER, the bound when beyond it."""
    return max(MTIME_MIN, min(MTIME_MAX, mtime_ns))


def shown_name(name: str) -> str:
    """A file name as text that can be stored and printed: bytes that are not UTF-8 (kept by
    Python as lone surrogates) are written ``\\xff``."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    return name


def _valid_name(name: str) -> bool:
    return shown_name(name) is name


def _cannot_read(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "a link (or became one while being read); not followed"
    return f"cannot be read ({error.strerror or error})"


def article_id(source: str, position: int) -> str:
    """A short id that stays the same while the file keeps its name and article order."""
    return hashlib.sha1(f"{source}#{position}".encode()).hexdigest()[:12]


@dataclass(slots=True)
class FolderScan:
    """What walking the seeds folder found, before any file is read."""

    files: list[tuple[str, str]] = field(default_factory=list)  # (source, file to open), both relative
    skipped: list[SkippedFile] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # folders ("" is the seeds folder itself)


def _link_target(real_root: str, path: str) -> tuple[str | None, str | None]:
    """(target relative to the seeds folder, None), or (None, why the link is not followed)."""
    try:
        real = os.path.realpath(path, strict=True)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return None, "a link that leads to itself (a loop); not followed"
        return None, "a broken link (its target does not exist)"
    if os.path.commonpath([real, real_root]) != real_root:
        return None, "link to a file outside the seeds folder; not followed"
    return os.path.relpath(real, real_root), None


def find_article_files(root: Path) -> FolderScan:
    """Article files below ``root`` in a stable order, the entries passed over, and the folders
    that could not be read. Hidden files and folders are ignored; links that lead outside the
    folder are never followed; links to folders are not walked."""
    found = FolderScan()
    real_root = os.path.realpath(root)
    stack = [""]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(root / folder if folder else root) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as error:
            found.unreadable.append(folder)
            where = f"{shown_name(folder)}/" if folder else "./"
            why = f"folder cannot be read ({error.strerror or error}); what was indexed from it"
            found.skipped.append(SkippedFile(where, why + " stays indexed"))
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            relative = f"{folder}/{entry.name}" if folder else entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if _valid_name(entry.name):
                        subfolders.append(relative)
                    else:
                        found.skipped.append(
                            SkippedFile(shown_name(relative) + "/", "folder name is not UTF-8; rename it")
                        )
                    continue
                reason = _file_problem(entry, relative)
                target: str | None = relative
                if reason is None and entry.is_symlink():
                    target, reason = _link_target(real_root, entry.path)
            except OSError as error:
                reason = _cannot_read(error)
            if reason is not None or target is None:
                found.skipped.append(SkippedFile(shown_name(relative), reason or "cannot be read"))
            else:
                found.files.append((relative, target))
        stack.extend(reversed(subfolders))
    return found


def _file_problem(entry: os.DirEntry[str], relative: str) -> str | None:
    """Why a (non-folder) entry is not an article file, judged from its name and type alone."""
    suffix = os.path.splitext(entry.name)[1]
    if suffix.casefold() not in ARTICLE_SUFFIXES:
        return f"not an article file ({shown_name(suffix) or 'no extension'}); use .txt or .md"
    if not _valid_name(relative):
        return "file name is not UTF-8; rename the file"
    if not entry.is_symlink() and not entry.is_file(follow_symlinks=False):
        return "not a regular file"  # a pipe or device named *.txt
    return None


def open_inside(root: Path, target: str) -> int:
    """A descriptor of ``root/target``, reached without following any link (OSError otherwise),
    and opened without waiting (a pipe swapped in opens at once, and is refused by the caller)."""
    folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        *folders, name = target.split("/")
        for part in folders:
            inner = os.open(part, _FOLDER_FLAGS, dir_fd=folder)
            os.close(folder)
            folder = inner
        return os.open(name, _FILE_FLAGS, dir_fd=folder)
    finally:
        os.close(folder)


def read_inside(root: Path, target: str) -> tuple[bytes, os.stat_result]:
    """The bytes of the regular file ``root/target`` and its status, both from one descriptor;
    ArticleFormatError when it is not a regular file or too large, OSError when it cannot be
    opened without following a link."""
    fd = open_inside(root, target)
    with os.fdopen(fd, "rb") as file:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise ArticleFormatError("not a regular file")
        check_size(status.st_size)
        # As many bytes as the file holds, and then what it grew by meanwhile, up to the limit:
        # asking for the limit at once would allocate 20 MB for each file of a few kB.
        data = file.read(status.st_size + 1)
        if len(data) > status.st_size:
            data += file.read(MAX_FILE_BYTES + 1 - len(data))
    check_size(len(data))
    return data, status


def prefetch_inside(root: Path, targets: Iterable[str]) -> None:
    """Ask the system to start reading the regular files ``root/target`` into memory now, all
    at once, so that reading them one after another does not wait on the disk for each in turn
    (an archive read a week ago is no longer in memory). Opened as ``read_inside`` opens them,
    following no link; what cannot be opened is left for ``read_inside`` to report."""
    for target in targets:
        try:
            fd = open_inside(root, target)
        except OSError:
            continue
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


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
    """What the file system says before any file is read: which files to read.

    ``to_read`` holds (source, file to open, what is stored for it), paths relative to the seeds
    folder; the file to open differs from the source only for a link inside the folder.
    """

    to_read: list[tuple[str, str, StoredSource | None]] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # stored sources in folders that cannot be read


@dataclass(slots=True)
class FileOutcome:
    """One read file: changed (``articles``), only touched (same content), or skipped."""

    relative: str
    old: StoredSource | None
    source: StoredSource | None = None
    articles: list[NewArticle] | None = None
    skipped: SkippedFile | None = None


def _inside(source: str, folder: str) -> bool:
    return not folder or source.startswith(folder + "/")


def plan(root: Path, stored: dict[str, StoredSource], recount: frozenset[str] = frozenset()) -> Plan:
    """Compare the folder with what is stored, by size and modification time only (a source
    named in ``recount``, whose stored passages do not add up, is read again whatever its times).

    What was indexed from a folder that cannot be read is neither read nor removed."""
    result = Plan()
    scanned = find_article_files(root)
    result.skipped = scanned.skipped
    seen = set()
    for relative, target in scanned.files:
        seen.add(relative)
        old = stored.get(relative)
        try:
            status = os.stat(root / target, follow_symlinks=False)
        except OSError as error:
            result.skipped.append(SkippedFile(relative, _cannot_read(error) + (KEPT if old else "")))
            continue
        if relative in recount and old is not None:
            result.to_read.append((relative, target, replace(old, sha256="")))  # written again
        elif old and old.size == status.st_size and old.mtime_ns == storable_mtime(status.st_mtime_ns):
            result.unchanged += 1
        else:
            result.to_read.append((relative, target, old))
    gone = set(stored) - seen
    result.kept = sorted(s for s in gone if any(_inside(s, f) for f in scanned.unreadable))
    result.removed = sorted(gone.difference(result.kept))
    return result


def read_file(
    root: Path, relative: str, target: str, old: StoredSource | None, analyzer: Analyzer
) -> FileOutcome:
    """Read, hash and (when its content changed) parse and analyse one file."""
    try:
        data, status = read_inside(root, target)
        digest = hashlib.sha256(data).hexdigest()
        source = StoredSource(relative, digest, status.st_size, storable_mtime(status.st_mtime_ns))
        if old and old.sha256 == digest:
            return FileOutcome(relative, old, source)
        return FileOutcome(relative, old, source, prepare_file(relative, data, analyzer))
    except ArticleFormatError as error:
        reason = error.message
    except OSError as error:
        reason = _cannot_read(error)
    except (ValueError, OverflowError, RecursionError) as error:
        # A value in the file no reader foresaw: that file is skipped, never the whole re-index.
        log.exception("reading %s failed", shown_name(relative))
        reason = f"cannot be read ({type(error).__name__}: {error})"
    return FileOutcome(relative, old, skipped=SkippedFile(relative, reason + (KEPT if old else "")))
