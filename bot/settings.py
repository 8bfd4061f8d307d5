"""Byline's settings: environment variables with the BYLINE_ prefix, or a .env file."""

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from index import BylineError


class SettingsError(BylineError):
    """A setting is missing or malformed; the message names it."""


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
    top_k: int = Field(default=5, ge=1, le=10)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # Store the text of questions (and a salted hash of who asked) for `byline report` and /stats.
    keep_questions: bool = False

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


_NAMES = {"discord_token": "BYLINE_DISCORD_TOKEN"}


def load_settings(**overrides: object) -> Settings:
    """The settings, or SettingsError naming the first bad one in one line."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "setting"
        name = _NAMES.get(field, f"BYLINE_{field.upper()}")
        raise SettingsError(f"{name}: {first['msg']} (see .env.example)") from None
    except ValueError as error:  # a JSON list that does not parse
        raise SettingsError(f"Malformed setting: {error} (see .env.example)") from None
