"""Per-question ranks on the TUNE sets only (for looking at misses while tuning).

    python eval/ranks.py > /tmp/ranks.txt

Prints "<set>\t<rank or ->\t<confident>\t<question>" for every question of the sets one may tune
on (eval/README.md); the measure-only sets are never printed.
"""

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.compare import every_page, tune_questions  # noqa: E402
from index import Library  # noqa: E402
from index.evaluation import first_right  # noqa: E402


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        seeds = every_page(Path(tmp))
        async with Library.open(Path(tmp) / "b.db", seeds) as library:
            await library.reindex()
            for path, q in tune_questions():
                answer = await library.ask(q.q, top_k=5)
                rank = first_right([h.text for h in answer.hits], q.gold) if q.gold else 0
                print(f"{path.stem}\t{rank or '-'}\t{int(answer.confident)}\t{q.q}")


if __name__ == "__main__":
    asyncio.run(main())
