"""What a question's answer words cost at a million passages, on a database bench/run.py built.

    python bench/answer_words.py bench/out/work/1000000/byline.db bench/out/data/1000000/questions.jsonl

"When did ..." adds months, weekdays, "date" and "year" to a question (``ANSWER_WORDS``). The
generated archives hold none of those words, so bench/run.py cannot show their cost; here 20
generated terms with the share of passages such words have in news (seven at 3%, eleven at 1.5%,
one at 15%, one at 2%) stand in for them. Prints ``top`` p50 and p99 for the benchmark questions
alone, with the 20 words scored over their posting lists, and as the library does it: the
question's own words choose the passages, the 20 words only reorder them.
"""

import json
import sqlite3
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SHARES = [0.03] * 7 + [0.015] * 11 + [0.15, 0.02]
K = 25  # what Library.ask scores for top 5


def stand_ins(db: sqlite3.Connection) -> list[str]:
    """Terms whose share of a sample of passages is nearest each of SHARES."""
    sample = [set(terms.split()) for (terms,) in db.execute("SELECT terms FROM passages LIMIT 30000")]
    counts: dict[str, int] = {}
    for terms in sample:
        for term in terms:
            counts[term] = counts.get(term, 0) + 1
    chosen: list[str] = []
    for share in SHARES:
        best = min((t for t in counts if t not in chosen), key=lambda t: abs(counts[t] / len(sample) - share))
        chosen.append(best)
    return chosen


def percentile(times: list[float], p: float) -> float:
    return float(np.percentile(np.array(times) * 1000, p))


def main(database: str, questions_file: str) -> None:
    from index.retrieval import ANSWER_WORD_POOL
    from index.store.schema import connect_writer as connect
    from index.store.schema import read_manifest
    from index.store.segments import index_dir_for, open_index
    from index.text.analysis import Analyzer

    db = connect(database)
    manifest = read_manifest(db)
    words = stand_ins(db)
    db.close()
    index = open_index(index_dir_for(database), manifest)
    analyzer = Analyzer()
    with open(questions_file, encoding="utf-8") as file:
        questions = [analyzer.terms(json.loads(line)["q"]) for line in file][:300]
    alone, scanned, reordered = [], [], []
    for terms in questions:
        started = time.perf_counter()
        index.top(terms, K)
        alone.append(time.perf_counter() - started)
        started = time.perf_counter()
        index.top(terms + words, K)
        scanned.append(time.perf_counter() - started)
        started = time.perf_counter()
        index.top_reordered(terms, words, K, ANSWER_WORD_POOL)  # what Library.ask does
        reordered.append(time.perf_counter() - started)
    print(f"{index.size:,} passages, {len(questions)} questions; top() in ms, p50 / p99:")
    rows = (("question alone", alone), ("+ 20 words scanned", scanned), ("+ 20 words reordering", reordered))
    for name, times in rows:
        print(f"  {name:24} {percentile(times, 50):6.2f} / {percentile(times, 99):6.2f}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
