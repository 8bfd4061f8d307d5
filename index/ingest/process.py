"""A re-index in a process of its own: this module run as ``__main__`` by a new interpreter,
started by ``run`` below at a lower priority.

A fresh interpreter runs this module, not the caller's program: multiprocessing's spawn and
forkserver start methods run the caller's main module again in the new process (as
``__mp_main__``), so a plain script without ``if __name__ == "__main__":`` that calls
``Library.reindex()`` would print twice and start a re-index inside the re-index. Forking
instead would copy a process that runs threads (an event loop, aiosqlite's), which is unsafe.

The request goes in on stdin as one JSON object; the outcome (or the error, by class and
message) comes back on stdout as one JSON object. The process ends when the one that started it
ends, killed or not, so it never commits for a program that is gone.
"""

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING

from index import errors
from index.errors import BylineError
from index.models import SkippedFile

if TYPE_CHECKING:
    from index.ingest import reindex as indexer

log = logging.getLogger(__name__)
_BOOT = "import os, runpy; os.nice(5); runpy.run_module('index.ingest.process', run_name='__main__')"
PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent)


def run(
    database: str | Path, seeds_dir: Path, workers: int | None = None, embed: bool = False
) -> "indexer.Outcome":
    """``indexer.reindex`` in a new interpreter; its errors are raised here, as they were there."""
    from index.ingest.reindex import Outcome
    from index.store.segments import Manifest

    request = {
        "database": os.path.abspath(database),
        "seeds_dir": os.path.abspath(seeds_dir),
        "workers": workers,
        "embed": embed,
    }
    env = dict(os.environ)
    # The same Byline as this process's, whatever the caller did to sys.path.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [PACKAGE_PARENT, env.get("PYTHONPATH")]))
    done = subprocess.run(
        # -P: the current folder is not put on sys.path (a folder named "index" there would be
        # imported instead of this package). The priority is lowered before anything is imported:
        # starting an interpreter and importing numpy is work the bot's event loop should not wait
        # behind on a busy machine.
        [sys.executable, "-P", "-c", _BOOT],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        raise BylineError(
            f"The re-index process was killed ({name}; out of memory?); the previous index is unchanged."
        )
    try:
        reply = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        log.error("the re-index process failed:\n%s", done.stderr.strip())
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BylineError(
            f"The re-index process failed (exit {done.returncode}: {last}); the previous index is unchanged."
        ) from None
    if "error" in reply:
        kind = getattr(errors, reply["error"]["type"], BylineError)
        raise kind(reply["error"]["message"])
    outcome = reply["outcome"]
    outcome["skipped"] = [SkippedFile(**s) for s in outcome["skipped"]]
    if outcome["manifest"] is not None:
        outcome["manifest"] = Manifest.from_json(outcome["manifest"])
    return Outcome(**outcome)


def reindex_in_process(
    database: str | Path, seeds_dir: Path, workers: int | None = None, embed: bool = False
) -> "indexer.Outcome":
    """``reindex`` in a process of its own, for a large archive (this module).

    Run in a thread, a re-index of a million passages holds the calling process's GIL for tens of
    milliseconds at a time (Python between SQLite calls, numpy, the cyclic collector walking its
    batches), and more when the machine is busy and the thread holding it is descheduled: the
    event loop of a bot answering meanwhile would stall. In a process of its own it shares no
    GIL, runs at a lower priority, and gives its memory back to the system when it ends.
    """
    if not sys.executable:  # an embedded interpreter: no Python to start
        from index.ingest.reindex import reindex
        from index.text.analysis import RememberingAnalyzer

        return reindex(database, seeds_dir, RememberingAnalyzer(), None, workers, embed)
    return run(database, seeds_dir, workers, embed)


def end_with_parent() -> None:
    """Exit as soon as the process that started this one is gone (this one is then adopted)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def main() -> None:
    end_with_parent()
    request = json.loads(sys.stdin.read())
    from index.ingest.reindex import reindex
    from index.text.analysis import RememberingAnalyzer

    try:
        outcome = reindex(request["database"], Path(request["seeds_dir"]), RememberingAnalyzer(), None,
                          request["workers"], request.get("embed", False))  # fmt: skip
    except BylineError as error:
        reply: dict[str, object] = {"error": {"type": type(error).__name__, "message": error.message}}
    else:
        manifest = outcome.manifest.to_json() if outcome.manifest is not None else None
        reply = {"outcome": {**asdict(replace(outcome, manifest=None)), "manifest": manifest}}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
