"""Discord's start-up failures as one-line errors for the CLI: a bad token or setting is a
``SettingsError`` (exit code 2: restarting would not help), anything else a ``BylineError``."""

from __future__ import annotations

import contextlib

import aiohttp
import discord

from index import BylineError

from .settings import Settings, SettingsError


def require_token(settings: Settings) -> str:
    """The bot token, or SettingsError naming BYLINE_DISCORD_TOKEN and .env.example."""
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise SettingsError(
            "BYLINE_DISCORD_TOKEN is not set: put the bot's token in .env (see .env.example) "
            "or in the environment."
        )
    return token


class TokenRefused(SettingsError):
    def __init__(self) -> None:
        super().__init__(
            "BYLINE_DISCORD_TOKEN: Discord refused this token; reset it in the Developer Portal "
            "(your application > Bot) and update .env."
        )


# Gateway close codes that say a setting is wrong (another try would fail the same way), and which.
SETTING_CLOSE_CODES = {
    4004: "BYLINE_DISCORD_TOKEN: Discord refused this token",
    4010: "BYLINE_SHARD_IDS: Discord refused a shard id (each must be below BYLINE_SHARD_COUNT)",
    4011: "BYLINE_SHARD_COUNT: Discord requires more shards for this many servers",
    4012: "the gateway version is not one Discord serves (upgrade discord.py)",
    4013: "the bot asked for intents Discord does not know (upgrade Byline)",
    4014: "the bot asked for privileged intents it is not allowed",
}


@contextlib.asynccontextmanager
async def discord_errors():
    """Discord's start-up failures as one-line errors for the CLI."""
    try:
        yield
    except discord.LoginFailure:
        raise TokenRefused() from None
    except discord.PrivilegedIntentsRequired:
        raise SettingsError(SETTING_CLOSE_CODES[4014]) from None
    except discord.ConnectionClosed as error:
        if error.code == 4004:
            raise TokenRefused() from None
        if error.code in SETTING_CLOSE_CODES:
            message = SETTING_CLOSE_CODES[error.code]
            raise SettingsError(f"{message} (gateway close code {error.code})") from None
        raise BylineError(f"Discord closed the connection: {error.code} {error.reason}") from None
    except discord.HTTPException as error:  # e.g. a sync refused: 403 without applications.commands
        raise BylineError(f"Discord refused the request: {error.status} {error.text or error}") from None
    except (aiohttp.ClientConnectionError, TimeoutError) as error:
        raise BylineError(f"Cannot reach Discord: {error or type(error).__name__}") from None
