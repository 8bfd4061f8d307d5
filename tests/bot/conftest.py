"""Front-end tests run in a clean environment: no BYLINE_* variables, and no developer's .env."""

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("BYLINE_") or name == "DISCORD_TOKEN":
            monkeypatch.delenv(name)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def byline(capsys: pytest.CaptureFixture[str], database: Path) -> Callable[..., Run]:
    """Run `byline ARGS --database <tmp db>` in-process; the seeds folder is passed by each test."""

    def run(*args: str) -> Run:
        capsys.readouterr()
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        try:
            code = main([*args, "--database", str(database)])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        finally:
            # `byline run` sets up the process's logging (bot/logs.py): its handler writes to this
            # test's captured stderr, closed when the test ends. A console script's process ends
            # there too; this one goes on to the next test, so the logging is put back.
            for handler in list(root.handlers):
                root.removeHandler(handler)
            for handler in handlers:
                root.addHandler(handler)
            root.setLevel(level)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
