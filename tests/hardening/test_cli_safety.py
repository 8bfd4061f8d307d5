"""The command line with hostile or careless input: what it prints is safe for a terminal, and
every mistake is one line, never a traceback or a file left behind."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from index import Library, QuestionError

from ..support import SEED_PAGE
from .test_hostile_entries import without_root_override

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = (
    "---\ntitle: \x1b]0;PWNED\x07Harbour news\noutlet: Coast \x9b31mGazette\n---\n\n"
    "Pilots at the harbour walked out \x1b[31mon Monday\x1b[0m over rosters.\n\n"
    "Read \x1b]8;;http://evil.example\x1b\\the rosters\x1b]8;;\x1b\\ here.\n"
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("BYLINE_") or name == "DISCORD_TOKEN":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def byline(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def seeds_with(tmp_path: Path, files: dict[str, str]) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEED_PAGE, seeds)
    for name, text in files.items():
        (seeds / name).write_text(text, encoding="utf-8")
    return seeds


def test_control_characters_in_articles_are_shown_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeds = seeds_with(tmp_path, {"harbour.md": HOSTILE})
    where = ["--database", str(tmp_path / "b.db"), "--seeds-dir", str(seeds)]
    _, asked, _ = byline(capsys, "ask", "why did the pilots walk out over rosters?", *where)
    _, listed, _ = byline(capsys, "sources", *where)
    _, as_json, _ = byline(capsys, "ask", "why did the pilots walk out over rosters?", "--json", *where)
    for out in (asked, listed):
        assert not any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0 for c in out)
        assert "\\x1b]0;PWNED\\x07Harbour news" in out
    assert "\\x1b[31mon Monday" in asked
    assert json.loads(as_json)["hits"][0]["article"]["title"] == "\x1b]0;PWNED\x07Harbour news"


def test_a_file_name_with_a_newline_is_one_line_of_the_listing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeds = seeds_with(tmp_path, {"two\nlines.md": "# Mill closes\n\nThe mill closed on Monday.\n"})
    code, out, _ = byline(capsys, "sources", "--database", str(tmp_path / "b.db"), "--seeds-dir", str(seeds))
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 5  # the seed page's four articles and this one
    assert any(line.startswith("two\\nlines.md  ") for line in lines)


def test_mentions_in_a_question_do_not_change_its_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeds = seeds_with(tmp_path, {})
    where = ["--json", "--database", str(tmp_path / "b.db"), "--seeds-dir", str(seeds)]
    _, plain, _ = byline(capsys, "ask", "who is Hegseth", *where)
    _, mentioned, _ = byline(capsys, "ask", "<@112233445566778899> who is Hegseth <#42> <a:wave:17>", *where)
    assert json.loads(plain)["hits"]
    assert json.loads(mentioned) == json.loads(plain)


def test_a_question_of_mentions_only_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seeds = seeds_with(tmp_path, {})
    code, _, err = byline(capsys, "ask", "<@1> <@&2>", "--database", str(tmp_path / "b.db"), "--seeds-dir",
                          str(seeds))  # fmt: skip
    assert code == 2 and err.startswith("byline: Ask a question")


async def test_asking_none_is_a_question_error(tmp_path: Path) -> None:
    async with Library.open(tmp_path / "b.db", tmp_path) as library:
        with pytest.raises(QuestionError):
            await library.ask(None)  # type: ignore[arg-type]


def test_a_database_that_is_not_a_regular_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeds = seeds_with(tmp_path, {})
    journal = Path("/dev/null-journal")
    existed = journal.exists()
    try:
        code, out, err = byline(
            capsys, "ask", "who is Hegseth", "--database", "/dev/null", "--seeds-dir", str(seeds)
        )
        left = journal.exists() and not existed
    finally:
        if journal.exists() and not existed and journal.is_file():
            journal.unlink()
    assert (code, out, left) == (1, "", False)
    assert err.startswith("byline: The database /dev/null is not a regular file;") and err.count("\n") == 1


def test_a_seeds_folder_that_is_a_file_is_called_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    passwd = tmp_path / "passwd"
    passwd.write_text("root:x:0:0:root:/root:/bin/bash\n")
    code, _, err = byline(capsys, "reindex", "--database", str(tmp_path / "b.db"), "--seeds-dir", str(passwd))
    assert code == 1 and "is not a folder" in err and "\n" not in err.strip()


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "bot.cli", *args, "--database", str(tmp_path / "d" / "b.db"),
               "--seeds-dir", str(tmp_path / "seeds")]  # fmt: skip
    return subprocess.run(
        without_root_override(command), capture_output=True, text=True, cwd=ROOT, check=False
    )


@pytest.mark.parametrize("locked", ["d/b.db", "d/b.db.index"])
def test_a_database_or_index_that_cannot_be_written_is_one_line(tmp_path: Path, locked: str) -> None:
    seeds = seeds_with(tmp_path, {})
    assert run_cli(tmp_path, "reindex").returncode == 0
    with (seeds / SEED_PAGE.name).open("a") as page:
        page.write("\nOne more line.\n")
    (tmp_path / locked).chmod(0o555 if locked.endswith(".index") else 0o444)
    try:
        done = run_cli(tmp_path, "reindex")
    finally:
        (tmp_path / locked).chmod(0o755 if locked.endswith(".index") else 0o644)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("byline: Cannot write") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
    asked = run_cli(tmp_path, "ask", "who is Hegseth")
    assert asked.returncode == 0 and "Hegseth" in asked.stdout


def test_the_console_script_stops_quietly_in_a_pipe_without_pythonunbuffered(tmp_path: Path) -> None:
    seeds = seeds_with(tmp_path, {})
    script = shutil.which("byline") or str(Path(sys.executable).with_name("byline"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BYLINE_", "PYTHON", "DISCORD_"))}
    read, write = os.pipe()
    os.close(read)  # `byline ask ... | head`, with head already gone
    with open(write, "wb") as stdout:
        done = subprocess.run(
            [script, "ask", "Hegseth", "--database", str(tmp_path / "b.db"), "--seeds-dir", str(seeds)],
            env=env, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 141
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
