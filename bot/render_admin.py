"""Embeds of the administrators' commands: what /reindex, /add and /remove did, and /stats.
Pure functions of their reports, within Discord's limits (see bot/render.py, whose helpers they
use)."""

from __future__ import annotations

from collections.abc import Sequence

from index import Article, DownVoted, FeedbackReport, ReindexReport, SavedArticle

from .render import ELLIPSIS, FIELD_VALUE_MAX, REPORT_COLOUR, count, discord_len, fitted, outlet


def _index_line(report: ReindexReport) -> str:
    return (
        f"The index now holds {count(report.articles, 'article')} in {count(report.passages, 'passage')} "
        "(the whole folder was compared; only changed files were read)."
    )


def added_embed(saved: SavedArticle, report: ReindexReport) -> dict:
    """/add: which articles were added, under which file name, and the index after it."""
    titles = [f"• *{fitted(a.title, 200)}*" for a in saved.articles[:10]]
    if len(saved.articles) > 10:
        titles.append(f"…and {len(saved.articles) - 10:,} more")
    verb = "Replaced" if saved.replaced else "Added"
    return {
        "title": f"{verb} {count(len(saved.articles), 'article')}",
        "description": "\n".join(
            [*titles, "", f"Saved as {fitted(saved.source, 200)}.", _index_line(report)]
        ),
        "color": REPORT_COLOUR,
    }


def removed_embed(source: str, report: ReindexReport) -> dict:
    """/remove: which file was removed, and the index after it."""
    return {
        "title": "Removed an added article",
        "description": f"Deleted {fitted(source, 200)} from the articles folder.\n{_index_line(report)}",
        "color": REPORT_COLOUR,
    }


def _field(name: str, lines: Sequence[str]) -> dict:
    """An embed field of as many of ``lines`` as fit in 1024 characters, saying how many did not."""
    shown: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        after = len(lines) - index - 1  # room is kept to say how many lines after this one are left out
        tail = len(f"\n…and {after:,} more") if after else 0
        if used + discord_len(line) + 1 + tail > FIELD_VALUE_MAX:
            shown.append(f"…and {len(lines) - index:,} more")
            break
        shown.append(line)
        used += discord_len(line) + 1
    return {"name": name, "value": "\n".join(shown) or "-"}


REASON_WORDS = {
    "wrong-passage": "wrong passage",
    "no-answer": "does not answer",
    "out-of-date": "out of date",
    "other": "other",
}


def _down_voted(d: DownVoted) -> str:
    """``2 👎 0 👍 · “question” · does not answer ×2 · Outlet · *Title* · paragraph 3``."""
    parts = [
        f"{d.down:,} 👎 {d.up:,} 👍",
        f"“{fitted(d.question, 120)}”" if d.question else "question not kept",
    ]
    if d.reasons:
        parts.append(", ".join(f"{REASON_WORDS.get(r, 'other')} ×{n}" for r, n in d.reasons.items()))
    if d.title is not None:
        parts.append(
            f"{outlet(Article('', '', d.outlet, None, ''), 60)} · *{fitted(d.title, 80)}* · "
            f"paragraph {d.paragraph}"
        )
    return " · ".join(parts)


def stats_embed(report: FeedbackReport, *, keeping: bool) -> dict:
    """/stats: questions, the share answered confidently, votes, the most down-voted passages and
    what the articles could not answer, for the administrators (sent privately)."""
    share = f" ({report.confident_share:.0%})" if report.confident_share is not None else ""
    lines = [
        f"**{report.questions:,}** questions · **{report.confident:,}** answered confidently{share}",
        f"Votes: **{report.votes_up:,}** 👍 · **{report.votes_down:,}** 👎",
    ]
    if not keeping:
        lines.append("Questions are not kept (BYLINE_KEEP_QUESTIONS=1 keeps them for this report).")
    fields = []
    if report.days:
        days = [f"{d['day']}: {d['questions']:,} asked, {d['confident']:,} confident" for d in report.days]
        fields.append(_field("Per day", days[::-1]))
    if report.down_voted:
        fields.append(_field("Answers voted 👎", [_down_voted(d) for d in report.down_voted]))
    groups = [
        f"**{fitted(', '.join(g.words), 80) or ELLIPSIS}** ({len(g.questions):,}): "
        + " · ".join(f"“{fitted(q, 120)}”" for q in g.questions[:3])
        for g in report.not_confident
    ]
    if report.not_confident_unkept:
        groups.append(f"{count(report.not_confident_unkept, 'more question')}, text not kept")
    if groups:
        fields.append(_field("Not answered confidently", groups))
    return {
        "title": f"Byline in the last {count(report.since_days, 'day')}",
        "description": "\n".join(lines),
        "color": REPORT_COLOUR,
        "fields": fields,
    }


def reindex_embed(report: ReindexReport) -> dict:
    """What a re-index changed: files added, updated, removed, unchanged, and each skipped file's reason."""
    lines = [
        f"**{report.added:,}** added · **{report.updated:,}** updated · **{report.removed:,}** removed · "
        f"**{report.unchanged:,}** unchanged",
        f"The index now holds {count(report.articles, 'article')} in {count(report.passages, 'passage')}.",
    ]
    if not report.changed:
        lines.append("Nothing changed in the articles folder.")
    if report.embedded or report.embedding_left:
        embedded = count(report.embedded, "passage")
        line = f"Found by meaning too: {embedded} embedded in {report.embedding_seconds:.1f} s"
        if report.embedding_left:
            line += f"; {report.embedding_left:,} more in the background"
        lines.append(line + ".")
    embed: dict = {
        "title": f"Re-indexed in {report.seconds:.2f} s",
        "description": "\n".join(lines),
        "color": REPORT_COLOUR,
    }
    if report.skipped:
        lines = [f"{fitted(s.source, 120, line_start=True)}: {fitted(s.reason, 300)}" for s in report.skipped]
        embed["fields"] = [_field(f"Skipped ({len(report.skipped):,})", lines)]
    return embed
