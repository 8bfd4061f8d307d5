"""index.reading: the processes that read a re-index's files."""

import os
import subprocess
import sys
from pathlib import Path

from index.reading import NICENESS

ROOT = Path(__file__).resolve().parents[2]


def niceness_after_lowering(started_at: int) -> int:
    """The niceness a reader ends at, started by a process ``started_at`` steps nicer than this one."""
    code = (
        f"import os; os.nice({started_at}); from index.reading import lower_priority; "
        "lower_priority(); print(os.nice(0))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_readers_started_by_a_niced_re_index_run_at_its_priority_not_lower() -> None:
    # The re-index process lowers itself by NICENESS from wherever this test runs.
    assert niceness_after_lowering(NICENESS) == max(NICENESS, os.nice(0) + NICENESS)


def test_readers_started_at_the_normal_priority_yield_to_it() -> None:
    assert niceness_after_lowering(0) == max(NICENESS, os.nice(0))
