"""Byline's programs in a fresh interpreter (index/ingest/interpreter.py) import this Byline."""

import os
import subprocess
from pathlib import Path

from index.ingest import interpreter


def test_the_new_interpreter_finds_this_byline_first_on_its_path() -> None:
    first = interpreter.environment()["PYTHONPATH"].split(os.pathsep)[0]
    assert (Path(first) / "index" / "__init__.py").is_file()


def test_a_folder_named_index_where_it_starts_is_not_imported(tmp_path: Path) -> None:
    decoy = tmp_path / "index"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise SystemExit('the decoy was imported')\n", encoding="utf-8")
    (decoy / "ingest").mkdir()
    done = subprocess.run(
        interpreter.command("index.ingest.interpreter", 0),
        cwd=tmp_path, env=interpreter.environment(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
