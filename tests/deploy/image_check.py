"""By hand, not part of the test run (it needs podman and a built image): the image against the
loopback Discord double. `python -m tests.deploy.image_check [IMAGE]` from the repository.

The image's own Python runs `byline run` with discord.py's two URLs pointed at the double (as
tests/e2e/test_bot_run.py does; the image has no other way to reach it), with a data volume and
seeds/ mounted read-only. Checked: a question is answered, podman's HEALTHCHECK (`byline status
--bot`) passes while the bot is connected, `podman stop` ends it with exit code 0 and the gateway
closed with 1000. docs/deploy.md records a run.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.e2e.double import WORLD
from tests.e2e.support import POLAND
from tests.e2e.test_bot_run import RUN

REPO = Path(__file__).resolve().parents[2]
PODMAN = ["podman", "--runtime", "runc"]
LIMITS = ["--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"]  # what this machine allows
NAME = "byline-image-check"


def podman(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*PODMAN, *args], capture_output=True, text=True, timeout=120)
    print(f"$ podman {' '.join(args[:4])} ... -> exit {done.returncode}")
    return done


def fresh_volume() -> Path:
    volume = Path(tempfile.mkdtemp(prefix="byline-data-"))
    volume.chmod(0o777)  # the image's user (uid 10001) writes there
    return volume


async def check(image: str, volume: Path) -> None:
    double = WORLD.build()
    async with double:
        podman("rm", "-f", NAME)
        started = podman(
            "run", "-d", *LIMITS, "--name", NAME, "--network=host", "-v", f"{volume}:/data",
            "-v", f"{REPO / 'seeds'}:/data/seeds:ro", "-e", f"BYLINE_DISCORD_TOKEN={double.token}",
            "--entrypoint", "/opt/byline/bin/python", image, "-c", RUN, double.rest_base, double.gateway_url,
        )  # fmt: skip
        assert started.returncode == 0, started.stderr
        try:
            await double.wait_until_identified(timeout=60)
            for _ in range(100):
                inter = await double.slash_command("ask", {"question": POLAND}, user=WORLD.member_id)
                reply = await double.wait_for_response(inter, timeout=10)
                if reply.embeds:
                    break
                await asyncio.sleep(0.2)
            print("answer:", reply.embeds[0]["title"])
            health = await asyncio.to_thread(podman, "healthcheck", "run", NAME)
            assert health.returncode == 0, health.stdout + health.stderr
            status = await asyncio.to_thread(podman, "exec", NAME, "byline", "status", "--bot", "--json")
            print("byline status --bot --json: bot =", json.loads(status.stdout)["bot"])
            await asyncio.to_thread(podman, "stop", "-t", "30", NAME)
            code = await asyncio.to_thread(podman, "inspect", NAME, "--format", "{{.State.ExitCode}}")
            closes = [c.client_close_code for c in double.gateway.connections]
            print("exit code:", code.stdout.strip(), "gateway close codes:", closes)
            assert code.stdout.strip() == "0" and closes == [1000]
        finally:
            podman("rm", "-f", NAME)
    print("image check passed")


if __name__ == "__main__":
    asyncio.run(check(sys.argv[1] if len(sys.argv) > 1 else "localhost/byline:test", fresh_volume()))
