"""How fast the analysis is, against another checkout of Byline, on the repository's pages.

    git worktree add /tmp/byline-old <commit>
    python bench/analysis_speed.py /tmp/byline-old

Each checkout runs in a process of its own; prints the median of 7 passes of ``Analyzer.terms``
and of ``matching_words`` over every paragraph of the pages (longer than 80 characters).
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "seeds", ROOT / "eval" / "pages", ROOT / "eval" / "heldout" / "pages"]
MEASURE = """
import statistics, sys, time
sys.path.insert(0, sys.argv[1])
from index.text.analysis import Analyzer
from index.text.marking import matching_words
texts = [line.strip() for path in sys.argv[2:] for line in open(path, encoding="utf-8") if len(line) > 80]
analyzer = Analyzer()
terms = set(analyzer.terms("what is the defence spending of the uk in billions and who runs the bank"))
def timed(work):
    runs = []
    for _ in range(8):
        started = time.perf_counter()
        for text in texts:
            work(text)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs[1:]) * 1000
analysing, marking = timed(analyzer.terms), timed(lambda text: matching_words(analyzer, text, terms))
print(f"{sys.argv[1]}: terms {analysing:.1f} ms, matching_words {marking:.1f} ms ({len(texts)} paragraphs)")
"""


def main() -> None:
    pages = sorted(str(p) for folder in PAGES for p in folder.glob("*.txt"))
    for checkout in (sys.argv[1], str(ROOT)):
        subprocess.run([sys.executable, "-c", MEASURE, checkout, *pages], check=True)


if __name__ == "__main__":
    main()
