"""The Discord bot: a ``commands.Bot`` whose cogs answer from the same ``Library`` as the CLI.

Start-up (``setup_hook``, before the gateway connects): add the cogs and the page buttons of
/ask and /sources, open the library, and sync the slash commands (bot/sync.py).
Opening is fast; if the database was never indexed, the first build runs in a background task so
the bot can connect meanwhile, and questions asked before it finishes are told "warming up".

No privileged intents: guilds (for permissions), guild messages (only mentions of the bot carry
their text without the message-content intent, and mentions are all we read) and direct messages
(which always carry their text).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from index import BylineError, Library
from index.feedback import Feedback

from .cogs.admin import Admin
from .cogs.ask import Ask, QuestionCache, ResultsPage
from .cogs.help import Help
from .cogs.manage import Manage
from .cogs.sources import Sources, SourcesPage
from .cooldown import QuestionCooldown
from .errors import WarmingUp, report_error
from .replies import DEFER_AFTER, NO_PINGS
from .settings import Settings, SettingsError
from .sync import CommandSync, state_file
from .votes import VoteButton

log = logging.getLogger("byline.bot")


def intents() -> discord.Intents:
    """What the bot subscribes to: nothing privileged."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    return wanted


class BylineTree(app_commands.CommandTree):
    """The command tree, whose errors all go to the one handler."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await report_error(interaction, error)


class Byline(commands.Bot):
    """The bot. ``settings`` come from the environment or .env (bot/settings.py).

    ``sync_only``: log in, sync the commands and do nothing else (``byline sync``).
    ``question_rate``: questions allowed per user per window, shared by /ask, DMs and mentions.
    ``defer_after``: see bot/replies.py; tests shorten it.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        sync_only: bool = False,
        question_rate: tuple[int, float] | None = None,
        defer_after: float = DEFER_AFTER,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,  # required by commands.Bot; there are no text commands
            help_command=None,
            intents=intents(),
            allowed_mentions=NO_PINGS,
            tree_cls=BylineTree,
            allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True),
            allowed_installs=app_commands.AppInstallationType(guild=True),
            **options,
        )
        self.settings = settings
        self.sync_only = sync_only
        self.defer_after = defer_after
        self.cooldown = QuestionCooldown(*(question_rate or ()))
        self.questions = QuestionCache()
        self.library: Library | None = None
        self.feedback: Feedback | None = None
        self.warmup: asyncio.Task[None] | None = None
        self.command_sync = CommandSync(self.tree, state_file(settings.database), settings.guild_id)
        self.synced: list[app_commands.AppCommand] | None = None

    async def setup_hook(self) -> None:
        for cog in (Ask(self), Sources(self), Admin(self), Manage(self), Help(self)):
            await self.add_cog(cog)
        self.add_dynamic_items(ResultsPage, SourcesPage, VoteButton)
        if self.sync_only:
            self.synced = await self.command_sync.sync(force=True)
            return
        self.library = await Library.open(database=self.settings.database, seeds_dir=self.settings.seeds_dir)
        self.feedback = await Feedback.open(self.settings.database)
        if not await self.library.is_indexed():
            self.warmup = asyncio.create_task(self._build_index(), name="byline-first-index")
        try:
            self.synced = await self.command_sync.sync()
        except discord.HTTPException:
            log.exception("could not sync the slash commands; Discord keeps the ones it has")

    async def _build_index(self) -> None:
        assert self.library is not None
        log.info("the index was never built: reading %s", self.settings.seeds_dir)
        try:
            report = await self.library.ensure_indexed()
        except BylineError as error:
            log.error("could not build the index: %s", error.message)
            return
        except Exception:
            log.exception("could not build the index")
            return
        if report is not None:
            log.info(
                "index built: %d articles, %d passages in %.2f s",
                report.articles,
                report.passages,
                report.seconds,
            )
            for skipped in report.skipped:
                log.warning("skipped %s: %s", skipped.source, skipped.reason)

    @property
    def warming_up(self) -> bool:
        """True while the first build of the index runs."""
        return self.warmup is not None and not self.warmup.done()

    async def wait_until_indexed(self) -> None:
        """Until the first build (if one was needed) has finished."""
        if self.warmup is not None:
            await asyncio.shield(self.warmup)

    def ensure_ready(self) -> None:
        """Raise ``WarmingUp`` while the index is being built for the first time."""
        if self.library is None or self.warming_up:
            raise WarmingUp()

    def check_question(self, user: discord.abc.Snowflake) -> None:
        """Before answering anyone: the index must be ready, and the user within the cooldown."""
        self.ensure_ready()
        self.cooldown.check(user)

    async def on_message(self, message: discord.Message) -> None:
        """No text commands: questions in messages are the Ask cog's listener's business."""

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("ready as %s (id %s) in %d guilds", self.user, self.user.id, len(self.guilds))

    async def close(self) -> None:
        if self.warmup is not None and not self.warmup.done():
            self.warmup.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.warmup
        await super().close()
        if self.feedback is not None:
            feedback, self.feedback = self.feedback, None
            await feedback.close()
        if self.library is not None:
            library, self.library = self.library, None
            await library.close()


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


@contextlib.asynccontextmanager
async def _discord_errors():
    """Discord's start-up failures as one-line errors for the CLI."""
    try:
        yield
    except discord.LoginFailure:
        raise TokenRefused() from None
    except discord.HTTPException as error:  # e.g. a sync refused: 403 without applications.commands
        raise BylineError(f"Discord refused the request: {error.status} {error.text or error}") from None
    except (aiohttp.ClientConnectionError, TimeoutError) as error:
        raise BylineError(f"Cannot reach Discord: {error or type(error).__name__}") from None


async def run_bot(settings: Settings, **options: Any) -> None:
    """``byline run``: start the bot and keep it running (reconnecting as needed)."""
    token = require_token(settings)
    async with _discord_errors(), Byline(settings, **options) as bot:
        await bot.start(token)


async def sync_commands(settings: Settings, **options: Any) -> list[app_commands.AppCommand]:
    """``byline sync``: log in over HTTP only (no gateway), sync the commands, and return them."""
    token = require_token(settings)
    async with _discord_errors(), Byline(settings, sync_only=True, **options) as bot:
        await bot.login(token)
        return bot.synced or []
