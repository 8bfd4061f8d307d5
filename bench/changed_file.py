"""How soon a changed or new file is answerable, on an existing archive, with the semantic layer on.

    python bench/changed_file.py DATABASE SEEDS   # e.g. bench/out/peers/1000000/byline.db and
                                                  # bench/out/data/1000000/seeds, made by
                                                  # python bench/run.py --peers --sizes 1000000

Opens the library as the bot does (semantic layer on), answers a question, then appends a
sentence of made-up words to one article and times ``reindex()`` until it returns, checks the
words are answerable, and does the same for a new file. It changes SEEDS and DATABASE: run it on
copies. bench/run.py measures the same with a fresh database of its own (and the layer off).
"""

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index import Library


def first_folder_and_file(seeds: Path) -> tuple[Path, Path]:
    folder = sorted(p for p in seeds.iterdir() if p.is_dir())[0]
    return folder, sorted(folder.iterdir())[1]


async def main(database: Path, seeds: Path) -> None:
    started = time.perf_counter()
    library = await Library.open(database=database, seeds_dir=seeds)
    await library.ask("what did the council decide about the budget?")
    print(f"open and first answer: {time.perf_counter() - started:.2f} s", flush=True)
    folder, changed = await asyncio.to_thread(first_folder_and_file, seeds)
    text = await asyncio.to_thread(changed.read_text, encoding="utf-8")
    await asyncio.to_thread(changed.write_text, text + "\nZebrafinch quangle marmalade.\n", encoding="utf-8")
    started = time.perf_counter()
    report = await library.reindex()
    took = time.perf_counter() - started
    found = bool((await library.ask("zebrafinch quangle marmalade")).hits)
    print(f"one changed file: {took:.2f} s, answerable {found}; {report.embedded} passages embedded "
          f"in {report.embedding_seconds:.2f} s of it", flush=True)  # fmt: skip
    extra = folder / f"zz-bench-new-{int(time.time())}.md"
    await asyncio.to_thread(extra.write_text, "# Quokka census\n\nThe census counted wombleberry shrubs.\n")
    started = time.perf_counter()
    await library.reindex()
    took = time.perf_counter() - started
    found = bool((await library.ask("quokka wombleberry")).hits)
    print(f"one new file: {took:.2f} s, answerable {found}", flush=True)
    await library.close()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))
