"""What checking a database for damaged pages costs when a library opens (``index.store.repair``).

    python bench/database_check.py DATABASE [--repeat 5]

Runs ``index.store.repair.damage`` (SQLite's ``PRAGMA quick_check``) on DATABASE several times and
prints the file's size, its passages, and the median time, warm (the file in the page cache, as
when the bot restarts) and, when run as root, cold (the page cache dropped first).
"""

import argparse
import os
import sqlite3
import statistics
import subprocess
import time
from pathlib import Path

from index.store.repair import damage


def timed(database: Path) -> float:
    started = time.perf_counter()
    problem = damage(database)
    elapsed = time.perf_counter() - started
    if problem is not None:
        raise SystemExit(f"{database} is damaged: {problem}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with sqlite3.connect(args.database) as db:
        passages = db.execute("SELECT count(*) FROM passages").fetchone()[0]
    size = args.database.stat().st_size
    timed(args.database)  # warm the page cache
    warm = statistics.median(timed(args.database) for _ in range(args.repeat))
    print(f"{args.database}: {size / 1e6:.0f} MB, {passages:,} passages")
    print(f"quick_check, warm: {warm * 1000:.0f} ms (median of {args.repeat})")
    if os.geteuid() == 0:
        colds = []
        try:
            for _ in range(min(args.repeat, 3)):
                subprocess.run(["sync"], check=True)
                Path("/proc/sys/vm/drop_caches").write_text("1\n")
                colds.append(timed(args.database))
        except OSError as error:
            print(f"quick_check, cold: not measured (cannot drop the page cache: {error.strerror})")
        else:
            print(f"quick_check, cold: {statistics.median(colds) * 1000:.0f} ms (median of {len(colds)})")


if __name__ == "__main__":
    main()
