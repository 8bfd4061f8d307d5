"""The Python API from a plain script (no ``if __name__ == "__main__":``), run for real in a
subprocess: the re-index process never runs the script again, its errors say what happened, and
a library the script forgot to close does not keep the interpreter alive."""

import os
import subprocess
import sys
from pathlib import Path

from .test_hostile_entries import without_root_override

ROOT = Path(__file__).resolve().parents[2]
FILES = 250  # enough for the re-index to run in a process of its own

SCRIPT = """
import asyncio
from index import Library
print("top level runs")
KEPT = []

async def main():
    library = await Library.open("byline.db", "seeds")
    KEPT.append(library)  # and never closed
    try:
        report = await library.reindex()
    except Exception as error:
        print(f"error: {type(error).__name__}: {error}")
    else:
        print(f"indexed: {report.added} added, {report.articles} articles")

asyncio.run(main())
print("end of script")
"""


def write_seeds(folder: Path) -> None:
    seeds = folder / "seeds"
    seeds.mkdir()
    for i in range(FILES):
        (seeds / f"route{i:03}.md").write_text(
            f"---\ntitle: Route {i}\n---\n\nThe ferry on route {i} leaves at noon.\n\nTickets cost more.\n"
        )


def run_script(folder: Path, drop_override: bool = False) -> subprocess.CompletedProcess[str]:
    (folder / "script.py").write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "script.py"]
    return subprocess.run(
        without_root_override(command) if drop_override else command,
        cwd=folder, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_a_plain_script_reindexes_once_and_exits_without_closing_its_library(tmp_path: Path) -> None:
    write_seeds(tmp_path)
    done = run_script(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "top level runs",
        f"indexed: {FILES} added, {FILES} articles",
        "end of script",
    ]
    assert "Traceback" not in done.stderr


def test_an_error_in_the_reindex_process_says_what_happened(tmp_path: Path) -> None:
    write_seeds(tmp_path)
    assert run_script(tmp_path).returncode == 0
    (tmp_path / "seeds" / "route000.md").write_text("# Route 0\n\nThe ferry is cancelled.\n")
    (tmp_path / "byline.db").chmod(0o444)
    done = run_script(tmp_path, drop_override=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].startswith("error: StorageError: Cannot write the database")
    assert done.stdout.count("top level runs") == 1
