"""The README's test command is the one CI runs, on two cores (pytest-xdist, a dev dependency)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_ci_runs_the_readmes_test_command_on_two_cores() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = re.search(r"\.venv/bin/python -m pytest( [^\n`]*)?\n", readme)
    assert command is not None and "-n 2" in command[0]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^clean \.venv/bin/python -m pytest -q -n 2$", ci, flags=re.MULTILINE)
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^    "pytest-xdist>=[^"]+",', pyproject, flags=re.MULTILINE)
