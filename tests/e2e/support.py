"""What the end-to-end tests of the bot share: a question the seeds answer, buttons, filler articles."""

from __future__ import annotations

import random
import re
from pathlib import Path

from .double import DefaultWorld, DiscordDouble, MessageRecord

POLAND = "what is Poland's spending?"


def buttons(message: MessageRecord) -> dict[str, str]:
    """Button label -> custom_id on a message, in the order they are shown (the page and passage
    buttons; the vote buttons are ``votes``, the link buttons ``links``)."""
    return {
        c["label"]: c["custom_id"]
        for row in message.components
        for c in row.get("components", [])
        if c.get("type") == 2 and c.get("label") and not c.get("emoji") and c.get("style") != 5
    }


def votes(message: MessageRecord) -> dict[str, str]:
    """The 👍/👎 buttons on a message: emoji -> custom_id."""
    return {
        c["emoji"]["name"]: c["custom_id"]
        for row in message.components
        for c in row.get("components", [])
        if c.get("type") == 2 and c.get("emoji")
    }


def vote_labels(message: MessageRecord) -> list[str]:
    """What the vote buttons say, with their emoji: ["👍 Helpful", "👎 Not helpful"]."""
    return [
        f"{c['emoji']['name']} {c.get('label', '')}".strip()
        for row in message.components
        for c in row.get("components", [])
        if c.get("type") == 2 and c.get("emoji")
    ]


def links(message: MessageRecord) -> dict[str, str]:
    """The link buttons on a message: label -> url."""
    return {
        c["label"]: c["url"]
        for row in message.components
        for c in row.get("components", [])
        if c.get("type") == 2 and c.get("style") == 5
    }


def paragraphs(embed: dict) -> list[tuple[str, int]]:
    """The passages an answer shows, as (the title of their article, paragraph), in the order shown."""
    shown: list[tuple[str, int]] = []
    for block in embed["description"].split("\n\n"):
        lines = block.split("\n")
        titled = re.search(r"\*([^*]+)\*(?: ·|$)", lines[0])
        for line in lines[1:]:
            number = re.match(r"> ¶ (\d+) · ", line)
            if number and titled:
                shown.append((titled.group(1), int(number.group(1))))
    return shown


async def answered_after(double: DiscordDouble, world: DefaultWorld, *, dm: bool = False) -> MessageRecord:
    """Ask a question that gets an answer, and return the answer once it is there.

    For tests that something did *not* happen: discord.py handles events in the order they come,
    and the bot decides to ignore a message before it awaits anything, so once this answer is
    there, everything sent before it has had its chance.
    """
    if dm:
        asked = await double.user_message(POLAND, user=world.admin_id, dm=True)
    else:
        asked = await double.user_message(
            f"<@{world.bot_id}> {POLAND}", user=world.admin_id, channel_id=world.text_channel_id
        )

    def answers_it(message: MessageRecord) -> bool:
        reference = message.message_reference or {}
        return int(reference.get("message_id", 0)) == asked.id

    return await double.wait_for_message(asked.channel_id, predicate=answers_it)


FILLER_WORDS = (
    "harbour council budget river museum rail tram festival school mayor vote bridge tunnel".split()
)


def write_filler_articles(folder: Path, count: int, *, seed: int = 7) -> None:
    """``count`` articles of ten paragraphs about nothing the tests ask: enough of them make a
    re-index last long enough (about a second for a thousand) to act while it runs."""
    rng = random.Random(seed)
    for n in range(count):
        paragraphs = "\n\n".join(" ".join(rng.choices(FILLER_WORDS, k=40)) + "." for _ in range(10))
        (folder / f"filler{n:05}.md").write_text(
            f"---\ntitle: Filler {n}\noutlet: Filler News\n---\n\n{paragraphs}\n", encoding="utf-8"
        )
