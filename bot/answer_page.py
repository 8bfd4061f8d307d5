"""An answer as a Discord reply with its buttons: which passages a page shows, and the buttons
under it ("More results", "Previous", "Whole passages" / "Show closest passages", "Read on …",
"Helpful?"). The embeds are made in bot/render_reply.py; the votes in bot/votes.py.

The page buttons are ``DynamicItem``s: everything they need is in their custom_id, so they keep
working after a restart. Anyone who sees an answer may press them, and what they show goes to the
presser alone: a page turned from a message the channel shares arrives as a private message of the
presser's (the shared one stays as it was); a page turned from a private message, or in a DM,
replaces it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import discord

from index import MAX_TOP_K, SMALLTALK, Answer, Hit, article_holdings

from . import render, render_reply, render_sources
from .errors import QuestionExpired, report_error
from .paging import BACK, QuestionCache, Turn, view_of
from .protocols import BylineBot, bot_of
from .replies import Reply, deliver, within_deadline
from .votes import record, vote_buttons

CUSTOM_ID_MAX = 100
PAGE_PREFIX = "byline:page"
PASSAGES_PREFIX = "byline:full"
MORE = Turn("More results", discord.ButtonStyle.primary)
WHOLE = Turn("Whole passages", discord.ButtonStyle.secondary)
CLOSEST = Turn("Show closest passages", discord.ButtonStyle.secondary)
THANKS = re.compile(r"\b(thanks?|thank you|thx|ty|cheers|merci|danke|gracias)\b", re.IGNORECASE)
_QUESTION = r"(?P<question>[=#].+)"


def question_token(cache: QuestionCache, prefix: str, question: str) -> str:
    """How a button carries the question: ``=<question>`` when it fits in the custom_id, else
    ``#<key>`` of the bot's bounded ``QuestionCache`` (gone after a restart: "ask it again")."""
    inline = "=" + question
    return inline if render.discord_len(prefix + inline) <= CUSTOM_ID_MAX else "#" + cache.remember(question)


def id_start(prefix: str, *numbers: int) -> str:
    """``<prefix>:<number>:…:``, what a button's custom_id holds before the question's token."""
    return ":".join([prefix, *map(str, numbers), ""])


def question_button(start: str, token: str, turn: Turn) -> discord.ui.Button:
    """The button a ``DynamicItem`` below wraps: its custom_id is ``start`` then ``token``."""
    return discord.ui.Button(label=turn.label, style=turn.style, custom_id=start + token, row=0)


def recalled(cache: QuestionCache, token: str) -> str:
    kind, value = token[0], token[1:]
    question = value if kind == "=" else cache.recall(value)
    if question is None:
        raise QuestionExpired()
    return question


@dataclass(frozen=True)
class Page:
    """What one page of an answer shows: its hits, and whether there are more after them."""

    shown: list[Hit]
    more: bool


def page_of(answer: Answer, size: int, page: int) -> Page:
    """The hits page ``page`` (from 0) shows, ``size`` a page. A not-confident answer shows at most
    render_reply.UNSURE_MAX, on one page; an answer with nothing relevant shows them only on
    request (``Show closest passages``), the same ones."""
    if not answer.confident:
        return Page(answer.hits[: render_reply.UNSURE_MAX] if page == 0 else [], False)
    first = page * size
    return Page(answer.hits[first : first + size], len(answer.hits) > first + size)


async def ask(bot: BylineBot, question: str, size: int, page: int) -> Answer:
    """The answer with enough hits for page ``page`` and one more (to know whether more follow)."""
    return await bot.opened_library().ask(question, top_k=min((page + 1) * size + 1, MAX_TOP_K))


class ResultsPage(
    discord.ui.DynamicItem[discord.ui.Button],
    template=re.compile(
        PAGE_PREFIX + r":(?P<asker>[0-9]{1,20}):(?P<size>[0-9]{1,2}):(?P<page>[0-9]{1,2}):" + _QUESTION,
        re.DOTALL,
    ),
):
    """A "More results" or "Previous" button: ``byline:page:<asker id>:<size>:<page>:<question>``.

    Anyone may press it, and the page goes to the presser alone (see the module's docstring); the
    asker's id stays in the custom_id so that buttons sent before still parse, while each page is
    recorded as the presser's.
    """

    def __init__(self, asker_id: int, size: int, page: int, question: str, turn: Turn) -> None:
        self.asker_id, self.size, self.page, self.question = asker_id, size, page, question
        super().__init__(question_button(id_start(PAGE_PREFIX, asker_id, size, page), question, turn))

    @classmethod
    def build(
        cls, cache: QuestionCache, asker_id: int, size: int, page: int, question: str, *, turn: Turn
    ) -> ResultsPage:
        token = question_token(cache, id_start(PAGE_PREFIX, asker_id, size, page), question)
        return cls(asker_id, size, page, token, turn)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ResultsPage:
        numbers = int(match["asker"]), int(match["size"]), int(match["page"])
        return cls(*numbers, match["question"], Turn.shown_by(item))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            bot = bot_of(interaction)
            question = recalled(bot.questions, self.question)
            bot.ensure_ready()
            # From a shared message: a new private message of the presser's; from a private one (or
            # in a DM, where nobody else reads): in place.
            private = interaction.guild_id is None or (
                interaction.message is not None and interaction.message.flags.ephemeral
            )
            reply = await within_deadline(
                interaction,
                answer_page(
                    bot, question, asker_id=interaction.user.id, size=self.size, page=self.page,
                    guild_id=interaction.guild_id, in_dm=interaction.guild_id is None,
                ),
                defer_after=bot.defer_after, ephemeral=True, new_message=not private,
            )  # fmt: skip
            await deliver(interaction, reply, ephemeral=True, new_message=not private)
        except Exception as error:
            await report_error(interaction, error)


class PassagesButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=re.compile(
        PASSAGES_PREFIX + r":(?P<size>[0-9]{1,2}):(?P<page>[0-9]{1,2}):" + _QUESTION, re.DOTALL
    ),
):
    """ "Whole passages" under an answer, or "Show closest passages" under "nothing found": the
    passages of that page, whole, sent privately to whoever presses it."""

    def __init__(self, size: int, page: int, question: str, turn: Turn) -> None:
        self.size, self.page, self.question = size, page, question
        super().__init__(question_button(id_start(PASSAGES_PREFIX, size, page), question, turn))

    @classmethod
    def build(
        cls, cache: QuestionCache, size: int, page: int, question: str, *, turn: Turn
    ) -> PassagesButton:
        token = question_token(cache, id_start(PASSAGES_PREFIX, size, page), question)
        return cls(size, page, token, turn)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PassagesButton:
        return cls(int(match["size"]), int(match["page"]), match["question"], Turn.shown_by(item))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            bot = bot_of(interaction)
            question = recalled(bot.questions, self.question)
            bot.ensure_ready()

            async def whole() -> Reply:
                answer = await ask(bot, question, self.size, self.page)
                shown = page_of(answer, self.size, self.page).shown
                return Reply(render_reply.whole_passages_embed(answer, shown))

            reply = await within_deadline(
                interaction, whole(), defer_after=bot.defer_after, ephemeral=True, new_message=True
            )
            await deliver(interaction, reply, ephemeral=True, new_message=True)
        except Exception as error:
            await report_error(interaction, error)


def read_buttons(shown: list[Hit]) -> list[discord.ui.Button]:
    """A link button for each article of ``shown`` that has a URL ("Read on Daily Mirror")."""
    buttons: dict[str, discord.ui.Button] = {}
    for hit in shown:
        label = render_reply.read_label(hit.article)
        if label and hit.article.url and hit.article.id not in buttons and len(buttons) < 5:
            buttons[hit.article.id] = discord.ui.Button(label=label, url=hit.article.url, row=2)
    return list(buttons.values())


async def smalltalk_reply(bot: BylineBot, answer: Answer, *, in_dm: bool) -> Reply:
    """Small talk gets no passages and no votes: thanks a short reply; anything else a one-line
    hint, or in a DM the help text."""
    if THANKS.search(answer.question):
        return Reply(None, content="You're welcome!")
    if in_dm:
        return await help_reply(bot, in_dm=True)
    return Reply(None, content=render_sources.hint(in_dm=False))


async def help_reply(bot: BylineBot, *, in_dm: bool) -> Reply:
    """The help text, with how many articles the index holds and the newest one's date."""
    holdings = await article_holdings(bot.settings.database)
    return Reply(
        render_sources.help_embed(
            holdings, in_dm=in_dm, top_k=bot.settings.top_k, keeping=bot.settings.keep_questions
        )
    )


async def answer_page(
    bot: BylineBot, question: str, *, asker_id: int, size: int, page: int, guild_id: int | None, in_dm: bool
) -> Reply:
    """Page ``page`` (from 0) of the answer to ``question``, ``size`` passages a page, with its buttons.

    Every question's answer is recorded (for /stats) except small talk; only answers that show
    passages get votes.
    """
    answer = await ask(bot, question, size, page)
    if answer.kind == SMALLTALK:
        return await smalltalk_reply(bot, answer, in_dm=in_dm)
    current = page_of(answer, size, page)
    if render_reply.is_nothing(answer):
        record(bot, answer, None, guild_id=guild_id, asker_id=asker_id)
        closest = (
            PassagesButton.build(bot.questions, size, 0, answer.question, turn=CLOSEST)
            if answer.hits
            else None
        )
        return Reply(render_reply.nothing_embed(answer.question, in_dm=in_dm), view_of(closest))
    if not current.shown:
        return Reply(render_reply.no_more_embed(answer.question, in_dm=in_dm))
    cited = render_reply.cited(answer, current.shown) or current.shown[0]
    answer_id = record(bot, answer, cited, guild_id=guild_id, asker_id=asker_id)
    view = page_view(
        bot.questions, answer, current, asker_id=asker_id, size=size, page=page, answer_id=answer_id
    )
    return Reply(render_reply.reply_embed(answer, current.shown, page=page), view)


def page_view(
    cache: QuestionCache,
    answer: Answer,
    current: Page,
    *,
    asker_id: int,
    size: int,
    page: int,
    answer_id: str | None,
) -> discord.ui.View | None:
    """The buttons under a page with passages: pages and whole passages, then the votes, then a
    "Read on …" link for each article with an address."""

    def turn(to: int, how: Turn) -> ResultsPage:
        return ResultsPage.build(cache, asker_id, size, to, answer.question, turn=how)

    return view_of(
        turn(page - 1, BACK) if page else None,
        turn(page + 1, MORE) if current.more else None,
        PassagesButton.build(cache, size, page, answer.question, turn=WHOLE),
        *vote_buttons(answer_id),
        *read_buttons(current.shown),
    )
