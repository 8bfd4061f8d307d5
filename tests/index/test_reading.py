"""index.ingest.batches: the processes that read a re-index's files."""

import os
import pickle
import subprocess
import sys
from pathlib import Path

from index.ingest.batches import NICENESS, read_batch
from index.text.analysis import Analyzer

ROOT = Path(__file__).resolve().parents[2]


def niceness_after_lowering(started_at: int) -> int:
    """The niceness a reader ends at, started by a process ``started_at`` steps nicer than this one."""
    code = (
        f"import os; os.nice({started_at}); from index.ingest.batches import lower_priority; "
        "lower_priority(); print(os.nice(0))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_readers_started_by_a_niced_re_index_run_at_its_priority_not_lower() -> None:
    # The re-index process lowers itself by NICENESS from wherever this test runs.
    assert niceness_after_lowering(NICENESS) == max(NICENESS, os.nice(0) + NICENESS)


def test_readers_started_at_the_normal_priority_yield_to_it() -> None:
    assert niceness_after_lowering(0) == max(NICENESS, os.nice(0))


def test_a_read_batch_reaches_the_writer_as_it_was_read(tmp_path: Path) -> None:
    """What a reader process sends the writer (pickled) is what it read, passage for passage."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.md").write_text(
        "---\ntitle: Bridge reopens\noutlet: Valley Post\n---\n\n"
        "The old bridge over the Tamar reopened on Friday. Traffic flowed again.\n\n"
        "Engineers from Plymouth spent 5 per cent of the budget on paint.\n",
        encoding="utf-8",
    )
    batch = read_batch(seeds, [("a.md", "a.md", None)], Analyzer())
    received = pickle.loads(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
    [sent], [got] = batch.files, received.files
    assert sent.articles and got.articles == sent.articles
    assert [p.terms for p in got.articles[0].passages] == [p.terms for p in sent.articles[0].passages]
    assert received.encoded.vocabulary == batch.encoded.vocabulary
