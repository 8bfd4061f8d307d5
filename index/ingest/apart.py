"""Checking a file someone sent (``/add``) in a fresh interpreter: this module run as
``__main__`` by ``check`` below, at a lower priority.

Reading a file is linear in its length, but one pattern's pass over a long line is one call that
holds the GIL throughout, and the program that received the file is a bot whose event loop must
answer everyone within 3 s. A fresh interpreter, not multiprocessing: its spawn and forkserver
methods run the caller's main module again in the new process (see ``index.ingest.process``).

The file name is the one argument, the bytes come in on stdin; the articles (or the refusal)
come back on stdout as one JSON object.
"""

import json
import signal
import subprocess
import sys
from dataclasses import asdict

from index.errors import BylineError
from index.ingest import interpreter
from index.ingest.additions import AdditionError, check_article
from index.models import ParsedArticle

NICENESS = 5


def check(filename: str, data: bytes) -> list[ParsedArticle]:
    """``additions.check_article(filename, data)`` in a fresh interpreter; its refusal is raised
    here as the same AdditionError. Blocking: call it from a worker thread in async code."""
    done = subprocess.run(
        interpreter.command("index.ingest.apart", NICENESS, filename),
        input=data, capture_output=True, env=interpreter.environment(), check=False,
    )  # fmt: skip
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        raise AdditionError(f"Checking that file was stopped ({name}); nothing was saved.")
    try:
        reply = json.loads(done.stdout.decode().strip().splitlines()[-1])
    except (IndexError, ValueError, UnicodeDecodeError):
        last = (done.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
        raise BylineError(
            f"Checking that file failed (exit {done.returncode}: {last}); nothing was saved."
        ) from None
    if "refused" in reply:
        raise AdditionError(reply["refused"])
    return [ParsedArticle(**article) for article in reply["articles"]]


def main() -> None:
    try:
        articles = check_article(sys.argv[1], sys.stdin.buffer.read())
    except AdditionError as error:
        reply: dict[str, object] = {"refused": error.message}
    else:
        reply = {"articles": [asdict(article) for article in articles]}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
