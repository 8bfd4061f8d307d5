"""Byline's settings: environment variables with the BYLINE_ prefix, or a .env file.

One data directory (``BYLINE_DATA_DIR``, default: the current directory) holds the database, its
index and the seeds folder unless they are set on their own; every relative path in a setting is
relative to it, so the bot finds the same files whatever directory it was started from. The
``.env`` file read is the data directory's: ``$BYLINE_DATA_DIR/.env`` when the variable is in the
environment, else ``./.env``. The environment wins over ``.env``; the command line over both.
"""

import json
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from index import BylineError, database_path

from .defaults import DEFAULT_TOP_K, MAX_RESULTS
from .defaults import REPORT_DAYS as REPORT_DAYS  # where the cogs read it


class SettingsError(BylineError):
    """A setting is missing or malformed; the message names it."""


_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)")


def parse_duration(text: str) -> float:
    """Seconds in "90", "90s", "30m", "2h" or "1d"; ValueError otherwise."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise ValueError(f"{text!r} is not a duration such as 90, 90s, 30m, 2h or 1d")
    return float(match[1]) * _UNITS[match[2]]


# BYLINE_REINDEX_EVERY's floor: a re-index compares the whole folder; more often is a busy loop.
REINDEX_EVERY_MIN = 10.0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BYLINE_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    discord_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("BYLINE_DISCORD_TOKEN", "DISCORD_TOKEN")
    )
    database: Path = Path("byline.db")
    seeds_dir: Path = Path("seeds")
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    guild_id: int | None = None
    top_k: int = Field(default=DEFAULT_TOP_K, ge=1, le=MAX_RESULTS)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # Store the text of questions (and a salted hash of who asked) for `byline report` and /stats.
    keep_questions: bool = False
    # Find passages by meaning too, with the sentence model shipped with Byline; 0 for BM25 alone.
    semantic: bool = True

    # Running it for real (deploy/, docs/deploy.md).
    data_dir: Path = Path(".")
    guild_admins_may_reindex: bool = False
    watch: bool = False
    reindex_every: Annotated[float | None, NoDecode] = Field(default=None, ge=REINDEX_EVERY_MIN)
    log_format: Literal["text", "json"] = "text"
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"

    # Sharding (past 2,500 servers Discord requires it): how many shards in all, and which of them
    # this process runs. Unset: Discord's recommended count, all in this process.
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: Annotated[tuple[int, ...] | None, NoDecode] = None

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _parse_shard_ids(cls, value: object) -> object:
        """Accept "0, 1" as well as the JSON list "[0, 1]"; each id at most once."""
        if isinstance(value, str):
            text = value.strip()
            parts = [part.strip() for part in text.split(",")]
            value = json.loads(text) if text.startswith("[") else [part for part in parts if part]
        if isinstance(value, list | tuple) and len(set(map(str, value))) != len(value):
            raise ValueError("a shard id is listed twice")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> object:
        """Accept "1, 2" as well as the JSON list "[1, 2]"."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("reindex_every", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        return parse_duration(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _shards(self) -> "Settings":
        """Shard ids need the count they split, and must be below it (Discord closes with 4010)."""
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("BYLINE_SHARD_IDS needs BYLINE_SHARD_COUNT (the number of shards in all)")
            if not self.shard_ids or not all(0 <= n < self.shard_count for n in self.shard_ids):
                raise ValueError(
                    f"BYLINE_SHARD_IDS must be ids from 0 to {self.shard_count - 1} (BYLINE_SHARD_COUNT - 1)"
                )
        return self

    @property
    def writes_index(self) -> bool:
        """Whether this process builds and re-indexes by itself: unless shards are split across
        processes, in which case only the one holding shard 0 does (they share one index)."""
        return self.shard_ids is None or 0 in self.shard_ids

    @model_validator(mode="after")
    def _in_data_dir(self) -> "Settings":
        """Absolute paths: the data directory from the current one, the rest from the data directory;
        the database's with its links resolved (``index.locations.database_path``)."""
        self.data_dir = Path(os.path.abspath(self.data_dir))
        self.database = database_path(self.data_dir / self.database)  # an absolute path stays as it is
        self.seeds_dir = self.data_dir / self.seeds_dir
        return self


def dotenv_path() -> Path:
    """The .env file settings are read from: the data directory's, as the environment names it."""
    return Path(os.environ.get("BYLINE_DATA_DIR") or ".") / ".env"


_NAMES = {"discord_token": "BYLINE_DISCORD_TOKEN"}


def load_settings(**overrides: Any) -> Settings:
    """The settings, or SettingsError naming the first bad one in one line."""
    try:
        return Settings(
            _env_file=dotenv_path(),  # type: ignore[call-arg]  # pydantic-settings' keyword, not a field
            **{k: v for k, v in overrides.items() if v is not None},
        )
    except ValidationError as error:
        first = error.errors()[0]
        if not first["loc"]:  # a rule across settings: its message names them
            message = str(first["msg"]).removeprefix("Value error, ")
            raise SettingsError(f"{message} (see .env.example)") from None
        field = str(first["loc"][0])
        name = _NAMES.get(field, f"BYLINE_{field.upper()}")
        raise SettingsError(f"{name}: {first['msg']} (see .env.example)") from None
    except ValueError as error:  # a JSON list that does not parse
        raise SettingsError(f"Malformed setting: {error} (see .env.example)") from None
