"""rank-bm25-rs next to rank-bm25 and Byline's segments, on a database bench/run.py built.

    python bench/alternatives.py bench/out/work/1000000/byline.db bench/out/data/1000000/questions.jsonl

rank-bm25-rs (a Rust drop-in for rank-bm25 with bit-identical scores) keeps its index in memory
only: a library using it would build it at every start. This prints its build time, memory and
``get_scores`` p50, and whether its scores equal rank-bm25's and Byline's, bit for bit.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import rss


def main(database: str, questions_file: str, count: int = 20) -> None:
    import numpy as np
    import rank_bm25_rs

    from index.store.schema import connect_writer as connect
    from index.store.schema import read_manifest
    from index.store.segments import index_dir_for, open_index
    from index.text.analysis import Analyzer

    db = connect(database)
    corpus = [terms.split() for (terms,) in db.execute("SELECT terms FROM passages ORDER BY id")]
    manifest = read_manifest(db)
    db.close()
    analyzer = Analyzer()
    with open(questions_file, encoding="utf-8") as file:
        questions = [analyzer.terms(json.loads(line)["q"]) for line in file][:count]
    baseline = rss(os.getpid())
    started = time.perf_counter()
    rs = rank_bm25_rs.BM25Okapi(corpus)
    build = time.perf_counter() - started
    memory = (rss(os.getpid()) - baseline) / 2**20
    index = open_index(index_dir_for(database), manifest)
    times, identical = [], 0
    for terms in questions:
        started = time.perf_counter()
        theirs = rs.get_scores(terms)
        times.append(time.perf_counter() - started)
        identical += bool(np.array_equal(index.get_scores(terms).view(np.int64), theirs.view(np.int64)))
    print(
        json.dumps(
            {
                "passages": len(corpus),
                "rank_bm25_rs_build_s": build,
                "rank_bm25_rs_rss_mb": memory,
                "rank_bm25_rs_scores_p50_ms": statistics.median(times) * 1000,
                "identical_to_byline": f"{identical}/{len(questions)}",
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])
