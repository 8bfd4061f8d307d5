"""Which question set prompted each vocabulary entry, and whether the entries of each prompt help
any set other than the one that prompted them.

    python eval/vocabulary_ablation.py            # writes eval/vocabulary.tsv, prints the ablation

1. Provenance: for every entry of index/text/vocabulary.py's tables, the first commit that added
   it (``git log -S``) and the set that commit names as its prompt (eval/README.md's history).
2. Ablation, by prompt (one run per commit that added entries): the tune sets are measured with
   that commit's entries removed, in a fresh interpreter (the tables are read at import). An
   entry group that helps only the set that prompted it is a fit, not a generalisation.
   Measure-only sets are never read here.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLES = ["AMERICAN_TO_BRITISH", "IRREGULAR_FORMS", "PLACES", "PHRASES", "ABBREVIATIONS", "SHORTHAND",
          "SYNONYMS", "ANSWER_WORDS"]  # fmt: skip
# What each commit that added entries was prompted by (its message, and eval/README.md's history).
PROMPTS = {
    "0fae0f6": "main", "9ce6624": "main", "f3a350e": "main", "8f80771": "005, 006",
    "fe922c0": "003", "081e742": "003", "31f2943": "002", "47126f1": "004", "99cce46": "general",
}  # fmt: skip
FILES = ["index/vocabulary.py", "index/text/vocabulary.py", "index/analysis.py"]

MEASURE = """
import asyncio, json, sys, tempfile
from pathlib import Path
sys.path.insert(0, {root!r})
from index.text import vocabulary
for table, key in json.loads({removed!r}):
    getattr(vocabulary, table).pop(key, None)
from eval.compare import TUNE, byline_reports, every_page, question_files
files = [f for f in question_files([]) if f.name in TUNE]
with tempfile.TemporaryDirectory() as tmp:
    every_page(Path(tmp))
    reports = asyncio.run(byline_reports(Path(tmp) / "v.db", Path(tmp) / "seeds", files, 5))
figures = {{f.stem.removeprefix("questions-"): [r.hit_at_1, r.hit_at_3] for f, r in zip(files, reports)}}
print(json.dumps(figures))
"""


def provenance() -> list[tuple[str, str, str]]:
    sys.path.insert(0, str(ROOT))
    from index.text import vocabulary

    rows = []
    for table in TABLES:
        for key in getattr(vocabulary, table):
            log = subprocess.run(["git", "log", "--reverse", "--format=%h", "-S", f'"{key}":', "--", *FILES],
                                 cwd=ROOT, capture_output=True, text=True).stdout.split()  # fmt: skip
            rows.append((table, key, log[0] if log else "?"))
    return rows


def measure(removed: list[tuple[str, str]]) -> dict[str, list[float]]:
    code = MEASURE.format(root=str(ROOT), removed=json.dumps(removed))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    result: dict[str, list[float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    rows = provenance()
    with (ROOT / "eval" / "vocabulary.tsv").open("w", encoding="utf-8") as out:
        out.write("table\tentry\tadded in\tprompted by\n")
        for table, key, commit in rows:
            out.write(f"{table}\t{key}\t{commit}\t{PROMPTS.get(commit, '?')}\n")
    base = measure([])
    print("removed          " + " ".join(f"{s:>11}" for s in base))
    print("nothing          " + " ".join(f"{a:.2f}/{b:.2f}" for a, b in base.values()))
    for commit, prompt in PROMPTS.items():
        removed = [(t, k) for t, k, c in rows if c == commit]
        if not removed:
            continue
        figures = measure(removed)
        changed = {s: (round(f[0] - base[s][0], 3), round(f[1] - base[s][1], 3)) for s, f in figures.items()
                   if f != base[s]}  # fmt: skip
        print(f"{commit} ({prompt}, {len(removed)} entries): {changed or 'no change'}")


if __name__ == "__main__":
    main()
