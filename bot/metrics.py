"""Prometheus metrics (``BYLINE_METRICS_PORT``): what an admin graphs and alerts on.

- ``byline_questions_total{via, confident}``: questions answered, by how they were asked (``slash``
  for /ask, ``message`` for a DM or a mention, ``button`` for "More results") and whether Byline
  judged the answer confident (the share not confident is the ratio of the two);
- ``byline_answer_seconds{via}``: the search behind an answer (not Discord's part);
- ``byline_reindexes_total{trigger, outcome}`` and ``byline_reindex_seconds{trigger}``: re-indexes
  by ``first`` (the first build), ``command`` (/reindex), ``watch`` or ``schedule``, and whether
  they were ``ok``, ``busy`` (one was running) or ``failed``;
- ``byline_gateway_connected`` and ``byline_gateway_latency_seconds``, refreshed with the status file.

Served over HTTP on ``BYLINE_METRICS_HOST`` (default 127.0.0.1) from a thread of
prometheus-client. How a question was asked is read from the name of the task discord.py runs it
in (and a re-index's trigger likewise), so the cogs need not know about metrics.
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextvars import ContextVar
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from index import Answer, IndexBusyError, Library, ReindexReport

log = logging.getLogger("byline.metrics")

_VIA = {"CommandTree-invoker": "slash", "discord.py: on_message": "message"}
_TRIGGER = {
    "CommandTree-invoker": "command",
    "byline-first-index": "first",
    "byline-watch": "watch",
    "byline-schedule": "schedule",
}


def _task_name() -> str:
    task = asyncio.current_task()
    return task.get_name() if task is not None else ""


# How the question being answered was asked: noted where every question starts (``Byline.
# ensure_ready``, in the task discord.py made for it); tasks it starts inherit the note.
ASKED_VIA: ContextVar[str] = ContextVar("byline_asked_via", default="other")


def note_how_asked() -> None:
    name = _task_name()
    ASKED_VIA.set(_VIA.get(name) or ("button" if name.startswith("discord-ui-") else "other"))


class Metrics:
    """The bot's metrics, in a registry of their own (so that several bots in one process, as in
    tests, never collide)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.questions = Counter(
            "byline_questions",
            "Questions answered, by how they were asked and whether the answer was confident.",
            ["via", "confident"],
            registry=self.registry,
        )
        self.answer_seconds = Histogram(
            "byline_answer_seconds",
            "Seconds spent finding an answer (the search, not Discord).",
            ["via"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.reindexes = Counter(
            "byline_reindexes",
            "Re-indexes, by trigger and outcome.",
            ["trigger", "outcome"],
            registry=self.registry,
        )
        self.reindex_seconds = Histogram(
            "byline_reindex_seconds",
            "Seconds a successful re-index took.",
            ["trigger"],
            buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900),
            registry=self.registry,
        )
        self.connected = Gauge(
            "byline_gateway_connected", "1 while connected to Discord's gateway.", registry=self.registry
        )
        self.latency = Gauge(
            "byline_gateway_latency_seconds", "Gateway heartbeat latency.", registry=self.registry
        )
        self._server: Any = None

    def serve(self, port: int, host: str) -> None:
        """Serve /metrics; a port that cannot be had is logged, and the bot runs on without it."""
        try:
            self._server, _ = start_http_server(port, host, registry=self.registry)
        except OSError as error:
            log.error("cannot serve metrics on %s:%d: %s", host, port, error)
            return
        log.info("metrics on http://%s:%d/metrics", host, port)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def gateway(self, connected: bool, latency_ms: float | None) -> None:
        self.connected.set(1 if connected else 0)
        if latency_ms is not None:
            self.latency.set(latency_ms / 1000)


class MeasuredLibrary(Library):
    """A Library whose answers and re-indexes are counted (``metrics`` set after opening)."""

    metrics: Metrics | None = None

    async def ask(self, question: str, top_k: int = 5) -> Answer:
        started = time.perf_counter()
        answer = await super().ask(question, top_k)
        if self.metrics is not None:
            via = ASKED_VIA.get()
            confident = answer.confident
            self.metrics.questions.labels(via, str(confident).lower()).inc()
            self.metrics.answer_seconds.labels(via).observe(time.perf_counter() - started)
        return answer

    async def reindex(self) -> ReindexReport:
        trigger = _TRIGGER.get(_task_name(), "other")
        try:
            report = await super().reindex()
        except IndexBusyError:
            self._count(trigger, "busy")
            raise
        except Exception:
            self._count(trigger, "failed")
            raise
        self._count(trigger, "ok")
        if self.metrics is not None:
            self.metrics.reindex_seconds.labels(trigger).observe(report.seconds)
        return report

    def _count(self, trigger: str, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.reindexes.labels(trigger, outcome).inc()
