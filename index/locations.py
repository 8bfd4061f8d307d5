"""Where Byline's files are: the one rule for a database's path, and the checks that a database
path names a file and a seeds folder is a folder. Light on imports: settings read it at start."""

import os
import stat
from pathlib import Path

from index.errors import BylineError, StorageError


def check_seeds_folder(seeds_dir: Path) -> None:
    """BylineError unless ``seeds_dir`` is a folder."""
    if not seeds_dir.exists():
        problem = "does not exist"
    elif not seeds_dir.is_dir():
        problem = "is not a folder"
    else:
        return
    raise BylineError(
        f"The seeds folder {seeds_dir} {problem}; set BYLINE_SEEDS_DIR to your articles folder."
    )


def database_path(database: str | Path) -> Path:
    """The database file ``database`` names, absolute, with every link resolved.

    The one rule by which the bot, the command line and any program find a database: its index
    folder and status file sit beside the file itself, so a re-index through a link
    (``byline reindex --database link.db``) writes where a bot opened on the file reads."""
    return Path(os.path.realpath(database))


def check_database_path(database: str | Path) -> None:
    """StorageError when ``database`` names something other than a file (``/dev/null``, a
    folder): SQLite would open it and leave its journal beside it."""
    try:
        status = os.stat(database)
    except FileNotFoundError:
        return
    except OSError as error:
        raise StorageError(f"Cannot open the database {database}: {error.strerror or error}") from None
    if not stat.S_ISREG(status.st_mode):
        raise StorageError(
            f"The database {database} is not a regular file; set BYLINE_DATABASE to a file path."
        )
