"""A re-index in a process of its own: this module run as ``__main__`` by a new interpreter,
started by ``run`` below at a lower priority.

A fresh interpreter, not multiprocessing (index/ingest/interpreter.py says why).

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
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING

from index import errors
from index.errors import BylineError
from index.ingest import interpreter
from index.models import SkippedFile

if TYPE_CHECKING:
    from index.ingest import reindex as indexer

log = logging.getLogger(__name__)
NICENESS = 5


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
    done = subprocess.run(
        interpreter.command("index.ingest.process", NICENESS),
        input=json.dumps(request),
        capture_output=True,
        text=True,
        env=interpreter.environment(),
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


def main() -> None:
    interpreter.end_with_parent()
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
