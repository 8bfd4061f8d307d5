"""What the container image does when it starts: deploy/docker-entrypoint.sh run directly (the
image's ENTRYPOINT), with the real ``byline`` or a stand-in that reports how it was started; and
that the Dockerfile and compose.yaml keep the promises docs/deploy.md makes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ENTRYPOINT = REPO / "deploy" / "docker-entrypoint.sh"
BYLINE = Path(sys.executable).parent / "byline"


def entrypoint(
    args: list[str], data: Path, path_dirs: list[Path], **env: str
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BYLINE_") and k != "DISCORD_TOKEN"}
    clean.update(
        BYLINE_DATA_DIR=str(data), PATH=os.pathsep.join([*map(str, path_dirs), "/usr/bin:/bin"]), **env
    )
    return subprocess.run(
        ["/bin/sh", str(ENTRYPOINT), *args], cwd=data, env=clean, capture_output=True, text=True, timeout=120
    )


def stand_in(folder: Path) -> Path:
    """A ``byline`` that prints its process id and arguments, to see how the entry point ran it."""
    folder.mkdir()
    program = folder / "byline"
    program.write_text('#!/bin/sh\necho "$$ $*"\n', encoding="utf-8")
    program.chmod(0o755)
    return folder


def test_the_entry_point_becomes_byline_so_that_sigterm_reaches_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BYLINE_")}
    clean.update(BYLINE_DATA_DIR=str(data), PATH=f"{stand_in(tmp_path / 'bin')}:/usr/bin:/bin")
    process = subprocess.Popen(
        ["/bin/sh", str(ENTRYPOINT), "run"], cwd=data, env=clean, stdout=subprocess.PIPE, text=True
    )
    out, _ = process.communicate(timeout=60)
    pid, args = out.split(" ", 1)
    assert int(pid) == process.pid  # exec: the same process, so docker stop's SIGTERM is Byline's
    assert args.strip() == "run"


def test_a_first_start_makes_an_empty_seeds_folder_and_says_where_articles_go(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    done = entrypoint(["status", "--json"], data, [BYLINE.parent])
    assert (data / "seeds").is_dir() and list((data / "seeds").iterdir()) == []
    assert f"created the empty articles folder {data / 'seeds'}: mount yours there" in done.stderr
    report = json.loads(done.stdout)  # the real byline ran, in the data directory
    assert done.returncode == 1 and report["database"] == str(data / "byline.db")


def test_mounted_articles_are_left_alone_and_indexed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "seeds").mkdir(parents=True)
    (data / "seeds" / "note.md").write_text(
        "# Tram line opens\n\nThe new tram line opened.\n", encoding="utf-8"
    )
    assert entrypoint(["reindex"], data, [BYLINE.parent]).returncode == 0
    done = entrypoint(["status", "--json"], data, [BYLINE.parent])
    assert done.returncode == 0 and json.loads(done.stdout)["articles"] == 1
    assert "created" not in done.stderr and [p.name for p in (data / "seeds").iterdir()] == ["note.md"]


def test_a_seeds_dir_set_elsewhere_is_the_one_made(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    entrypoint(["--help"], data, [BYLINE.parent], BYLINE_SEEDS_DIR=str(tmp_path / "articles"))
    assert (tmp_path / "articles").is_dir() and not (data / "seeds").exists()


def test_the_dockerfile_runs_as_a_user_with_data_in_a_volume_and_checks_health() -> None:
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^ARG BASE=python:3\.11-slim$", text, flags=re.MULTILINE)
    assert re.search(r"^FROM \$\{BASE\}$", text, flags=re.MULTILINE)
    assert re.search(r"^USER byline$", text, flags=re.MULTILINE)
    assert 'VOLUME ["/data"]' in text and "BYLINE_DATA_DIR=/data" in text
    assert re.search(r'^HEALTHCHECK .* CMD \["byline", "status", "--bot"\]$', text, flags=re.MULTILINE)
    assert 'ENTRYPOINT ["/usr/local/bin/byline-entrypoint"]' in text and 'CMD ["run"]' in text


def test_compose_and_the_docs_give_the_writable_seeds_choice_with_its_chown() -> None:
    compose = (REPO / "compose.yaml").read_text(encoding="utf-8")
    assert re.search(r"^      # - \./seeds:/data/seeds:rw$", compose, flags=re.MULTILINE)
    docs = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", docs, flags=re.DOTALL)
    assert any(re.search(r"^sudo chown -R 10001 \./seeds", block, flags=re.MULTILINE) for block in blocks)
    assert "./seeds:/data/seeds:rw" in docs and "read-only" in docs


def test_compose_keeps_the_data_in_a_volume_and_gives_the_stop_time() -> None:
    text = (REPO / "compose.yaml").read_text(encoding="utf-8")
    assert "byline-data:/data" in text and "./seeds:/data/seeds:ro" in text
    assert "stop_grace_period: 30s" in text and "restart: unless-stopped" in text
