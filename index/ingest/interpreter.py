"""Byline's own programs in a fresh interpreter: the re-index (process.py), checking a file
someone sent (apart.py), the background vectors and the nearest-vector files (index/semantic/).

A fresh interpreter runs the module asked for, not the caller's program: multiprocessing's spawn
and forkserver start methods run the caller's main module again in the new process (as
``__mp_main__``), so a plain script without ``if __name__ == "__main__":`` that calls
``Library.reindex()`` would print twice and start a re-index inside the re-index. Forking instead
would copy a process that runs threads (an event loop, aiosqlite's), which is unsafe.
"""

import os
import sys
import threading
import time
from pathlib import Path

# The folder that holds the ``index`` package: the new interpreter imports this Byline, whatever
# the caller did to sys.path.
PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])


def command(module: str, niceness: int, *arguments: str) -> list[str]:
    """The command that runs ``module`` as ``__main__`` at ``niceness`` more than the caller's.

    The priority is lowered before anything is imported: starting an interpreter and importing
    numpy or onnxruntime is work a bot's event loop should not wait behind. -P: the current
    folder is not put on sys.path (a folder named "index" there would be imported instead)."""
    boot = f"import os, runpy; os.nice({niceness}); runpy.run_module({module!r}, run_name='__main__')"
    return [sys.executable, "-P", "-c", boot, *arguments]


def environment() -> dict[str, str]:
    """This process's environment, with PACKAGE_PARENT first on PYTHONPATH."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [PACKAGE_PARENT, env.get("PYTHONPATH")]))
    return env


def end_with_parent() -> None:
    """Exit as soon as the process that started this one is gone (this one is then adopted), so
    it never commits or writes for a program that is gone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
