"""Byline beside the strongest BM25 peers: the same passages, the same questions, one run.

    python bench/run.py --peers [--sizes 10000 100000] [--questions 300] [--rounds 3] [--engines ...]

For each size (bench/generate.py's seeded archive), ``--rounds`` rounds. Each round re-indexes
the archive into a new database (Byline's build: a full re-index from text, semantic layer off)
and writes a vector per passage as the semantic layer stores them (``passage_vectors`` and the
model's checksum in ``meta``): embedding a large archive takes hours on this machine
(bench/README.md), so each is a random mixture of real sentence vectors (bench/ann_choice.py),
and the 30 nearest pass the layer's minimum cosine and are re-ordered with BM25's 30, as real
vectors are. Past the layer's exact search (index/semantic/upkeep.py) its nearest-vector file is
made then too, as the layer would in the background. Then each engine runs in a
fresh process, in alternating order from round to round (so a slow spell of the shared machine
does not land on one engine):

- ``byline-bm25``: Byline's BM25 stage alone, as ``Library.ask`` calls it: the question analysed
  (``Analyzer.query``, other forms), then ``SegmentedIndex.top_reordered`` for 30 candidates;
- ``byline-ask-off`` / ``byline-ask-on``: the whole answer, ``Library.ask`` (top 5, hits read
  from SQLite, re-ordered, marked), semantic layer off / on;
- ``rank-bm25``: ``BM25Okapi`` over lower-case ``\\w+`` tokens, ``get_scores`` and the best 30
  (its first RANK_BM25_QUESTIONS questions only: it scans every passage, half a second a question
  at 100k);
- ``bm25s``: English stop words and PyStemmer, ``BM25.retrieve`` of 30 (numpy backend);
- ``tantivy``: tantivy-py, an on-disk index with the ``en_stem`` tokenizer, the question's words
  OR'ed, the best 30.

Peers are built from the passages' text read from Byline's database (as eval/compare.py does),
already in memory; Byline's build reads and analyses the article files. Per engine: p50 and p99
over the questions (after 20 warm-up questions), build seconds, and resident memory: for Byline
the process's RSS after the questions minus before ``Library.open``; for a peer, after building
and the questions minus after reading the passages' text. Each figure is the median of the
rounds; ratios are to ``byline-bm25``'s p50 in the same round. The load average is recorded at
the start of each engine's run. Results go to OUT/peers.json and a Markdown table on stdout.
"""

import asyncio
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.generate import generate

ENGINES = ["byline-bm25", "byline-ask-off", "byline-ask-on", "rank-bm25", "bm25s", "tantivy"]
CANDIDATES = 30  # Byline's RERANK_POOL: what its BM25 stage hands the re-ordering
WARM_UP = 20
RANK_BM25_QUESTIONS = 100
_WORD = re.compile(r"\w+")


def rss() -> int:
    with open("/proc/self/statm") as file:
        return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def rss_file() -> int:
    """The part of the RSS that is mapped files (segments, the nearest-vector file): page cache
    the kernel can drop, unlike the rest."""
    with open("/proc/self/status") as file:
        for line in file:
            if line.startswith("RssFile:"):
                return int(line.split()[1]) * 1024
    return 0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(questions: list[str], answer: "Answerer") -> dict:
    for q in questions[:WARM_UP]:
        answer(q)
    times = []
    for q in questions:
        started = time.perf_counter()
        answer(q)
        times.append(time.perf_counter() - started)
    return {"p50_ms": percentile(times, 0.5) * 1000, "p99_ms": percentile(times, 0.99) * 1000}


class Answerer:
    def __call__(self, question: str) -> object:
        raise NotImplementedError


# --- Byline -------------------------------------------------------------------------------------


async def build_byline(database: Path, seeds: Path) -> dict:
    """A full re-index from text into a new database, semantic layer off."""
    from index import Library

    started = time.perf_counter()
    async with Library.open(database, seeds, semantic=False) as lib:
        report = await lib.reindex()
    return {"passages": report.passages, "build_s": time.perf_counter() - started}


def write_vectors(database: Path, questions: list[str]) -> dict:
    """A vector per passage, as the semantic layer stores them, synthesised from real sentence
    vectors (bench/ann_choice.py: mixtures of three plus noise); then, past the layer's exact
    search, its nearest-vector file, made as the layer makes it (two threads here)."""
    from bench.ann_choice import real_vectors, synthesise
    from index.semantic import nearest, vectors
    from index.semantic.layer import SemanticLayer
    from index.semantic.model import packaged
    from index.store.schema import UPSERT_META

    started = time.perf_counter()
    model = packaged()
    real, _ = real_vectors()
    db = sqlite3.connect(database, isolation_level=None)
    ids = [pid for (pid,) in db.execute("SELECT id FROM passages ORDER BY id")]
    db.execute("BEGIN")
    for start in range(0, len(ids), 20_000):
        chunk = ids[start : start + 20_000]
        vectors.store(db, chunk, synthesise(real, len(chunk), seed=start))
    db.execute(UPSERT_META, (vectors.MODEL_KEY, model.checksum))
    db.execute("COMMIT")
    db.close()
    written = time.perf_counter() - started
    nearest.BUILD_THREADS = 2
    layer = SemanticLayer(str(database))
    layer.prepare()
    layer.upkeep.wait()
    assert layer.table is not None
    made = layer.table.file.size if layer.table.file is not None else 0
    return {"vectors_s": written, "nearest_s": time.perf_counter() - started - written, "nearest": made}


async def run_byline(engine: str, database: Path, questions: list[str]) -> dict:
    from index import Library
    from index.answer.selection import with_related_forms
    from index.question import clean_question
    from index.retrieval import ANSWER_WORD_POOL, RERANK_POOL
    from index.text.smalltalk import without_padding

    baseline, file_baseline = rss(), rss_file()
    async with Library.open(database, database.parent / "none", semantic=engine == "byline-ask-on") as lib:
        if engine == "byline-ask-on":
            assert lib.semantic is not None and lib.semantic.table is not None and len(lib.semantic.table)
        if engine == "byline-bm25":
            index, analyzer = lib._live.snapshot.index, lib.analyzer

            class Stage(Answerer):
                def __call__(self, question: str) -> object:
                    asked = without_padding(clean_question(question))
                    query = with_related_forms(index, analyzer.query(asked))
                    return index.top_reordered(query.terms, query.extra, RERANK_POOL, ANSWER_WORD_POOL)

            result = timed(questions, Stage())
        else:
            for q in questions[:WARM_UP]:
                await lib.ask(q)
            times = []
            for q in questions:
                started = time.perf_counter()
                await lib.ask(q)
                times.append(time.perf_counter() - started)
            result = {"p50_ms": percentile(times, 0.5) * 1000, "p99_ms": percentile(times, 0.99) * 1000}
        result["rss_mb"] = (rss() - baseline) / 2**20
        result["rss_file_mb"] = (rss_file() - file_baseline) / 2**20
    return result


# --- Peers --------------------------------------------------------------------------------------


class RankBM25(Answerer):
    def __init__(self, texts: list[str]) -> None:
        from rank_bm25 import BM25Okapi

        self.model = BM25Okapi([_WORD.findall(t.lower()) for t in texts])

    def __call__(self, question: str) -> object:
        scores = self.model.get_scores(_WORD.findall(question.lower()))
        best = np.argpartition(-scores, CANDIDATES)[:CANDIDATES]
        return best[np.argsort(-scores[best], kind="stable")]


class BM25S(Answerer):
    def __init__(self, texts: list[str]) -> None:
        import bm25s
        import Stemmer

        self.bm25s = bm25s
        self.stemmer = Stemmer.Stemmer("english")
        tokens = bm25s.tokenize(texts, stopwords="en", stemmer=self.stemmer, show_progress=False)
        self.model = bm25s.BM25()
        self.model.index(tokens, show_progress=False)

    def __call__(self, question: str) -> object:
        query = self.bm25s.tokenize(question, stopwords="en", stemmer=self.stemmer, return_ids=False,
                                    show_progress=False)  # fmt: skip
        return self.model.retrieve(query, k=CANDIDATES, show_progress=False)


class Tantivy(Answerer):
    def __init__(self, texts: list[str], folder: str) -> None:
        import tantivy

        schema = tantivy.SchemaBuilder()
        schema.add_text_field("body", stored=False, tokenizer_name="en_stem")
        self.index = tantivy.Index(schema.build(), path=folder)
        writer = self.index.writer(heap_size=128_000_000, num_threads=2)
        for text in texts:
            writer.add_document(tantivy.Document(body=text))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def __call__(self, question: str) -> object:
        query = self.index.parse_query(" ".join(_WORD.findall(question.lower())), ["body"])
        return self.searcher.search(query, CANDIDATES).hits


def run_peer(engine: str, database: Path, questions: list[str]) -> dict:
    db = sqlite3.connect(database)
    texts = [text for (text,) in db.execute("SELECT text FROM passages ORDER BY id")]
    db.close()
    baseline = rss()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        peer: Answerer
        if engine == "rank-bm25":
            peer = RankBM25(texts)
        elif engine == "bm25s":
            peer = BM25S(texts)
        else:
            peer = Tantivy(texts, folder)
        build = time.perf_counter() - started
        result = timed(questions[: RANK_BM25_QUESTIONS if engine == "rank-bm25" else None], peer)
        result.update(build_s=build, rss_mb=(rss() - baseline) / 2**20)
    return result


# --- Driver -------------------------------------------------------------------------------------


def child(engine: str, size: int, database: Path, out: Path, count: int) -> dict:
    data = generate(out / "data" / str(size), size)
    with open(data / "questions.jsonl", encoding="utf-8") as file:
        questions = [json.loads(line)["q"] for line in file][:count]
    load = os.getloadavg()[0]
    if engine == "build":
        result = asyncio.run(build_byline(database, data / "seeds"))
    elif engine == "vectors":
        result = write_vectors(database, questions)
    elif engine.startswith("byline"):
        result = asyncio.run(run_byline(engine, database, questions))
    else:
        result = run_peer(engine, database, questions)
    return {**result, "load": load}


def spawn(engine: str, size: int, database: Path, out: Path, count: int) -> dict:
    command = [sys.executable, str(Path(__file__).resolve().parent / "run.py"), "--peers-child", engine,
               "--size", str(size), "--database", str(database), "--out", str(out),
               "--questions", str(count)]  # fmt: skip
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def compare(sizes: list[int], count: int, rounds: int, out: Path, engines: list[str]) -> list[dict]:
    results = []
    for size in sizes:
        generate(out / "data" / str(size), size)
        runs: dict[str, list[dict]] = {engine: [] for engine in ["build", *engines]}
        for round_ in range(rounds):
            database = out / "peers" / str(size) / "byline.db"
            subprocess.run(["rm", "-rf", str(database.parent)], check=True)
            database.parent.mkdir(parents=True)
            runs["build"].append(spawn("build", size, database, out, count))
            if "byline-ask-on" in engines:
                runs["build"][-1].update(spawn("vectors", size, database, out, count))
            order = engines if round_ % 2 == 0 else engines[::-1]
            for engine in order:
                runs[engine].append(spawn(engine, size, database, out, count))
                print(size, round_, engine, json.dumps(runs[engine][-1]), flush=True)
        results.append(summary(size, runs))
        (out / "peers.json").write_text(json.dumps(results, indent=2))
    return results


def summary(size: int, runs: dict[str, list[dict]]) -> dict:
    engines = [engine for engine in ENGINES if engine in runs]
    base = [r["p50_ms"] for r in runs["byline-bm25"]]
    row: dict = {"size": size, "passages": runs["build"][0]["passages"], "rounds": len(base)}
    loads = [r["load"] for figures in runs.values() for r in figures]
    row["load"] = [min(loads), max(loads)]
    row["engines"] = engines
    for engine in engines:
        figures = runs[engine]
        row[engine] = {
            key: statistics.median(r[key] for r in figures) for key in ("p50_ms", "p99_ms", "rss_mb")
        }
        row[engine]["ratio"] = statistics.median(r["p50_ms"] / b for r, b in zip(figures, base, strict=True))
        builds = figures if "build_s" in figures[0] else runs["build"]
        row[engine]["build_s"] = statistics.median(r["build_s"] for r in builds)
    return row


def table(results: list[dict]) -> str:
    lines = []
    for r in results:
        lines.append(f"\n{r['passages']:,} passages, median of {r['rounds']} rounds, "
                     f"load average {r['load'][0]:.1f}–{r['load'][1]:.1f}:\n")  # fmt: skip
        lines.append("| engine | p50 (ms) | p99 (ms) | p50 ÷ Byline BM25 p50 | build (s) | RSS (MB) |")
        lines.append("|---|---:|---:|---:|---:|---:|")
        for engine in r["engines"]:
            e = r[engine]
            lines.append(f"| {engine} | {e['p50_ms']:.2f} | {e['p99_ms']:.2f} | {e['ratio']:.2f}× | "
                         f"{e['build_s']:.1f} | {e['rss_mb']:.0f} |")  # fmt: skip
    return "\n".join(lines)
