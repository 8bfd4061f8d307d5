"""A load run: many users ask the real Byline bot at once, through the double, while it re-indexes.

What it shows (issue #7, point 4):

- every question is answered within Discord's deadline (the double records each interaction's
  time to first response);
- every answer comes from one complete index, the one before the re-index or the one after, never
  a mix: the re-index adds an article that answers every question better, so each answer must
  equal, embed for embed, either that question's answer before or its answer after;
- the bot's event loop is never held up long: a probe task asks to wake every 10 ms and records
  how late it wakes. The double serves from its own thread (double/threaded.py), so the loop
  measured runs the bot alone.

``tests/e2e/test_bot_load.py`` runs a small version in the test suite; ``tests/load/load_run.py``
runs heavier ones from the command line.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.run import LagProbe
from bot.app import Byline
from bot.settings import Settings

from .double import FAST_CLIENT_OPTIONS, WORLD, running_client
from .double.models import InteractionRecord
from .double.threaded import DoubleThread
from .support import write_filler_articles

DEADLINE = 3.0
QUESTIONS = [
    "what is Poland's spending?",
    "who leads NATO?",
    "what happened to the Japanese moon rover?",
    "why did the US set up a headquarters in Japan?",
    "how much do NATO allies spend on defence?",
    "what did Hegseth say about China?",
    "which company built the lunar lander?",
    "what did Starmer promise on defence spending?",
]
ANSWERS_FILE = "load-answers.md"


@dataclass
class LoadFigures:
    """What a load run measured."""

    questions: int
    users: int
    answered: int
    within_deadline: int
    worst_first_response_s: float
    deferred: int
    loop_lag_worst_ms: float
    loop_lag_p99_ms: float
    old: int
    new: int
    mixed: int
    questions_changed: int  # of the distinct questions, those the re-index changed the answer of
    reindex_seconds: float
    during_reindex: int  # questions in flight while the re-index ran
    articles_before: int
    articles_after: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def write_better_answers(folder: Path) -> None:
    """One article whose paragraphs answer each load question better than the seeds do."""
    paragraphs = "\n\n".join(f"{q.rstrip('?')}: {q.rstrip('?')}, reports say." for q in QUESTIONS)
    (folder / ANSWERS_FILE).write_text(
        f"---\ntitle: Answers to everything\noutlet: Load Gazette\n---\n\n{paragraphs}\n", encoding="utf-8"
    )


async def run_load(
    seeds: Path,
    database: Path,
    *,
    users: int = 50,
    per_user: int = 4,
    filler: int = 300,
) -> LoadFigures:
    """``users`` members ask ``per_user`` questions each while /reindex runs.

    Half the questions are sent at once as soon as the re-index starts, the other half at once as
    soon as it has put the new index in place, so both indexes are asked. Each user asks at most
    the bot's real limit (4 per 20 s), so no question is refused. ``seeds`` (a folder the run may
    write to) is indexed first; ``filler`` more articles are added for the re-index to read.
    """
    probes = -(-len(QUESTIONS) // per_user)  # users asking each question once, before and after
    crowd = WORLD.crowd_ids(users + 2 * probes)
    askers, before_probes, after_probes = (
        crowd[:users],
        crowd[users : users + probes],
        crowd[users + probes :],
    )
    threaded = DoubleThread(WORLD.build(crowd=len(crowd)))
    started = time.perf_counter()
    async with threaded.running() as double:
        settings = Settings(
            _env_file=None,
            BYLINE_DISCORD_TOKEN=double.token,
            database=database,
            seeds_dir=seeds,
            admin_ids=frozenset({WORLD.owner_id}),
            top_k=5,
        )
        bot = Byline(settings, **FAST_CLIENT_OPTIONS)  # the real per-user limit
        async with running_client(double, bot, timeout=120):
            await asyncio.wait_for(bot.wait_until_indexed(), 600)
            assert bot.library is not None
            articles_before = len(await bot.library.articles())
            before = await _answers(threaded, before_probes, per_user)

            write_filler_articles(seeds, filler, seed=2)
            write_better_answers(seeds)
            lag = LagProbe()  # how late the loop wakes a task that sleeps 10 ms at a time
            reindexing = _Window()
            with lag, reindexing.watching(bot):
                reindex = await threaded.call(double.slash_command, "reindex", user=WORLD.owner_id, dm=True)
                load: list[tuple[InteractionRecord, str]] = []
                total = users * per_user
                await reindexing.started()
                for n in range(total):
                    if n == total // 2:  # the other half as soon as the new index is in place
                        await reindexing.ended()
                    question = QUESTIONS[n % len(QUESTIONS)]
                    user = askers[n % users]
                    inter = await threaded.call(
                        double.slash_command, "ask", {"question": question}, user=user
                    )
                    load.append((inter, question))
                replies = [
                    await threaded.call(double.wait_for_response, inter, timeout=120) for inter, _ in load
                ]
                report = await threaded.call(double.wait_for_response, reindex, timeout=600)
            assert report.embeds and report.embeds[0]["title"].startswith("Re-indexed"), report.content
            articles_after = len(await bot.library.articles())
            after = await _answers(threaded, after_probes, per_user)

    firsts = [inter.time_to_first_response for inter, _ in load]
    kinds = [_kind(reply.embeds, before[q], after[q]) for reply, (_, q) in zip(replies, load, strict=True)]
    return LoadFigures(
        questions=len(load),
        users=users,
        answered=sum(1 for reply in replies if reply.embeds),
        within_deadline=sum(
            1
            for inter, _ in load
            if inter.time_to_first_response is not None
            and inter.time_to_first_response < DEADLINE
            and not inter.rejected
        ),
        worst_first_response_s=max(f for f in firsts if f is not None),
        deferred=sum(1 for inter, _ in load if inter.callback_type == 5),
        loop_lag_worst_ms=lag.summary()["lag_max_ms"],
        loop_lag_p99_ms=lag.summary()["lag_p99_ms"],
        old=kinds.count("old"),
        new=kinds.count("new"),
        mixed=kinds.count("mixed"),
        questions_changed=sum(1 for q in QUESTIONS if before[q] != after[q]),
        reindex_seconds=reindexing.seconds,
        during_reindex=sum(
            1
            for inter, _ in load
            if inter.dispatched_at < reindexing.end and (inter.callback_at or 0) > reindexing.start
        ),
        articles_before=articles_before,
        articles_after=articles_after,
        seconds=time.perf_counter() - started,
    )


async def _answers(threaded: DoubleThread, probes: list[int], per_user: int) -> dict[str, list[dict]]:
    """Each load question asked once (each probe user asks at most ``per_user``): its embeds."""
    double = threaded.double
    found: dict[str, list[dict]] = {}
    for n, question in enumerate(QUESTIONS):
        inter = await threaded.call(
            double.slash_command, "ask", {"question": question}, user=probes[n // per_user]
        )
        reply = await threaded.call(double.wait_for_response, inter, timeout=60)
        assert reply.embeds, f"{question!r} was not answered: {reply.content}"
        found[question] = reply.embeds
    return found


def _kind(embeds: list[dict], old: list[dict], new: list[dict]) -> str:
    if embeds == old:
        return "old"
    if embeds == new:
        return "new"
    return "mixed"


class _Window:
    """When the bot's library was re-indexing, on the monotonic clock both event loops use."""

    def __init__(self) -> None:
        self.start = self.end = 0.0
        self._started = asyncio.Event()
        self._ended = asyncio.Event()

    async def started(self) -> None:
        await self._started.wait()

    async def ended(self) -> None:
        await self._ended.wait()

    @property
    def seconds(self) -> float:
        return max(0.0, self.end - self.start)

    async def _watch(self, bot: Byline) -> None:
        while True:
            reindexing = bot.library is not None and bot.library.reindexing
            if reindexing and not self.start:
                self.start = time.monotonic()
                self._started.set()
            elif not reindexing and self.start and not self.end:
                self.end = time.monotonic()
                self._ended.set()
            await asyncio.sleep(0.002)

    @contextlib.contextmanager
    def watching(self, bot: Byline) -> Iterator[_Window]:
        task = asyncio.get_running_loop().create_task(self._watch(bot))
        try:
            yield self
        finally:
            task.cancel()
            if self.start and not self.end:
                self.end = time.monotonic()
