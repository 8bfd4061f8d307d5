"""The event loop's lag while the nearest-vector file is extended, in this process or in one of its own.

    python bench/nearest_lag.py DATABASE [--rounds 3] [--extra 20000]
    # e.g. bench/out/peers/1000000/byline.db, with its nearest-vector set beside it (made by
    # python bench/run.py --peers --sizes 1000000 with the semantic layer on)

Copies DATABASE and its nearest-vector set to bench/out/nearest_lag/, then each round stores
``--extra`` new vectors past the set and extends it twice, alternating: "thread" builds in a
thread of this process (how Byline did it before: usearch holds the GIL while it reads the graph
into memory and while it saves it), "process" with index/semantic/nearest_build.py in a process of
its own; both then open the new set here; "nothing", the baseline, waits 8 s with nothing made.
Meanwhile an asyncio loop sleeps 1 ms at a time and records how late each wake-up is, and this
process's memory. Prints each extension's time, the loop's lag (p50, p99, max) and the most memory
held, then each way's medians.
"""

import argparse
import asyncio
import os
import shutil
import sqlite3
import statistics
import sys
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.semantic import nearest, nearest_build
from index.store.segments.files import index_dir_for

OUT = Path(__file__).resolve().parent / "out" / "nearest_lag"


def copy(database: Path) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / "byline.db"
    shutil.copyfile(database, target)
    folder = index_dir_for(str(target))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    source = index_dir_for(str(database))
    for path in [source / nearest.META, *source.glob("nearest-*")]:
        shutil.copyfile(path, folder / path.name)
    return target


def store_extra(database: Path, count: int, dimensions: int, rng: np.random.Generator) -> None:
    """``count`` unit vectors past every stored one (no passage row: only the file reads them)."""
    db = sqlite3.connect(database)
    try:
        last = db.execute("SELECT max(passage_id) FROM passage_vectors").fetchone()[0] or 0
        made = rng.standard_normal((count, dimensions)).astype(np.float32)
        made /= np.linalg.norm(made, axis=1, keepdims=True)
        rows = [(last + 1 + i, v.tobytes(), zlib.crc32(v.tobytes())) for i, v in enumerate(made)]
        db.executemany("INSERT INTO passage_vectors(passage_id, vector, crc) VALUES (?, ?, ?)", rows)
        db.commit()
    finally:
        db.close()


def in_thread(database: Path, folder: Path, dimensions: int, model: str) -> None:
    """The build as Byline made it before: here, in a thread at niceness 10."""
    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nearest_build.NICENESS)
    meta = nearest.read_meta(folder)
    db = nearest_build.connect(str(database))
    try:
        nearest_build.build(folder, dimensions, model, meta.tag if meta else "", db)
    finally:
        db.close()


def nothing(database: Path, folder: Path, dimensions: int, model: str) -> None:
    """The baseline: the same wait with nothing made (the new vectors stay for the next build)."""
    time.sleep(8.0)


def apart(database: Path, folder: Path, dimensions: int, model: str) -> None:
    meta = nearest.read_meta(folder)
    nearest_build.build_apart(str(database), folder, dimensions, model, meta.tag if meta else "")


def rss_mb() -> float:
    """This process's resident memory now (the graph it maps counts as it is read)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


async def measured(work: Callable[[], object]) -> tuple[float, list[float], float]:
    """How long ``work`` took in a thread, the loop's lags meanwhile (ms), and the most memory
    this process held meanwhile (MB, sampled every 10 ms)."""
    lags: list[float] = []
    most = rss_mb()
    task = asyncio.create_task(asyncio.to_thread(work))
    started = time.perf_counter()
    while not task.done():
        before = time.perf_counter()
        await asyncio.sleep(0.001)
        lags.append((time.perf_counter() - before - 0.001) * 1000)
        if len(lags) % 10 == 0:
            most = max(most, rss_mb())
    await task
    return time.perf_counter() - started, lags, most


async def main(database: Path, rounds: int, extra: int) -> None:
    scratch = await asyncio.to_thread(copy, database)
    folder = index_dir_for(str(scratch))
    meta = nearest.read_meta(folder)
    assert meta is not None, "no nearest-vector set beside the database"
    dimensions, model = len(meta.center), meta.model
    rng = np.random.default_rng(7)
    load = os.getloadavg()[0]
    print(f"{meta.size:,} vectors in the set; {extra:,} new ones a round; load {load:.1f}")
    results: dict[str, list[tuple[float, list[float]]]] = {"thread": [], "process": [], "nothing": []}
    for round_ in range(rounds):
        for mode, build in (("thread", in_thread), ("process", apart), ("nothing", nothing)):
            if build is not nothing:
                await asyncio.to_thread(store_extra, scratch, extra, dimensions, rng)

            def work(build: Callable[[Path, Path, int, str], None] = build) -> None:
                build(scratch, folder, dimensions, model)
                opened = nearest.NearestFile.open(folder, model)
                assert opened is not None

            took, lags, most = await measured(work)
            results[mode].append((took, lags))
            q = statistics.quantiles(lags, n=100)
            print(f"round {round_ + 1} {mode:7} {took:6.1f} s  lag p50 {q[49]:5.1f}  p99 {q[98]:6.1f}  "
                  f"max {max(lags):6.1f} ms  RSS at most {most:5.0f} MB", flush=True)  # fmt: skip
    for mode, runs in results.items():
        everything = [lag for _, lags in runs for lag in lags]
        q = statistics.quantiles(everything, n=100)
        print(f"{mode:7} median time {statistics.median(t for t, _ in runs):.1f} s; lag p50 {q[49]:.1f}, "
              f"p99 {q[98]:.1f}, max {max(everything):.1f} ms")  # fmt: skip


if __name__ == "__main__":
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("database", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--extra", type=int, default=20_000)
    options = parser.parse_args()
    asyncio.run(main(options.database, options.rounds, options.extra))
