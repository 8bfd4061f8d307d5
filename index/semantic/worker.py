"""The program of the background process (index/semantic/background.py starts it): the vectors
of every passage without one, a batch per SQLite transaction, each committed batch written to
stdout as background.py reads it (a line with the count, then the ids as int64 and the vectors
as float32). Run as ``python -m index.semantic.worker DATABASE``; it ends when nothing is
missing, when it is terminated, or when the process that started it is gone.
"""

import sys

import numpy as np

from index.ingest.interpreter import end_with_parent
from index.semantic.background import PARALLEL
from index.semantic.layer import SemanticLayer
from index.semantic.model import load


def main(database: str) -> None:
    out = sys.stdout.buffer

    def send(ids: np.ndarray, made: np.ndarray) -> None:
        out.write(b"%d\n" % len(ids))
        out.write(np.asarray(ids, dtype=np.int64).tobytes())
        out.write(np.asarray(made, dtype=np.float32).tobytes())
        out.flush()

    layer = SemanticLayer(database, loader=lambda: load(parallel=PARALLEL))
    layer.embed_missing(made=send)


if __name__ == "__main__":
    end_with_parent()
    main(sys.argv[1])
