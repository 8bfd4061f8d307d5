"""What checking the index files' checksums costs when a library opens its index.

    python bench/verify_cost.py DATABASE [--repeats 9]

DATABASE is any indexed database (``bench/run.py`` leaves one per size under ``bench/out``, or run
``byline reindex``). Its committed index is opened again and again, in turn with its checksums
checked (as a process opening it for the first time does) and without, the files in the page
cache both times; prints the median of each, their ratio, and the checksum's own time and speed.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.store import schema
from index.store.segments import files, index_dir_for, open_index, searcher


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    manifest = schema.committed_manifest(args.database)
    if manifest is None or not manifest.checksums:
        sys.exit(f"{args.database} has no index with checksums; re-index it with this Byline first")
    root = index_dir_for(args.database)
    size = sum((root / key).stat().st_size for key in manifest.checksums)
    checked, unchecked, alone = [], [], []
    open_index(root, manifest)  # the files into the page cache
    for _ in range(args.repeats):
        files._verified.clear()
        started = time.perf_counter()
        files.verify(root, manifest.files(), manifest.checksums)
        alone.append(time.perf_counter() - started)
        files._verified.clear()
        started = time.perf_counter()
        open_index(root, manifest)
        checked.append(time.perf_counter() - started)
        real, searcher.verify = searcher.verify, lambda *_: None  # type: ignore[assignment]
        try:
            started = time.perf_counter()
            open_index(root, manifest)
            unchecked.append(time.perf_counter() - started)
        finally:
            searcher.verify = real
    with_, without, crc = (statistics.median(v) * 1000 for v in (checked, unchecked, alone))
    print(f"{manifest.passages:,} passages, {len(manifest.checksums)} files, {size / 2**20:.0f} MB")
    print(f"open with checksums:    {with_:8.1f} ms (median of {args.repeats})")
    print(f"open without checksums: {without:8.1f} ms")
    speed = size / 2**20 / crc * 1000
    print(f"ratio: {with_ / without:.2f}x; the checksums alone: {crc:.1f} ms ({speed:.0f} MB/s)")


if __name__ == "__main__":
    main()
