"""The searcher alone: ``SegmentedIndex.top`` per question, without the rest of ``Library.ask``.

    python bench/top_k.py DATABASE QUESTIONS.jsonl [--k 30] [--passes 7] [--limit 300]

DATABASE is any indexed database (``bench/run.py`` leaves one per size under ``bench/out/work``);
QUESTIONS a JSONL file of ``{"q": ...}`` lines (``bench/out/data/<size>/questions.jsonl``). Each
question's time is the minimum over the passes, which takes out a busy machine's pauses; prints
the median and the sum over the questions. To compare two versions, run this file from each
checkout in turn on the same database, alternating, several times (the one imported is the
checkout this file sits in).
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.store import schema
from index.store.segments import index_dir_for, open_index
from index.text.analysis import Analyzer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("questions", type=Path)
    parser.add_argument("--k", type=int, default=30)
    parser.add_argument("--passes", type=int, default=7)
    parser.add_argument("--limit", type=int, default=300)
    args = parser.parse_args()
    manifest = schema.committed_manifest(args.database)
    index = open_index(index_dir_for(args.database), manifest)
    analyzer = Analyzer()
    with open(args.questions, encoding="utf-8") as file:
        queries = [analyzer.terms(json.loads(line)["q"]) for line in file][: args.limit]
    for query in queries:  # lexicon lookups and bounds cached, pages mapped in
        index.top(query, args.k)
    best = [float("inf")] * len(queries)
    for _ in range(args.passes):
        for i, query in enumerate(queries):
            started = time.perf_counter()
            index.top(query, args.k)
            best[i] = min(best[i], time.perf_counter() - started)
    print(
        f"{len(queries)} questions, top {args.k}, {len(index.segments)} segments: "
        f"median {statistics.median(best) * 1e6:.1f} us, sum {sum(best) * 1e3:.2f} ms"
    )


if __name__ == "__main__":
    main()
