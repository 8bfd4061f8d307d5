"""deploy/byline.service: accepted by systemd itself (``systemd-analyze verify``), hardened, and
saying what an admin relies on. systemd-analyze must be installed (.ci/run installs it): without
it these tests fail, they are never skipped."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "deploy" / "byline.service"
SYSTEM_UNITS = (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system"))


def analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.fail("systemd-analyze is missing: `apt-get install systemd` (as .ci/run does)")
    return found


def directives(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith(("#", "[")) and "=" in line:
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def root_with(tmp_path: Path, unit_text: str, name: str = "byline.service") -> Path:
    """A file-system root holding the unit, systemd's own units and a stand-in for ExecStart
    (verify checks that the program exists; /opt/byline is not installed on a test machine)."""
    root = tmp_path / "root"
    system = next((d for d in SYSTEM_UNITS if (d / "sysinit.target").exists()), None)
    assert system is not None, "systemd's units (sysinit.target) are not installed"
    shutil.copytree(system, root / "usr/lib/systemd/system", symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    (root / "etc/systemd/system" / name).write_text(unit_text, encoding="utf-8")
    program = root / directives(unit_text)["ExecStart"][0].split()[0].lstrip("/")
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n", encoding="utf-8")
    program.chmod(0o755)
    return root


def verify(tmp_path: Path, unit_text: str, name: str = "byline.service") -> subprocess.CompletedProcess[str]:
    root = root_with(tmp_path, unit_text, name)
    return subprocess.run(
        [analyze(), "verify", f"--root={root}", str(root / "etc/systemd/system" / name)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_systemd_analyze_verify_accepts_the_unit_without_a_word(tmp_path: Path) -> None:
    done = verify(tmp_path, UNIT.read_text(encoding="utf-8"))
    assert done.returncode == 0, done.stderr
    assert done.stdout + done.stderr == ""  # not even an "unknown key, ignoring"


def test_verify_would_catch_a_misspelt_directive(tmp_path: Path) -> None:
    """The check above is worth something: systemd reports a key it does not know."""
    broken = UNIT.read_text(encoding="utf-8").replace("TimeoutStopSec=", "TimeoutStopSecs=")
    done = verify(tmp_path, broken)
    assert "Unknown key 'TimeoutStopSecs'" in done.stdout + done.stderr


def test_the_unit_says_what_an_admin_relies_on() -> None:
    unit = directives(UNIT.read_text(encoding="utf-8"))
    data = unit["WorkingDirectory"][0]
    assert unit["Environment"] == [f"BYLINE_DATA_DIR={data}"]
    assert unit["ReadWritePaths"] == [data]  # the one place it may write
    assert unit["EnvironmentFile"] and unit["User"] == ["byline"]
    assert unit["ExecStart"][0].endswith("byline run")
    assert unit["Restart"] == ["on-failure"] and unit["KillSignal"] == ["SIGTERM"]
    assert unit["TimeoutStopSec"] == ["30"]  # longer than the bot's 5 s wait for questions in flight
    for key, value in [
        ("ProtectSystem", "strict"),
        ("NoNewPrivileges", "yes"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("CapabilityBoundingSet", ""),
    ]:
        assert unit[key] == [value], key


def seconds(timespan: str) -> float:
    """A systemd time span ("5", "10min") in seconds, as systemd itself reads it."""
    done = subprocess.run([analyze(), "timespan", timespan], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    found = re.search(r"μs: (\d+)", done.stdout)
    assert found is not None, done.stdout
    return int(found[1]) / 1e6


def test_the_restart_settings_match_the_bots_own_waiting_for_discord() -> None:
    """Outages are waited out inside ``byline run`` (bot/run.py), so systemd only restarts crashes:
    after the bot's first wait, never after a bad token or setting, and a crash loop is judged over
    a window longer than the bot's longest wait."""
    from bot.run import RETRY_FIRST, RETRY_MAX

    unit = directives(UNIT.read_text(encoding="utf-8"))
    assert unit["Restart"] == ["on-failure"] and unit["RestartPreventExitStatus"] == ["2"]
    assert seconds(unit["RestartSec"][0]) == RETRY_FIRST
    window, burst = seconds(unit["StartLimitIntervalSec"][0]), int(unit["StartLimitBurst"][0])
    assert window >= RETRY_MAX and burst * RETRY_FIRST < window


def test_systemd_rates_the_units_exposure_low(tmp_path: Path) -> None:
    root = root_with(tmp_path, UNIT.read_text(encoding="utf-8"))
    done = subprocess.run(
        [
            analyze(),
            "security",
            "--offline=true",
            f"--root={root}",
            str(root / "etc/systemd/system/byline.service"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    level = re.search(r"Overall exposure level for byline\.service: ([0-9.]+)", done.stdout + done.stderr)
    assert level is not None, done.stdout + done.stderr
    assert float(level[1]) <= 2.0  # systemd's scale: 0 (locked down) to 10 (exposed); "OK" below 3
