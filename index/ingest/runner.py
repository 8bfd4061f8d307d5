"""Where a re-index runs: in a process of its own when the archive or one of its files is large
(so the calling program's event loop never waits on it), in the caller's worker thread when it is
small (no process to start for a few files)."""

import os
from pathlib import Path

from index.ingest import process
from index.ingest import reindex as indexer
from index.store.segments import SegmentedIndex
from index.text.analysis import Analyzer

# A re-index runs in a process of its own when the index or the folder is at least this large.
PROCESS_MIN_PASSAGES = 20_000
PROCESS_MIN_FILES = 200
# ... or when it holds one file this large: every pattern is linear, but one pass over a line of
# megabytes is one call holding the GIL (675 ms for a 19 MB line), so it is read in a process.
PROCESS_MIN_FILE_BYTES = 2 << 20


def run(
    database: str, seeds_dir: Path, analyzer: Analyzer, current: SegmentedIndex, embed: bool
) -> indexer.Outcome:
    """Re-index ``seeds_dir`` into ``database``, whose index in place is ``current`` (its segments
    are reused when it runs here). Blocking: from a worker thread."""
    if runs_apart(current, seeds_dir):
        return process.reindex_in_process(database, seeds_dir, embed=embed)
    segments = {s.name: s for s in current.segments}
    return indexer.reindex(database, seeds_dir, analyzer, segments, embed=embed)


def runs_apart(current: SegmentedIndex, seeds_dir: Path) -> bool:
    """Whether a re-index of ``seeds_dir`` over ``current`` is large enough for a process of its own."""
    return (
        current.size >= PROCESS_MIN_PASSAGES
        or has_files(seeds_dir, PROCESS_MIN_FILES)
        or has_file_of(seeds_dir, PROCESS_MIN_FILE_BYTES)
    )


def has_files(folder: Path, count: int) -> bool:
    """Whether ``folder`` holds at least ``count`` files, counting no further than that."""
    found = 0
    for _, _, files in os.walk(folder):
        found += len(files)
        if found >= count:
            return True
    return False


def has_file_of(folder: Path, size: int) -> bool:
    """Whether a file below ``folder`` (hidden ones too: counting is not reading) holds at least
    ``size`` bytes; links are not followed."""
    for parent, _, files in os.walk(folder):
        for name in files:
            try:
                if os.stat(os.path.join(parent, name), follow_symlinks=False).st_size >= size:
                    return True
            except OSError:
                continue  # gone meanwhile: the re-index says so
    return False
