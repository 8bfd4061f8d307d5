"""The program of the process that makes the nearest-vector files (nearest_build.py starts it):
``build`` on the arguments it was given, then "written" or "nothing" on stdout. It ends when
the process that started it is gone.
"""

import sys
from pathlib import Path

from index.ingest.interpreter import end_with_parent
from index.semantic.nearest_build import build, connect


def main(database: str, folder: str, dimensions: str, model: str, base_tag: str) -> None:
    db = connect(database)
    try:
        written = build(Path(folder), int(dimensions), model, base_tag, db)
    finally:
        db.close()
    print("written" if written else "nothing")


if __name__ == "__main__":
    end_with_parent()
    main(*sys.argv[1:6])
