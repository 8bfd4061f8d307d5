"""`python -m bot`: the same as `byline run`."""

import sys

from .cli import main

sys.exit(main(["run", *sys.argv[1:]]))
