"""`byline` imports only what the command it runs uses: `--help` answers before the library
(numpy, aiosqlite), pydantic or discord are loaded, and `ask` never loads discord, the feedback
store or the evaluation (bot/cli.py imports them in the commands that need them)."""

import json
import subprocess
import sys
from pathlib import Path

# Runs `byline ARGS` in a fresh interpreter, then writes the modules it loaded to a file.
PROBE = """
import json, sys
from bot.cli import main
try:
    code = main(sys.argv[2:])
except SystemExit as exit_:
    code = exit_.code
with open(sys.argv[1], "w") as file:
    json.dump({"code": code, "modules": sorted(sys.modules)}, file)
"""

HEAVY = {"discord", "numpy", "aiosqlite", "pydantic", "pydantic_settings", "Stemmer", "asyncio"}


def loaded_by(tmp_path: Path, *args: str) -> tuple[int, set[str], str]:
    """(exit code, the modules loaded, stdout) of `byline ARGS` run in its own interpreter."""
    report = tmp_path / "modules.json"
    run = subprocess.run(
        [sys.executable, "-c", PROBE, str(report), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert report.exists(), run.stderr
    found = json.loads(report.read_text(encoding="utf-8"))
    return found["code"], set(found["modules"]), run.stdout


def packages(modules: set[str]) -> set[str]:
    return {name.partition(".")[0] for name in modules}


def test_help_loads_neither_the_library_nor_pydantic_nor_discord(tmp_path: Path) -> None:
    code, modules, out = loaded_by(tmp_path, "--help")
    assert code == 0 and "ask" in out and "reindex" in out
    assert not packages(modules) & HEAVY, packages(modules) & HEAVY
    assert "index.library" not in modules


def test_ask_help_shows_the_limits_without_loading_the_library(tmp_path: Path) -> None:
    code, modules, out = loaded_by(tmp_path, "ask", "--help")
    assert code == 0 and "1 to 50" in " ".join(out.split())
    assert not packages(modules) & HEAVY, packages(modules) & HEAVY


def test_bad_arguments_are_refused_before_the_library_is_loaded(tmp_path: Path) -> None:
    code, modules, _ = loaded_by(tmp_path, "ask")  # no question
    assert code == 2
    assert "index.library" not in modules and "numpy" not in packages(modules)


def test_ask_answers_without_discord_feedback_or_evaluation(tmp_path: Path, collection_seeds: Path) -> None:
    database = tmp_path / "ask.db"
    args = ("ask", "what will astronomers search for with the telescope?", "--json")
    code, modules, out = loaded_by(
        tmp_path, *args, "--database", str(database), "--seeds-dir", str(collection_seeds)
    )
    assert code == 0 and json.loads(out)["hits"]
    assert "discord" not in packages(modules)
    assert not {m for m in modules if m.startswith(("index.feedback", "index.evaluation", "bot.app"))}
