"""`byline run`, `byline sync` and `python -m bot` before they reach Discord: settings and errors.

What they do once connected is tested end to end against the Discord double (tests/e2e).
"""

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Run

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("command", ["run", "sync"])
def test_without_a_token_one_line_names_the_setting_and_exit_2(
    byline: Callable[..., Run], command: str
) -> None:
    run = byline(command)
    assert run.code == 2 and run.out == ""
    assert run.err.count("\n") == 1
    assert "BYLINE_DISCORD_TOKEN" in run.err and ".env.example" in run.err


def test_settings_in_dot_env_are_read_and_checked(byline: Callable[..., Run]) -> None:
    Path(".env").write_text("BYLINE_GUILD_ID=not-a-number\nBYLINE_DISCORD_TOKEN=x\n", encoding="utf-8")
    run = byline("run")
    assert run.code == 2 and run.err.startswith("byline: BYLINE_GUILD_ID: ")


@pytest.mark.parametrize(
    ("name", "value"),
    [("BYLINE_GUILD_ID", "general"), ("BYLINE_ADMIN_IDS", "alice, bob"), ("BYLINE_TOP_K", "99")],
)
def test_a_malformed_setting_is_named(
    byline: Callable[..., Run], monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv("BYLINE_DISCORD_TOKEN", "x")
    monkeypatch.setenv(name, value)
    run = byline("run")
    assert run.code == 2 and run.err.count("\n") == 1 and name in run.err


def test_run_without_articles_or_database_says_so(
    byline: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BYLINE_DISCORD_TOKEN", "x")
    run = byline("run", "--seeds-dir", "no-such-folder")
    assert run.code == 1 and "no-such-folder" in run.err and "BYLINE_SEEDS_DIR" in run.err


def test_python_dash_m_bot_is_byline_run(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BYLINE_") and k != "DISCORD_TOKEN"}
    done = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("byline: BYLINE_DISCORD_TOKEN is not set") and ".env.example" in done.stderr


def test_run_and_sync_are_documented_in_help(byline: Callable[..., Run]) -> None:
    listed = byline("--help")
    assert listed.code == 0
    assert re.search(r"^ +run +start the Discord bot$", listed.out, flags=re.MULTILINE)
    assert re.search(
        r"^ +sync +push the slash-command definitions to Discord$", listed.out, flags=re.MULTILINE
    )
    run = " ".join(byline("run", "--help").out.split())
    assert "BYLINE_DISCORD_TOKEN" in run and "to BYLINE_GUILD_ID at every start" in run
    assert "`python -m bot` does the same" in run
    sync = " ".join(byline("sync", "--help").out.split())
    assert "whether or not they changed" in sync and "no gateway" in sync
