"""What looking for other forms of a missing question word costs when thousands of terms share
its first letters (news has "inter..." words by the thousand; the generated archives do not).

    python bench/other_forms.py

Indexes about 17,800 made-up terms that all begin with "inter", then times ``with_related_forms``
for a question whose "interzzq" no passage holds, and for one whose words the archive holds.
"""

import asyncio
import random
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index import Library
from index.answer.selection import with_related_forms


async def main() -> None:
    rng = random.Random(1)
    words = sorted(
        {"inter" + "".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9))) for _ in range(20_000)}
    )
    with tempfile.TemporaryDirectory() as scratch:
        seeds = Path(scratch) / "seeds"
        seeds.mkdir()
        for i in range(0, len(words), 500):
            (seeds / f"a{i}.md").write_text(f"# Article {i}\n\n" + " ".join(words[i : i + 500]) + ".\n")
        async with Library.open(Path(scratch) / "bench.db", seeds) as library:
            await library.reindex()
            index = library._live.snapshot.index
            print(f"terms beginning with 'inter': {len(index.terms_starting_with('inter', 0, 100)):,}")
            for question in ("what about the interzzq rules", f"what about the {words[0]} rules"):
                query = library.analyzer.query(question)
                times = []
                for _ in range(50):
                    started = time.perf_counter()
                    widened = with_related_forms(index, query)
                    times.append((time.perf_counter() - started) * 1000)
                print(
                    f"{question!r}: p50 {statistics.median(times):.3f} ms, {len(widened.extra)} other forms"
                )


if __name__ == "__main__":
    asyncio.run(main())
