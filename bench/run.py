"""Byline at archive scale: question latency, re-index, open time and memory, next to rank-bm25.

    python bench/run.py [--sizes 10000 100000 1000000] [--questions 300] [--out bench/out]
    python bench/run.py --peers [--sizes 10000 100000] [--rounds 3]   # beside rank-bm25, bm25s, tantivy

For each size, in a fresh process (so peak memory is that size's own): generate the archive
(bench/generate.py, seeded, cached under OUT/data/), then

- full re-index from text into a new database (time; peak RSS of Byline and its reader processes);
- ``Library.ask`` p50/p99 over the questions (hits' text and metadata fetched, as the bot does);
- a second full re-index from text (every file's stored hash cleared) while questions are asked
  and a probe measures the event loop's lag: questions answered meanwhile, from the previous index;
- one-file re-index (a changed article) and one new file: time until searchable;
- open time: ``Library.open`` plus the first answer, on the existing database;
- resident memory once open (RSS after the questions, minus the interpreter's before open);
- in another fresh process, rank-bm25: ``BM25Okapi`` built from the same stored terms in passage
  order, ``get_scores`` p50 over some questions, and a bit-for-bit check against Byline's scores.

Results go to OUT/results.json and a Markdown table on stdout.
"""

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench import peers  # noqa: E402
from bench.generate import generate  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss(pid: int) -> int:
    """Resident bytes of one process."""
    try:
        with open(f"/proc/{pid}/statm") as file:
            return int(file.read().split()[1]) * PAGE
    except OSError:
        return 0


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children") as file:
                    children = [int(c) for c in file.read().split()]
            except OSError:
                continue
            out += children
            todo += children
    return out


class MemoryWatch:
    """Samples the RSS of this process and of all its descendants."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak_self = self.peak_total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            own = rss(me)
            total = own + sum(rss(child) for child in descendants(me))
            self.peak_self = max(self.peak_self, own)
            self.peak_total = max(self.peak_total, total)
            self._stop.wait(self.interval)

    def __enter__(self) -> "MemoryWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class LagProbe:
    """How late the event loop runs a task that asks to wake every 10 ms."""

    def __init__(self, period: float = 0.01) -> None:
        self.period = period
        self.lags: list[float] = []
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(self.period)
            self.lags.append(max(0.0, loop.time() - start - self.period))

    def __enter__(self) -> "LagProbe":
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        self._task.cancel()

    def summary(self) -> dict:
        lags = sorted(self.lags) or [0.0]
        return {
            "lag_max_ms": lags[-1] * 1000,
            "lag_p99_ms": lags[int(0.99 * (len(lags) - 1))] * 1000,
            "lag_samples": len(self.lags),
        }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def load_questions(folder: Path, limit: int) -> list[str]:
    with open(folder / "questions.jsonl", encoding="utf-8") as file:
        return [json.loads(line)["q"] for line in file][:limit]


async def measure_byline(size: int, data: Path, work: Path, questions: list[str]) -> dict:
    from index import Library

    result: dict = {"size": size}
    database = work / "byline.db"
    baseline = rss(os.getpid())
    seeds = data / "seeds"

    # 1. Full re-index from text into a new database.
    with MemoryWatch() as memory, LagProbe() as lag:
        started = time.perf_counter()
        lib = await Library.open(database=database, seeds_dir=seeds)
        report = await lib.reindex()
        result["full_reindex_s"] = time.perf_counter() - started
    result.update(passages=report.passages, articles=report.articles, files=report.added)
    result["full_reindex_peak_rss_mb"] = memory.peak_self / 2**20
    result["full_reindex_peak_rss_all_mb"] = memory.peak_total / 2**20
    result["first_build_lag_max_ms"] = lag.summary()["lag_max_ms"]
    await lib.close()

    # 2. Open an existing database and answer the first question.
    started = time.perf_counter()
    lib = await Library.open(database=database, seeds_dir=seeds)
    result["open_s"] = time.perf_counter() - started
    await lib.ask(questions[0])
    result["open_and_first_answer_s"] = time.perf_counter() - started

    # 3. Questions.
    for q in questions[:20]:
        await lib.ask(q)
    latencies, answered = [], 0
    for q in questions:
        started = time.perf_counter()
        answer = await lib.ask(q)
        latencies.append(time.perf_counter() - started)
        answered += bool(answer.hits)
    result["ask_p50_ms"] = percentile(latencies, 0.5) * 1000
    result["ask_p99_ms"] = percentile(latencies, 0.99) * 1000
    result["questions"] = len(questions)
    result["answered"] = answered
    result["index_rss_mb"] = (rss(os.getpid()) - baseline) / 2**20
    result["process_rss_mb"] = rss(os.getpid()) / 2**20
    stats = await lib.stats()
    result["terms"] = stats["terms"]

    # 4. One changed article and one new file: searchable after reindex() returns.
    changed = sorted((seeds / "0000").iterdir())[1]
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text + "\nZebrafinch quangle orchestration marmalade.\n", encoding="utf-8")
    started = time.perf_counter()
    await lib.reindex()
    result["one_file_reindex_s"] = time.perf_counter() - started
    assert (await lib.ask("zebrafinch quangle marmalade")).hits
    extra = seeds / "0000" / "zz-bench-new.md"
    extra.write_text("# Quokka census\n\nThe quokka census counted wombleberry shrubs.\n", encoding="utf-8")
    started = time.perf_counter()
    await lib.reindex()
    result["new_file_reindex_s"] = time.perf_counter() - started
    assert (await lib.ask("quokka wombleberry census")).hits
    changed.write_text(text, encoding="utf-8")
    extra.unlink()
    await lib.reindex()

    # 5. A full re-index from text while questions are answered from the previous index.
    with sqlite3.connect(database) as db:
        db.execute("UPDATE sources SET sha256 = '', mtime_ns = 0")
    during: list[float] = []
    during_answered = 0
    with MemoryWatch() as memory, LagProbe() as lag:
        started = time.perf_counter()
        task = asyncio.create_task(lib.reindex())
        i = 0
        while not task.done():
            q = questions[i % len(questions)]
            i += 1
            t0 = time.perf_counter()
            answer = await lib.ask(q)
            during.append(time.perf_counter() - t0)
            during_answered += bool(answer.hits)
            await asyncio.sleep(0.05)
        report = await task
        result["full_reindex_again_s"] = time.perf_counter() - started
    result["reindex_again_updated"] = report.updated
    result.update({f"during_reindex_{k}": v for k, v in lag.summary().items()})
    result["during_reindex_questions"] = len(during)
    result["during_reindex_answered"] = during_answered
    result["during_reindex_ask_p50_ms"] = percentile(during, 0.5) * 1000 if during else None
    result["during_reindex_ask_p99_ms"] = percentile(during, 0.99) * 1000 if during else None
    result["full_reindex_again_peak_rss_mb"] = memory.peak_self / 2**20
    result["full_reindex_again_peak_rss_all_mb"] = memory.peak_total / 2**20
    result["disk_index_mb"] = folder_bytes(Path(f"{database}.index")) / 2**20
    result["disk_database_mb"] = database.stat().st_size / 2**20
    await lib.close()
    return result


async def fresh_process_memory(database: Path, questions: list[str]) -> dict:
    """Resident memory of an open library in a process that did nothing else, after questions."""
    from index import Library

    baseline = rss(os.getpid())
    async with Library.open(database=database, seeds_dir=database.parent / "none") as lib:
        for q in questions:
            await lib.ask(q)
        return {"fresh_index_rss_mb": (rss(os.getpid()) - baseline) / 2**20}


def measure_rank_bm25(database: Path, questions: list[str], count: int) -> dict:
    """rank-bm25 over the same stored terms, and a bit-for-bit check against Byline's scores."""
    import numpy as np
    from rank_bm25 import BM25Okapi

    from index.store.schema import connect_writer as connect
    from index.store.schema import read_manifest
    from index.store.segments import index_dir_for, open_index
    from index.text.analysis import Analyzer

    fresh = asyncio.run(fresh_process_memory(database, questions))
    db = connect(database)
    corpus = [terms.split() for (terms,) in db.execute("SELECT terms FROM passages ORDER BY id")]
    manifest = read_manifest(db)
    db.close()
    baseline = rss(os.getpid())
    started = time.perf_counter()
    reference = BM25Okapi(corpus)
    build = time.perf_counter() - started
    memory = (rss(os.getpid()) - baseline) / 2**20
    index = open_index(index_dir_for(database), manifest)
    analyzer = Analyzer()
    times, identical = [], 0
    for q in questions[:count]:
        terms = analyzer.terms(q)
        started = time.perf_counter()
        theirs = reference.get_scores(terms)
        times.append(time.perf_counter() - started)
        ours = index.get_scores(terms)
        identical += bool(np.array_equal(ours.view(np.int64), theirs.view(np.int64)))
    return {
        **fresh,
        "rank_bm25_build_s": build,
        "rank_bm25_rss_mb": memory,
        "rank_bm25_scan_p50_ms": statistics.median(times) * 1000,
        "rank_bm25_questions": len(times),
        "rank_bm25_identical": identical,
    }


def child(args: argparse.Namespace) -> None:
    size = args.size
    data = generate(args.out / "data" / str(size), size)
    work = args.out / "work" / str(size)
    questions = load_questions(data, args.questions)
    if args.child == "byline":
        subprocess.run(["rm", "-rf", str(work)], check=True)
        work.mkdir(parents=True)
        result = asyncio.run(measure_byline(size, data, work, questions))
    else:
        result = measure_rank_bm25(work / "byline.db", questions, args.scan_questions)
    print(json.dumps(result))


def run_child(kind: str, size: int, args: argparse.Namespace) -> dict:
    command = [
        sys.executable, str(Path(__file__).resolve()), "--child", kind, "--size", str(size),
        "--out", str(args.out), "--questions", str(args.questions),
        "--scan-questions", str(args.scan_questions),
    ]  # fmt: skip
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


TABLE = [
    ("passages", "passages", "{:,}"),
    ("ask p50 (ms)", "ask_p50_ms", "{:.2f}"),
    ("ask p99 (ms)", "ask_p99_ms", "{:.2f}"),
    ("rank-bm25 scan p50 (ms)", "rank_bm25_scan_p50_ms", "{:.1f}"),
    ("speed-up (rank-bm25 p50 / ask p50)", "ratio", "{:.0f}x"),
    ("scores identical to rank-bm25", "identical", "{}"),
    ("full re-index from text (s)", "full_reindex_s", "{:.1f}"),
    ("full re-index again, bot answering (s)", "full_reindex_again_s", "{:.1f}"),
    ("one changed file re-index (s)", "one_file_reindex_s", "{:.2f}"),
    ("one new file re-index (s)", "new_file_reindex_s", "{:.2f}"),
    ("open + first answer (s)", "open_and_first_answer_s", "{:.2f}"),
    ("index resident memory, fresh process (MB)", "fresh_index_rss_mb", "{:.0f}"),
    ("resident memory after re-indexing in the same process (MB)", "index_rss_mb", "{:.0f}"),
    ("peak RSS, full re-index, Byline process (MB)", "full_reindex_peak_rss_mb", "{:.0f}"),
    ("peak RSS, full re-index, with reader processes (MB)", "full_reindex_peak_rss_all_mb", "{:.0f}"),
    ("event-loop lag during full re-index, max (ms)", "during_reindex_lag_max_ms", "{:.1f}"),
    ("event-loop lag during full re-index, p99 (ms)", "during_reindex_lag_p99_ms", "{:.1f}"),
    ("questions with hits / asked during full re-index", "during", "{}"),
    ("ask p50 during full re-index (ms)", "during_reindex_ask_p50_ms", "{:.1f}"),
    ("rank-bm25 build (s) / memory (MB)", "rank_bm25_build", "{}"),
    ("index on disk / database (MB)", "disk", "{}"),
]


def table(results: list[dict]) -> str:
    for r in results:
        r["ratio"] = r["rank_bm25_scan_p50_ms"] / r["ask_p50_ms"]
        r["identical"] = f"{r['rank_bm25_identical']}/{r['rank_bm25_questions']}"
        r["during"] = f"{r['during_reindex_answered']}/{r['during_reindex_questions']}"
        r["rank_bm25_build"] = f"{r['rank_bm25_build_s']:.1f} / {r['rank_bm25_rss_mb']:.0f}"
        r["disk"] = f"{r['disk_index_mb']:.0f} / {r['disk_database_mb']:.0f}"
    lines = ["| | " + " | ".join(f"{r['size']:,}" for r in results) + " |"]
    lines.append("|---|" + "---:|" * len(results))
    for label, key, fmt in TABLE:
        lines.append(f"| {label} | " + " | ".join(fmt.format(r[key]) for r in results) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--scan-questions", type=int, default=20)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--child", choices=["byline", "rank-bm25"])
    parser.add_argument("--size", type=int)
    parser.add_argument("--peers", action="store_true", help="rank-bm25, bm25s, tantivy beside Byline")
    parser.add_argument("--rounds", type=int, default=3, help="with --peers: rounds, engines alternating")
    parser.add_argument("--engines", nargs="+", choices=peers.ENGINES, default=peers.ENGINES,
                        help="with --peers: only these (and byline-bm25, the yardstick)")  # fmt: skip
    parser.add_argument("--peers-child", choices=["build", "vectors", *peers.ENGINES])
    parser.add_argument("--database", type=Path)
    args = parser.parse_args()
    args.out = args.out.resolve()
    if args.peers_child:
        print(json.dumps(peers.child(args.peers_child, args.size, args.database, args.out, args.questions)))
        return
    if args.peers:
        default = args.sizes == parser.get_default("sizes")  # 1M: hours to embed, an hour of rank-bm25
        sizes = [s for s in args.sizes if s < 1_000_000] if default else args.sizes
        engines = [e for e in peers.ENGINES if e in args.engines or e == "byline-bm25"]
        print(peers.table(peers.compare(sizes, args.questions, args.rounds, args.out, engines)))
        return
    if args.child:
        child(args)
        return
    print(f"cores: {len(os.sched_getaffinity(0))}, python {sys.version.split()[0]}", flush=True)
    results = []
    for size in args.sizes:
        result = run_child("byline", size, args)
        result.update(run_child("rank-bm25", size, args))
        results.append(result)
        print(json.dumps(result), flush=True)
        (args.out / "results.json").write_text(json.dumps(results, indent=2))
    print(table(results))


if __name__ == "__main__":
    main()
