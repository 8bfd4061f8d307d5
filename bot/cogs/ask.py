"""Asking: /ask, questions by direct message or by mention, and the buttons that page an answer."""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from index import MAX_QUESTION_CHARS, MAX_TOP_K

from .. import render, render_answers
from ..channels import posting_in
from ..errors import MissingEmbedLinks, QuestionExpired, report_error
from ..paging import BACK, OwnedPage, QuestionCache, Turn, view_of
from ..protocols import BylineBot, bot_of
from ..replies import NO_PINGS, Reply, deliver, within_deadline
from ..settings import MAX_RESULTS
from ..votes import vote_buttons

log = logging.getLogger("byline.ask")

CUSTOM_ID_MAX = 100
PAGE_PREFIX = "byline:page"
MORE = Turn("More results", discord.ButtonStyle.primary)


class ResultsPage(
    OwnedPage,
    discord.ui.DynamicItem[discord.ui.Button],
    template=re.compile(
        PAGE_PREFIX
        + r":(?P<asker>[0-9]{1,20}):(?P<size>[0-9]{1,2}):(?P<page>[0-9]{1,2}):(?P<question>[=#].+)",
        re.DOTALL,
    ),
):
    """A "More results" or "Previous" button under an answer.

    Everything the button needs is in its custom_id, so it keeps working after the bot restarts:
    ``byline:page:<asker id>:<results per page>:<page to show>:<question>``. The question travels
    in one of two ways:

    - ``=<the question>`` when it fits in the 100 characters of a custom_id (most questions do:
      about 60 characters are left for it); it survives restarts;
    - ``#<key>`` otherwise: the question waits in the bot's bounded ``QuestionCache`` under a
      12-character key. After a restart, or once 2048 newer long questions pushed it out, the
      button answers "ask it again" instead.

    Only the person who asked may turn the pages: anyone else is told so, privately.
    """

    notice = "Only the person who asked can page through these results. Ask your own question with /ask."

    def __init__(
        self, asker_id: int, size: int, page: int, question: str, *, label: str, style: discord.ButtonStyle
    ) -> None:
        self.owner_id = asker_id
        self.size = size
        self.page = page
        self.question = question
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"{PAGE_PREFIX}:{asker_id}:{size}:{page}:{question}"
            )
        )

    @classmethod
    def build(
        cls, cache: QuestionCache, asker_id: int, size: int, page: int, question: str, *, turn: Turn
    ) -> ResultsPage:
        prefix = f"{PAGE_PREFIX}:{asker_id}:{size}:{page}:"
        inline = "=" + question
        fits = render.discord_len(prefix + inline) <= CUSTOM_ID_MAX
        token = inline if fits else "#" + cache.remember(question)
        return cls(asker_id, size, page, token, label=turn.label, style=turn.style)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ResultsPage:
        asker, size, page = int(match["asker"]), int(match["size"]), int(match["page"])
        turn = Turn.shown_by(item)
        return cls(asker, size, page, match["question"], label=turn.label, style=turn.style)

    def recall(self, cache: QuestionCache) -> str | None:
        kind, value = self.question[0], self.question[1:]
        return value if kind == "=" else cache.recall(value)

    async def turn(self, interaction: discord.Interaction) -> None:
        bot = bot_of(interaction)
        question = self.recall(bot.questions)
        if question is None:
            raise QuestionExpired()
        bot.ensure_ready()
        reply = await within_deadline(
            interaction,
            answer_page(
                bot,
                question,
                asker_id=self.owner_id,
                size=self.size,
                page=self.page,
                guild_id=interaction.guild_id,
            ),
            defer_after=bot.defer_after,
        )
        await deliver(interaction, reply)


async def answer_page(
    bot: BylineBot, question: str, *, asker_id: int, size: int, page: int, guild_id: int | None
) -> Reply:
    """Page ``page`` (from 0) of the answer to ``question``, ``size`` passages a page, with its buttons.

    One more hit than the page needs is asked for, to know whether a "More results" button is
    worth showing; the library answers at most MAX_TOP_K hits, so the last page ends there.
    Every answer (each page, and "nothing found") gets 👍/👎 buttons of its own (bot/votes.py).
    """
    first = page * size
    answer = await bot.opened_library().ask(question, top_k=min(first + size + 1, MAX_TOP_K))
    shown = answer.hits[first : first + size]
    more = len(answer.hits) > first + size
    if not answer.confident:  # the closest passages, on one page: render_answers.UNSURE_MAX at most
        shown, more = (answer.hits[: render_answers.UNSURE_MAX] if page == 0 else []), False
    if not shown and page:
        return Reply(render_answers.no_more_embed(answer.question))
    votes = vote_buttons(bot, answer, shown, guild_id=guild_id, asker_id=asker_id)
    if not shown:
        return Reply(render_answers.nothing_found_embed(answer.question), view_of(*votes))

    def button(to: int, turn: Turn) -> ResultsPage:
        return ResultsPage.build(bot.questions, asker_id, size, to, answer.question, turn=turn)

    view = view_of(button(page - 1, BACK) if page else None, button(page + 1, MORE) if more else None, *votes)
    return Reply(
        render_answers.answer_embed(answer.question, shown, more=more, confident=answer.confident), view
    )


def _question_check(interaction: discord.Interaction) -> bool:
    """Before /ask: the index must be ready, and the asker within the shared cooldown."""
    bot = bot_of(interaction)
    bot.check_question(interaction.user)
    return True


class Ask(commands.Cog):
    """/ask, and any direct message or mention of the bot, answered the same way."""

    def __init__(self, bot: BylineBot) -> None:
        self.bot = bot

    @app_commands.command()
    @app_commands.describe(
        question="What you want to know, e.g. what is Poland's defence spending?",
        results=f"How many passages to show (1-{MAX_RESULTS}); more are a button away",
    )
    @app_commands.check(_question_check)
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, MAX_QUESTION_CHARS],
        results: app_commands.Range[int, 1, MAX_RESULTS] | None = None,
    ) -> None:
        """Answer a question from the articles, with the source of every passage."""
        size = results or self.bot.settings.top_k
        reply = await within_deadline(
            interaction,
            answer_page(
                self.bot,
                question,
                asker_id=interaction.user.id,
                size=size,
                page=0,
                guild_id=interaction.guild_id,
            ),
            defer_after=self.bot.defer_after,
        )
        await deliver(interaction, reply)

    def question_in(self, message: discord.Message) -> str | None:
        """The question a message asks the bot, or None if it is not addressed to the bot.

        In a DM every message is a question. In a guild channel only a message that mentions the
        bot is (without the message-content intent, Discord only gives us the text of those); the
        mention itself is not part of the question.
        """
        me = self.bot.user
        if me is None:
            return None
        if message.guild is None:
            return message.content
        if not any(user.id == me.id for user in message.mentions):
            return None
        return re.sub(rf"<@!?{me.id}>", " ", message.content)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot:  # other bots, and our own replies
            return
        question = self.question_in(message)
        if question is None:
            return
        where = posting_in(message)
        if not where.send:
            log.info("asked in channel %s where I may not post", message.channel.id)
            return
        try:
            self.bot.ensure_ready()
            if not where.embeds:  # refused before counting: a question that cannot be shown is not one
                if self.bot.cooldown.first_notice(message.author, "embed links", self.bot.cooldown.per):
                    raise MissingEmbedLinks()
                return
            self.bot.cooldown.check(message.author)
            async with message.channel.typing():
                reply = await answer_page(
                    self.bot,
                    question,
                    asker_id=message.author.id,
                    size=self.bot.settings.top_k,
                    page=0,
                    guild_id=message.guild.id if message.guild else None,
                )
            await message.channel.send(
                embed=reply.discord_embed,
                view=reply.view or discord.utils.MISSING,
                reference=message if where.reply else None,  # type: ignore[arg-type]  # None: no reply
                allowed_mentions=NO_PINGS,
            )
        except app_commands.CommandOnCooldown as error:
            if self.bot.cooldown.first_notice(message.author, "cooldown", error.retry_after):
                await report_error(message, error, as_reply=where.reply)
        except discord.Forbidden as error:  # where we could not tell our permissions beforehand
            log.info("may not answer in channel %s: %s", message.channel.id, error.text)
        except Exception as error:
            await report_error(message, error, as_reply=where.reply)
