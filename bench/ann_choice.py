"""Which nearest-vector library the semantic layer uses past exact search: usearch, hnswlib, faiss.

    python bench/ann_choice.py [--sizes 100000] [--libraries usearch-i8 usearch-f16 hnswlib faiss-sq8]

Vectors: real sentence vectors from the shipped model (index/semantic/model.py) of every
paragraph and sentence of the seeds and the tune sets' pages (000-011; never 012-016), about
2,000 texts. A collection of N is synthesised from them: each vector a random mixture of three
real ones (Dirichlet weights) plus Gaussian noise of a quarter of a unit vector's length, made
unit again. So it keeps the real vectors' geometry (a few hundred topics, cosines mostly 0-0.4)
rather than that of random unit vectors, on which HNSW's recall is far lower. Questions: the
tune sets' questions, embedded by the same model.

For each library, in a fresh process (its memory alone): build (2 threads), save, load the file
as the layer would (memory-mapped where the library can), then 1 thread: recall@30 against the
exact float32 search (top 60 asked, as the layer filters deleted passages) and search p50/p99
over the questions, at a few search-time settings. Results as one Markdown table on stdout.

``byline`` is what index/semantic/nearest.py ships (a one-bit graph, re-scored from int8 rows);
``pca48``/``pca64``/``pca96`` (an int8 graph over the first principal components) and
``b1-rotated`` are other ways to shrink the graph, their finds re-scored from float32 here; for
those the settings are how many are re-scored, not the expansion.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TUNE_PAGES = re.compile(r"^0(0\d|1[01])_")
ASKED, RECALL_AT = 60, 30
LIBRARIES = ["usearch-i8", "usearch-f16", "hnswlib", "faiss-sq8", "exact", "byline"]
OTHER_CODES = ["pca48", "pca64", "pca96", "b1-rotated"]
CACHE = ROOT / "bench" / "out" / "ann"


def rss_mb() -> float:
    with open("/proc/self/statm") as file:
        return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def real_texts() -> tuple[list[str], list[str]]:
    folders = [ROOT / "seeds", ROOT / "eval" / "pages", ROOT / "eval" / "heldout" / "pages"]
    paragraphs = [
        p.strip()
        for folder in folders
        for f in sorted(folder.glob("*.txt"))
        if folder.name == "seeds" or TUNE_PAGES.match(f.name)
        for p in f.read_text(encoding="utf-8", errors="ignore").split("\n")
        if len(p.strip()) > 60
    ]
    sentences = [s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+", p) if len(s) > 40]
    questions = []
    for name in ["questions.jsonl"] + [f"heldout/questions-{i:03}.jsonl" for i in range(2, 12)]:
        with open(ROOT / "eval" / name, encoding="utf-8") as file:
            questions += [json.loads(line)["q"] for line in file if line.strip()]
    return sorted(set(paragraphs + sentences)), questions


def real_vectors() -> tuple[np.ndarray, np.ndarray]:
    """The real vectors and the questions', embedded once and kept in bench/out/ann/."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / "real.npz"
    if path.exists():
        data = np.load(path)
        return data["texts"], data["questions"]
    from index.semantic.model import load

    texts, questions = real_texts()
    model = load()
    started = time.perf_counter()
    matrix = np.concatenate([model.embed(texts[i : i + 32]) for i in range(0, len(texts), 32)])
    print(f"embedded {len(texts)} texts in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    asked = np.concatenate([model.embed(questions[i : i + 32]) for i in range(0, len(questions), 32)])
    np.savez(path, texts=matrix, questions=asked)
    return matrix, asked


def synthesise(real: np.ndarray, size: int, seed: int = 23) -> np.ndarray:
    """``size`` unit vectors, each a random mixture of three of ``real`` plus noise."""
    rng = np.random.default_rng(seed)
    out = np.empty((size, real.shape[1]), dtype=np.float32)
    for start in range(0, size, 100_000):
        n = min(100_000, size - start)
        picks = rng.integers(0, len(real), (n, 3))
        weights = rng.dirichlet([1.0, 1.0, 1.0], n).astype(np.float32)
        mixed = np.einsum("nk,nkd->nd", weights, real[picks])
        mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
        noise = rng.standard_normal(mixed.shape).astype(np.float32)
        mixed += 0.25 * noise / np.sqrt(real.shape[1])
        out[start : start + n] = mixed / np.linalg.norm(mixed, axis=1, keepdims=True)
    return out


def exact(matrix: np.ndarray, questions: np.ndarray) -> np.ndarray:
    scores = questions @ matrix.T
    best = np.argpartition(-scores, RECALL_AT, axis=1)[:, :RECALL_AT]
    return best


def measure(library: str, size: int) -> dict:
    real, questions = real_vectors()
    matrix = synthesise(real, size)
    truth = exact(matrix, questions)
    keys = np.arange(size, dtype=np.int64)
    dims = matrix.shape[1]
    folder = Path(tempfile.mkdtemp(dir=CACHE))
    path = folder / "index"
    before = rss_mb()
    started = time.perf_counter()
    settings: list[int]
    if library == "exact":  # the layer's exact scan (index/semantic/vectors.py), for the threshold
        times = []
        for q in questions:
            t = time.perf_counter()
            scores = matrix @ q
            best = np.argpartition(-scores, ASKED)[:ASKED]
            best[np.argsort(-scores[best], kind="stable")]
            times.append(time.perf_counter() - t)
        times.sort()
        folder.rmdir()
        row = {"ef": 0, "recall": 1.0, "p50_ms": times[len(times) // 2] * 1000,
               "p99_ms": times[int(len(times) * 0.99)] * 1000}  # fmt: skip
        return {"library": library, "size": size, "build_s": 0.0, "build_rss_mb": 0.0, "loaded_rss_mb": 0.0,
                "file_mb": matrix.nbytes / 1e6, "rows": [row], "load": os.getloadavg()[0]}  # fmt: skip
    if library == "byline":  # what index/semantic/nearest.py ships: one-bit HNSW, int8 re-scored
        from index.semantic import nearest

        nearest.BUILD_THREADS = 2
        builder = nearest.NearestBuilder(folder, dims)
        for start in range(0, size, 20_000):
            builder.add(keys[start : start + 20_000] + 1, matrix[start : start + 20_000])
        build = time.perf_counter() - started
        built_rss = rss_mb() - before
        builder.write("bench", size)
        del builder, matrix
        base = rss_mb()
        shipped = nearest.NearestFile.open(folder, "bench")
        assert shipped is not None

        def search(q: np.ndarray, rescored: int) -> np.ndarray:
            nearest.RESCORED = rescored
            return shipped.search(q, ASKED)[0] - 1

        settings = [200, 400, 800]
        path = shipped.meta.path(folder, "usearch")
    elif library.startswith("pca") or library == "b1-rotated":  # other ways to shrink the graph
        from usearch.index import Index

        center = matrix[:20_000].mean(axis=0)
        if library == "b1-rotated":  # signs after a random rotation (nearest.py takes them unrotated)
            rotation = np.linalg.qr(np.random.default_rng(5).standard_normal((dims, dims)))[0]
            rotation = rotation.astype(np.float32)

            def coded(x: np.ndarray) -> np.ndarray:
                return np.packbits(((np.atleast_2d(x) - center) @ rotation) > 0, axis=1)

            index = Index(ndim=dims, metric="hamming", dtype="b1", connectivity=16, expansion_add=128)
        else:  # an int8 graph over the first principal components
            components = int(library[3:])
            projection = np.linalg.svd(matrix[:20_000] - center, full_matrices=False)[2][:components].T

            def coded(x: np.ndarray) -> np.ndarray:
                return np.asarray((np.atleast_2d(x) - center) @ projection, dtype=np.float32)

            index = Index(ndim=components, metric="cos", dtype="i8", connectivity=16, expansion_add=128)
        for start in range(0, size, 100_000):
            index.add(keys[start : start + 100_000], coded(matrix[start : start + 100_000]), threads=2)
        build = time.perf_counter() - started
        built_rss = rss_mb() - before
        index.save(str(path))
        base = rss_mb()

        def search(q: np.ndarray, rescored: int) -> np.ndarray:  # re-scored from float32 here
            found = np.asarray(index.search(coded(q)[0], rescored, threads=1).keys, dtype=np.int64)
            return found[np.argsort(-(matrix[found] @ q), kind="stable")][:ASKED]

        settings = [200, 400, 800]
    elif library.startswith("usearch"):
        from usearch.index import Index

        index = Index(ndim=matrix.shape[1], metric="cos", dtype=library.split("-")[1],
                      connectivity=16, expansion_add=128)  # fmt: skip
        index.add(keys, matrix, threads=2)
        build = time.perf_counter() - started
        built_rss = rss_mb() - before
        index.save(str(path))
        del index, matrix
        base = rss_mb()
        index = Index.restore(str(path), view=True)

        def search(q: np.ndarray, ef: int) -> np.ndarray:
            index.expansion_search = ef
            return np.asarray(index.search(q, ASKED, threads=1).keys)

        settings = [64, 128, 256]
    elif library == "hnswlib":
        import hnswlib

        index = hnswlib.Index(space="ip", dim=matrix.shape[1])
        index.init_index(max_elements=size, ef_construction=128, M=16)
        index.add_items(matrix, keys, num_threads=2)
        build = time.perf_counter() - started
        built_rss = rss_mb() - before
        index.save_index(str(path))
        del index, matrix
        base = rss_mb()
        index = hnswlib.Index(space="ip", dim=dims)
        index.load_index(str(path))
        index.set_num_threads(1)

        def search(q: np.ndarray, ef: int) -> np.ndarray:
            index.set_ef(ef)
            return np.asarray(index.knn_query(q, k=ASKED)[0][0])

        settings = [64, 128, 256]
    else:
        import faiss

        faiss.omp_set_num_threads(2)
        quantizer, metric = faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        index = faiss.IndexHNSWSQ(matrix.shape[1], quantizer, 16, metric)
        index.hnsw.efConstruction = 128
        index.train(matrix)
        index.add(matrix)
        build = time.perf_counter() - started
        built_rss = rss_mb() - before
        faiss.write_index(index, str(path))
        del index, matrix
        base = rss_mb()
        index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
        faiss.omp_set_num_threads(1)

        def search(q: np.ndarray, ef: int) -> np.ndarray:
            index.hnsw.efSearch = ef
            return np.asarray(index.search(q[None, :], ASKED)[1][0])

        settings = [64, 128, 256]
    rows = []
    for ef in settings:
        times, hits = [], 0
        for q, want in zip(questions, truth, strict=True):
            t = time.perf_counter()
            got = search(q, ef)
            times.append(time.perf_counter() - t)
            hits += len(set(want.tolist()) & set(got.tolist()))
        times.sort()
        rows.append({
            "ef": ef, "recall": hits / (len(questions) * RECALL_AT),
            "p50_ms": times[len(times) // 2] * 1000, "p99_ms": times[int(len(times) * 0.99)] * 1000,
        })  # fmt: skip
    result = {
        "library": library, "size": size, "build_s": build, "build_rss_mb": built_rss,
        "loaded_rss_mb": rss_mb() - base, "file_mb": path.stat().st_size / 1e6, "rows": rows,
        "load": os.getloadavg()[0],
    }  # fmt: skip
    shutil.rmtree(folder)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--libraries", nargs="+", default=LIBRARIES, choices=LIBRARIES + OTHER_CODES)
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]))))
        return
    real_vectors()
    print("| library | size | build (s) | build RSS (MB) | file (MB) | search: expansion → recall@30, "
          "p50 / p99 (ms) | RSS after searches, loaded (MB) | load |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---|---:|---:|")
    for size in args.sizes:
        for library in args.libraries:
            done = subprocess.run([sys.executable, __file__, "--child", library, str(size)],
                                  capture_output=True, text=True, check=True)  # fmt: skip
            r = json.loads(done.stdout.strip().splitlines()[-1])
            searches = "; ".join(f"{x['ef']} → {x['recall']:.3f}, {x['p50_ms']:.2f} / {x['p99_ms']:.2f}"
                                 for x in r["rows"])  # fmt: skip
            print(f"| {library} | {size:,} | {r['build_s']:.1f} | {r['build_rss_mb']:.0f} | "
                  f"{r['file_mb']:.0f} | "
                  f"{searches} | {r['loaded_rss_mb']:.0f} | {r['load']:.1f} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
