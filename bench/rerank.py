"""What re-ordering the candidates costs a question: ``Library.ask`` p50 with and without it.

    python bench/rerank.py [--repeat 5]

Every page of eval/ is indexed; each question of every set is asked ``repeat`` times, once with
answering.choose as it is and once with a stand-in that keeps BM25's order and is always
confident (what reading the candidates' rows costs stays in both). Prints the two p50s in ms.
"""

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import index.library as library_module  # noqa: E402
from eval.compare import every_page, question_files  # noqa: E402
from index import Library  # noqa: E402
from index.evaluation import load_questions  # noqa: E402


def bm25_order(*args, **kwargs):  # type: ignore[no-untyped-def]
    return list(range(len(args[6]))), True, [], []


async def p50(library: Library, questions: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        for q in questions:
            started = time.perf_counter()
            await library.ask(q)
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


async def main(repeat: int) -> None:
    questions = [q.q for path in question_files([]) for q in load_questions(path)]
    with tempfile.TemporaryDirectory() as tmp:
        seeds = every_page(Path(tmp))
        async with Library.open(Path(tmp) / "b.db", seeds) as library:
            await library.reindex()
            await p50(library, questions, 1)  # warm caches
            choose = library_module.choose
            with_rerank = await p50(library, questions, repeat)
            library_module.choose = bm25_order  # type: ignore[assignment]
            try:
                without = await p50(library, questions, repeat)
            finally:
                library_module.choose = choose  # type: ignore[assignment]
    print(json.dumps({"questions": len(questions), "ask_p50_ms": with_rerank, "bm25_order_p50_ms": without}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    asyncio.run(main(parser.parse_args().repeat))
