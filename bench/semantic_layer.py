"""What the semantic layer (index/semantic/) costs and what it finds.

    python bench/semantic_layer.py recall    # right passage among the candidates; hit@1/@3 on and off
    python bench/semantic_layer.py speed [ROUNDS]           # model load, embedding, question, nearest search
    python bench/semantic_layer.py lag [GENERATED [ROUNDS [SECONDS]]]  # the event loop meanwhile
    python bench/semantic_layer.py profile DATABASE QUESTIONS.jsonl   # where Library.ask's time goes
    python bench/semantic_layer.py nearest-lag DATABASE   # the event loop while the nearest file is made

``recall``: every page indexed together (as eval/compare.py does), then for each answerable
question of the tune sets (eval/questions.jsonl and eval/heldout/questions-002 to -011; never
the measure-only sets), whether a candidate holds a gold phrase: BM25's 30 alone, and with the
30 passages nearest in meaning added (at several minimum cosines); then ``evaluate`` (what
users see) with the layer on and off.

``speed``: the model's load time; every page's passages embedded as the background does it: one
text at a time (before), one run on two onnxruntime threads, two texts at once on one thread each
(the background process), and the same with texts cut at 128 word pieces, alternating (medians,
and the cosine to the vectors made one at a time); a question's embedding; and the exact
nearest-vector search (one float32 matrix product, index/semantic/vectors.py) over 10k, 100k and
1M random unit vectors, p50 and p99 of 50 searches.

``lag``: every page and GENERATED (2,000) passages of bench/generate.py's archive, embedded in
the background after ``Library.open`` (the background process, as shipped; a thread of this
process, as before), and nothing in the background; the event loop's
lateness meanwhile, SECONDS (60) each, alternating, ROUNDS (2) times.

``profile``: ``Library.ask`` with the layer on over an existing database (bench/run.py --peers
leaves one in bench/out/peers/SIZE/), 20 questions to warm up, then cProfile over the rest: the
functions by their own time and by cumulative time, and the mean ask.

``nearest-lag``: removes DATABASE's nearest-vector files (bench/run.py --peers leaves a database
with them), opens its semantic layer, and measures the event loop's lag (a 10 ms sleep, how late
it wakes) while the background thread makes them again, then with nothing in the background.
"""

import asyncio
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.compare import every_page  # noqa: E402
from index import Library  # noqa: E402
from index.answer.selection import with_related_forms  # noqa: E402
from index.evaluation import evaluate, first_right, load_questions  # noqa: E402
from index.question import clean_question  # noqa: E402
from index.retrieval import ANSWER_WORD_POOL, RERANK_POOL  # noqa: E402
from index.semantic import background, vectors  # noqa: E402
from index.semantic import layer as semantic_layer  # noqa: E402
from index.semantic.model import load, packaged  # noqa: E402
from index.semantic.vectors import VectorTable  # noqa: E402

TUNE = ["questions.jsonl"] + [f"questions-{i:03}.jsonl" for i in range(2, 12)]
THRESHOLDS = (0.0, 0.2, 0.3, 0.4)


def tune_files() -> list[Path]:
    return [ROOT / "eval" / n if n == "questions.jsonl" else ROOT / "eval" / "heldout" / n for n in TUNE]


def candidates(library: Library, question: str) -> tuple[list[str], list[tuple[str, float]]]:
    """BM25's candidates' texts, and the nearest passages' (text, cosine), as Library.ask has them."""
    question = clean_question(question)
    index = library._live.snapshot.index
    query = with_related_forms(index, library.analyzer.query(question))
    scored = index.top_reordered(query.terms, query.extra, RERANK_POOL, ANSWER_WORD_POOL)
    ids = [int(index.passage_ids[s.position]) for s in scored]
    layer = library.semantic
    assert layer is not None and layer.table is not None
    vector = layer.question_vector(question)
    near = layer.table.nearest(vector, index, semantic_layer.NEAREST) if vector is not None else []
    near_ids = [int(index.passage_ids[p]) for p, _ in near]
    rows = library.store.read_passages(ids + near_ids)
    bm25 = [rows[i].text for i in ids if i in rows]
    return bm25, [(rows[i].text, c) for i, (_, c) in zip(near_ids, near, strict=True) if i in rows]


async def recall() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        seeds = every_page(Path(scratch))
        async with Library.open(Path(scratch) / "eval.db", seeds) as library:
            report = await library.reindex()
            assert library.semantic is not None
            more, seconds = await asyncio.to_thread(library.semantic.embed_missing)
            print(f"{report.passages} passages; embedded {report.embedded + more} in "
                  f"{report.embedding_seconds + seconds:.1f} s")  # fmt: skip
            print("set | answerable | BM25's 30 | " + " | ".join(f"+ nearest, cos>={t}" for t in THRESHOLDS)
                  + " | hit@1/hit@3 off | on")  # fmt: skip
            totals = np.zeros(2 + len(THRESHOLDS))
            seconds, asked = [0.0, 0.0], 0
            for path in tune_files():
                items = [q for q in load_questions(path) if q.gold]
                found = np.zeros(1 + len(THRESHOLDS))
                for item in items:
                    bm25, near = candidates(library, item.q)
                    found[0] += first_right(bm25, item.gold) is not None
                    for j, t in enumerate(THRESHOLDS, 1):
                        widened = bm25 + [text for text, c in near if c >= t]
                        found[j] += first_right(widened, item.gold) is not None
                layer, library.semantic = library.semantic, None
                started = time.perf_counter()
                off = await evaluate(library, load_questions(path))
                seconds[0] += time.perf_counter() - started
                library.semantic = layer
                started = time.perf_counter()
                on = await evaluate(library, load_questions(path))
                seconds[1] += time.perf_counter() - started
                asked += len(load_questions(path))
                totals += [len(items), *found]
                shares = " | ".join(f"{f / len(items):.3f}" for f in found)
                print(f"{path.stem} | {len(items)} | {shares} | {off.hit_at_1:.3f}/{off.hit_at_3:.3f} | "
                      f"{on.hit_at_1:.3f}/{on.hit_at_3:.3f}", flush=True)  # fmt: skip
            print("all | " + f"{int(totals[0])} | " + " | ".join(f"{f / totals[0]:.3f}" for f in totals[1:]))
            print(f"mean ask over {asked} questions: {seconds[0] / asked * 1000:.1f} ms off, "
                  f"{seconds[1] / asked * 1000:.1f} ms on")  # fmt: skip


def archive(folder: Path, generated: int) -> Path:
    """Every page of eval/ and seeds/, and ``generated`` passages of bench/generate.py's archive:
    long enough a background run for the lag's percentiles to mean something."""
    seeds = every_page(folder)
    if generated:
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(seeds / "generated"),
                        str(generated)], check=True, capture_output=True)  # fmt: skip
    return seeds


async def probe(library: Library, until: Callable[[int], bool]) -> list[float]:
    """How late a task sleeping 10 ms at a time wakes (the bot's event loop would be as late),
    with a question asked every 50 sleeps, until ``until(samples so far)``."""
    late: list[float] = []
    while not until(len(late)):
        before = time.perf_counter()
        await asyncio.sleep(0.01)
        late.append(time.perf_counter() - before - 0.01)
        if len(late) % 50 == 0:
            await library.ask("what is Poland's defence spending?")  # questions meanwhile
    return late


def lag_figures(late: list[float]) -> str:
    late = sorted(late)
    return (f"p50 {statistics.median(late) * 1000:.1f} ms, p99 {late[int(len(late) * 0.99)] * 1000:.1f} ms, "
            f"max {late[-1] * 1000:.1f} ms")  # fmt: skip


async def lag(generated: int = 2000, rounds: int = 2, seconds: float = 60.0) -> None:
    """The event loop's lag while passages are embedded in the background (in a process of its
    own at niceness 10, as shipped; in a thread of the bot's, as before),
    and with nothing in the background, alternating, for ``seconds`` each (or until every
    passage has its vector), in this process as the bot runs it: Library.open starts the work."""
    semantic_layer.INLINE_MAX = 0  # every passage left to the background, as for a large archive
    with tempfile.TemporaryDirectory() as scratch:
        seeds = archive(Path(scratch), generated)
        database = Path(scratch) / "eval.db"
        async with Library.open(database, seeds, semantic=False) as library:
            passages = (await library.reindex()).passages
        print(f"{passages} passages; load average {os.getloadavg()[0]:.1f} at the start", flush=True)
        for _ in range(rounds):
            for mode in ("process", "thread", "nothing"):
                background.APART = mode == "process"
                with sqlite3.connect(database) as db:
                    db.execute("DELETE FROM passage_vectors")
                packaged()._remembered.clear()  # the thread's model would remember the last round's texts
                started = time.perf_counter()
                async with Library.open(database, seeds) as library:
                    assert library.semantic is not None and library.semantic.table is not None
                    table = library.semantic.table
                    if mode == "nothing":
                        await asyncio.to_thread(library.semantic.stop)  # the layer answers; nothing embeds

                    def done(n: int, table: VectorTable = table, started: float = started) -> bool:
                        return len(table) >= passages or time.perf_counter() - started > seconds

                    late = await probe(library, done)
                    took, embedded = time.perf_counter() - started, len(table)
                with sqlite3.connect(database) as db:  # whole after the work was stopped mid-way
                    whole = db.execute("PRAGMA quick_check").fetchone()[0]
                assert whole == "ok", f"after {mode}: {whole}"
                rate = f"{embedded / took:.0f} passages/s, " if mode != "nothing" else ""
                print(f"{mode}: {rate}lag {lag_figures(late)} (load {os.getloadavg()[0]:.1f})", flush=True)
        background.APART = True


def percentiles(samples: list[float]) -> str:
    samples = sorted(samples)
    p99 = samples[int(len(samples) * 0.99) - 1]
    return f"p50 {statistics.median(samples) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"


def passage_texts() -> list[str]:
    """Every page's passages as they are embedded ("title. text")."""
    with tempfile.TemporaryDirectory() as scratch:
        seeds = archive(Path(scratch), 0)

        async def build() -> None:
            async with Library.open(Path(scratch) / "eval.db", seeds, semantic=False) as library:
                await library.reindex()

        asyncio.run(build())
        with sqlite3.connect(Path(scratch) / "eval.db") as db:
            return [text for _, text in vectors.missing(db, 0, 1_000_000)]


def speed(rounds: int = 3) -> None:
    """Passages embedded a second as the background does it (a batch of 64 at a time, one text
    a run) in the ways the module's docstring lists; alternating, ``rounds`` times, medians."""
    started = time.perf_counter()
    model = load()
    print(f"model load: {time.perf_counter() - started:.2f} s")
    texts = passage_texts()
    cut = load(parallel=2)
    cut._tokenizer.enable_truncation(max_length=128)
    variants = {
        "one at a time (before)": load(),
        "one run on 2 threads": load(threads=2),
        "2 at once (background process)": load(parallel=2),
        "2 at once, cut at 128": cut,
    }
    rates: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    made: dict[str, np.ndarray] = {}
    for _ in range(rounds):
        for name, m in variants.items():
            m._remembered.clear()  # every text embedded again, not remembered from the last round
            started, used = time.perf_counter(), time.process_time()
            made[name] = np.vstack([m.embed(texts[i : i + 64]) for i in range(0, len(texts), 64)])
            rates[name].append(len(texts) / (time.perf_counter() - started))
            cpu[name].append((time.process_time() - used) / len(texts))
    print(f"{len(texts)} passages, load average {os.getloadavg()[0]:.1f}. On a busy machine the wall clock")
    print("says what share of it the work got; the CPU time a passage took, what 1M costs on idle cores.")
    base = made["one at a time (before)"]
    for name, rate in rates.items():
        cosine = float((made[name] * base).sum(axis=1).min())
        runs = ", ".join(f"{r:.0f}" for r in rate)
        each = statistics.median(cpu[name])
        print(f"{name}: median {statistics.median(rate):.0f} passages/s (runs {runs}); CPU "
              f"{each * 1000:.1f} ms a passage (1M: {each * 1e6 / 3600:.1f} core-hours); "
              f"min cosine to before {cosine:.5f}")  # fmt: skip
    samples = []
    for _ in range(100):
        model._remembered.clear()
        started = time.perf_counter()
        model.embed(["what is Poland's defence spending this year?"])
        samples.append(time.perf_counter() - started)
    print(f"a question's embedding: {percentiles(samples)}")
    question = [model.embed(["what is Poland's defence spending this year?"])]
    rng = np.random.default_rng(7)
    q = question[0][0]
    for size in (10_000, 100_000, 1_000_000):
        m = rng.standard_normal((size, model.dimensions), dtype=np.float32)
        m /= np.linalg.norm(m, axis=1, keepdims=True)
        samples = []
        for _ in range(50):
            started = time.perf_counter()
            scores = m @ q
            best = np.argpartition(-scores, 60)[:60]
            best[np.argsort(-scores[best])]
            samples.append(time.perf_counter() - started)
        print(f"exact nearest 60 of {size:,}: {percentiles(samples)} ({m.nbytes / 1e6:.0f} MB float32)")
        del m


async def profile(database: Path, questions_file: Path) -> None:
    import cProfile
    import json
    import pstats

    lines = (await asyncio.to_thread(questions_file.read_text, encoding="utf-8")).splitlines()
    questions = [json.loads(line)["q"] for line in lines if line.strip()][:300]
    async with Library.open(database, database.parent / "none") as library:
        assert library.semantic is not None
        library.semantic.upkeep.wait()
        for q in questions[:20]:
            await library.ask(q)
        profiler = cProfile.Profile()
        answer = library._answer  # the worker thread's part, where the time goes

        def profiled(*args: object) -> object:
            profiler.enable()
            try:
                return answer(*args)  # type: ignore[arg-type]
            finally:
                profiler.disable()

        library._answer = profiled  # type: ignore[method-assign,assignment]
        started = time.perf_counter()
        for q in questions[20:]:
            await library.ask(q)
        print(f"mean ask {(time.perf_counter() - started) / (len(questions) - 20) * 1000:.1f} ms (profiled)")
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)


async def nearest_lag(database: Path) -> None:
    from index.semantic.layer import SemanticLayer
    from index.store.segments.files import index_dir_for

    for path in index_dir_for(database).glob("nearest*"):
        path.unlink()
    layer = SemanticLayer(str(database))
    await asyncio.to_thread(layer.prepare)
    thread = layer.upkeep._thread
    late: list[float] = []
    started = time.perf_counter()
    while thread is not None and thread.is_alive():
        before = time.perf_counter()
        await asyncio.sleep(0.01)
        late.append(time.perf_counter() - before - 0.01)
    seconds = time.perf_counter() - started
    idle: list[float] = []
    for _ in range(len(late)):
        before = time.perf_counter()
        await asyncio.sleep(0.01)
        idle.append(time.perf_counter() - before - 0.01)
    made = layer.table.file.size if layer.table is not None and layer.table.file is not None else 0
    print(f"{made} vectors put in the nearest file in the background in {seconds:.1f} s")
    for name, values in (("while it was made", late), ("nothing in the background", idle)):
        values.sort()
        p50, p99 = values[len(values) // 2] * 1000, values[int(len(values) * 0.99)] * 1000
        print(f"event-loop lag, {name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {values[-1] * 1000:.1f} ms")


if __name__ == "__main__":
    if sys.argv[1:] == ["recall"]:
        asyncio.run(recall())
    elif sys.argv[1:2] == ["speed"]:
        speed(*map(int, sys.argv[2:3]))
    elif sys.argv[1:2] == ["lag"]:
        asyncio.run(lag(*map(int, sys.argv[2:4]), *map(float, sys.argv[4:5])))
    elif sys.argv[1:2] == ["nearest-lag"] and len(sys.argv) == 3:
        asyncio.run(nearest_lag(Path(sys.argv[2])))
    elif sys.argv[1:2] == ["profile"] and len(sys.argv) == 4:
        asyncio.run(profile(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        raise SystemExit(__doc__)
