"""What the ``byline`` command prints for a person: answers, reports and lists as terminal text.

Kept apart from bot/cli.py, which parses arguments, runs the commands and turns errors into exit
codes; everything here is a pure function of a result, tested without running a command. The
``--json`` output is each result's own ``to_dict``, not made here.

Every string from an article, a question or a file name passes through ``printable`` first, so
that a terminal shows it and never obeys it.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from index import SMALLTALK, Answer, Article, Hit, ReindexReport, SourceSummary

from .render_reply import source_name

if TYPE_CHECKING:  # each imported only by the command that prints it (`byline ask` needs none)
    from index import EvalReport, FeedbackReport, IndexHealth

    from .status import BotStatus

# Control characters (C0, DEL, C1) and the bidirectional overrides that reorder what a terminal
# shows: an article could otherwise set the terminal's title, colour it, or hide a link (OSC 8).
_CONTROLS = {
    code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    for code in [*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
} | {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}


def printable(text: str) -> str:
    """``text`` with every control character written as an escape (``\\x1b``), so that what an
    article or a file name holds is shown, never obeyed, by the terminal. The one place where the
    text output is made safe: every string from an article or a file name passes through here."""
    return text.translate(_CONTROLS)


def wrap(text: str, indent: str = "   ") -> str:
    width = min(shutil.get_terminal_size((100, 20)).columns, 100)
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent)


def shown_date(article: Article) -> str | None:
    """The date to print. A relative date ("12 hours ago") was turned into a date from the file's
    modification time, which may be when the file was copied, not when the page was read: so it
    is printed as the page gave it, and said to be so, never as a date Byline cannot vouch for."""
    if article.published_estimated and article.published:
        return f"{article.published} (as the page said)"
    return article.published


def attribution(outlet: str | None, title: str, published: str | None, paragraph: int) -> str:
    parts = [printable(outlet)] if outlet else []
    parts.append(f"“{printable(title)}”")
    if published:
        parts.append(printable(published))
    parts.append(f"paragraph {paragraph}")
    return " · ".join(parts)


def _emphasise(hit: Hit, bold: bool) -> str:
    """The passage with its best sentence in bold (on a terminal only)."""
    if not bold or hit.sentence is None:
        return printable(hit.text)
    start, end = hit.sentence
    text = hit.text
    return f"{printable(text[:start])}\033[1m{printable(text[start:end])}\033[0m{printable(text[end:])}"


CONFIDENT = "Confident: the articles answer this."
NOT_CONFIDENT = "Not confident: these are the closest passages, and they may not answer it."
SMALLTALK_HINT = 'That is not a question about the articles. Ask one, e.g. byline ask "who leads NATO?"'


def render_answer(answer: Answer, bold: bool = False) -> str:
    """The verdict in words, the answer line with where it comes from, then the passages numbered
    in the order shown (the exact BM25 scores are in ``--json``)."""
    if answer.kind == SMALLTALK:
        return SMALLTALK_HINT
    if not answer.hits:
        return (
            f"Nothing in the articles answers “{printable(answer.question)}”.\n"
            "Try other words, or `byline sources` to see what is indexed."
        )
    lines = [CONFIDENT if answer.confident else NOT_CONFIDENT, ""]
    line = answer.answer
    if answer.confident and line is not None and 1 <= line.hit <= len(answer.hits):
        cited = answer.hits[line.hit - 1]
        lines.append(wrap(f"Answer: {printable(line.text)}", ""))
        name = source_name(cited.article)
        where = f"{printable(name)}, " if name else ""
        lines.append(f"   — {where}paragraph {cited.paragraph} (passage {cited.rank} below)")
        lines.append("")
    for hit in answer.hits:
        a = hit.article
        lines.append(f"{hit.rank}. {attribution(source_name(a), a.title, shown_date(a), hit.paragraph)}")
        lines.append(wrap(_emphasise(hit, bold)))
        lines.append(f"   source: {printable(a.source)}" + (f"  {printable(a.url)}" if a.url else ""))
        lines.append("")
    return "\n".join(lines).rstrip()


def render_report(report: ReindexReport) -> str:
    lines = [
        f"Re-indexed in {report.seconds:.2f} s: {report.added} added, {report.updated} updated, "
        f"{report.removed} removed, {report.unchanged} unchanged.",
        f"Index: {report.articles} articles, {report.passages} passages.",
    ]
    if by_meaning := embedding_line(report):
        lines.append(by_meaning)
    for skipped in report.skipped:
        lines.append(f"Skipped {printable(skipped.source)}: {printable(skipped.reason)}")
    return "\n".join(lines)


def embedding_line(report: ReindexReport) -> str | None:
    """How many passages this re-index embedded and how long it took, and how many the
    background still has to embed; None when the semantic layer had nothing to do (or is off)."""
    if not report.embedded and not report.embedding_left:
        return None
    line = f"Found by meaning too: {report.embedded:,} passages embedded in {report.embedding_seconds:.1f} s"
    if report.embedding_left:
        # The command ends here and its background work with it: the running bot goes on with it.
        line += f"; {report.embedding_left:,} more in the background while the bot runs"
        line += " (`byline status` says how far)"
    return line + "."


def render_eval(report: EvalReport) -> str:
    lines = [
        f"{report.answerable} answerable and {report.unanswerable} unanswerable questions, "
        f"top {report.top_k}:",
        f"  hit@1 {report.hit_at_1:.3f}   hit@3 {report.hit_at_3:.3f}   MRR {report.mrr:.3f}",
        f"  confident when the right passage is first {report.confident_right:.3f}   "
        f"not confident when unanswerable {report.unsure_unanswerable:.3f}",
    ]
    if report.misses:
        lines.append("")
        lines.append("Misses:")
    for miss in report.misses:
        where = (
            "no answer expected, marked confident"
            if not miss.gold
            else (f"right passage at rank {miss.rank}" if miss.rank else "right passage not in the top k")
        )
        if miss.gold and miss.rank == 1:
            where = "right passage first, marked not confident"
        lines.append(f"- {printable(miss.question)}  [{where}]")
        if miss.gold:
            lines.append(f"    expected: {printable(' | '.join(miss.gold))}")
        lines.append(f"    first:    {printable(miss.first or '(no hits)')}")
    return "\n".join(lines)


def render_feedback(report: FeedbackReport) -> str:
    """`byline report` for a person."""
    from index import FEEDBACK_COUNTED

    share = f"{report.confident_share:.0%}" if report.confident_share is not None else "-"
    lines = [
        f"Last {report.since_days} days: {report.questions} questions, {report.confident} answered "
        f"confidently ({share}); votes: {report.votes_up} up, {report.votes_down} down.",
        f"Counted: {FEEDBACK_COUNTED}.",
    ]
    if report.days:
        lines += ["", "Per day (questions, confident):"]
        lines += [f"  {d['day']}  {d['questions']:>5}  {d['confident']:>5}" for d in report.days]
    if report.down_voted:
        lines += ["", "Answers voted down:"]
        for d in report.down_voted:
            question = f"“{printable(d.question)}”" if d.question else "(question not kept)"
            reasons = ", ".join(f"{printable(r)} ×{n}" for r, n in d.reasons.items())
            lines.append(f"  {d.down} down, {d.up} up: {question}" + (f"  [{reasons}]" if reasons else ""))
            if d.title is not None and d.paragraph is not None:
                lines.append(
                    f"      cited: {attribution(d.outlet, d.title, None, d.paragraph)}  "
                    f"({printable(d.source or '')})"
                )
                lines.append(wrap(printable(d.excerpt or ""), "      "))
    if report.not_confident:
        lines += ["", "Not answered confidently, by their words:"]
        for group in report.not_confident:
            lines.append(f"  {printable(', '.join(group.words))} ({len(group.questions)}):")
            lines += [f"    - {printable(q)}" for q in group.questions]
    if report.not_confident_unkept:
        lines += [
            "",
            f"{report.not_confident_unkept} more not answered confidently; their text was not kept "
            "(BYLINE_KEEP_QUESTIONS=1 keeps it).",
        ]
    return "\n".join(lines)


def render_sources(summaries: Sequence[SourceSummary]) -> str:
    """`byline sources`: one line an article, with its file name (this is the operator's view)."""
    lines = [
        f"{printable(s.article.source)}  {printable(s.article.outlet or '-')}  "
        f"“{printable(s.article.title)}”  {printable(s.article.published or '-')}  "
        f"({s.passages} passages)"
        for s in summaries
    ]
    return "\n".join(lines) or (
        "No articles are indexed; put article files in the seeds folder and run `byline reindex`."
    )


def ago(seconds: float) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def render_status(health: IndexHealth, bot: BotStatus, problems: list[str]) -> str:
    """`byline status`: healthy or not and why, the index, the last re-index, the bot."""
    lines = [f"Byline is {'healthy' if not problems else 'NOT healthy'}."]
    lines += [f"  problem: {problem}" for problem in problems]
    lines.append(f"Database: {health.database}")
    if health.healthy:
        lines.append(
            f"Index: {health.index_dir}, whole: {health.articles} articles from {health.sources} files, "
            f"{health.passages} passages."
        )
        lines.append(f"Passages found by meaning too: {health.embedded} of {health.passages}.")
    if health.indexed_at is not None:
        age = datetime.now(UTC) - health.indexed_at
        shown = health.indexed_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        lines.append(f"Last re-index: {shown} ({ago(age.total_seconds())}).")
    lines.append(f"Bot: {bot.detail}.")
    return "\n".join(lines)
