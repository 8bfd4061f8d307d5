"""What `byline report` and /stats show: questions a day, the share answered confidently, votes,
the answers voted 👎 (with the question when it is kept, the voters' reasons and the passage the
answer cited), and the questions not answered confidently, grouped by their words (so an
administrator sees which articles are missing)."""

import asyncio
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from index.feedback.votes import Feedback
from index.text.analysis import Analyzer, words

DAY = 86_400
MOST_DOWN_VOTED = 10
MAX_GROUPS = 20
# What the report counts: the bot records the answers it shows (they carry the vote buttons);
# `byline ask` records nothing, so questions asked on the command line are not in it.
COUNTED = "questions asked on Discord (/ask, direct messages, mentions); not those asked with byline ask"


@dataclass(frozen=True, slots=True)
class DownVoted:
    """An answer that got 👎: its question (None when not kept), the votes on it, the reasons the
    voters gave, and the passage it cited (None for an answer recorded without one)."""

    question: str | None
    down: int
    up: int
    reasons: dict[str, int]
    article_id: str | None = None
    title: str | None = None
    outlet: str | None = None
    paragraph: int | None = None
    source: str | None = None
    excerpt: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "question": self.question,
            "down": self.down,
            "up": self.up,
            "reasons": self.reasons,
            "article_id": self.article_id,
            "title": self.title,
            "outlet": self.outlet,
            "paragraph": self.paragraph,
            "source": self.source,
            "excerpt": self.excerpt,
        }


@dataclass(frozen=True, slots=True)
class QuestionGroup:
    """Questions not answered confidently that share ``words`` (content words, as asked)."""

    words: list[str]
    questions: list[str]

    def to_dict(self) -> dict[str, object]:
        return {"words": self.words, "count": len(self.questions), "questions": self.questions}


@dataclass(slots=True)
class FeedbackReport:
    """The report; ``to_dict`` is the `byline report --json` object."""

    since_days: int
    days: list[dict[str, object]] = field(default_factory=list)  # {"day", "questions", "confident"}
    questions: int = 0
    confident: int = 0
    votes_up: int = 0
    votes_down: int = 0
    down_voted: list[DownVoted] = field(default_factory=list)
    not_confident: list[QuestionGroup] = field(default_factory=list)
    not_confident_unkept: int = 0  # not answered confidently, question text not kept

    @property
    def confident_share(self) -> float | None:
        return round(self.confident / self.questions, 3) if self.questions else None

    def to_dict(self) -> dict[str, object]:
        return {
            "counted": COUNTED,
            "since_days": self.since_days,
            "questions": self.questions,
            "confident": self.confident,
            "confident_share": self.confident_share,
            "days": self.days,
            "votes": {"up": self.votes_up, "down": self.votes_down},
            "down_voted": [d.to_dict() for d in self.down_voted],
            "not_confident": [g.to_dict() for g in self.not_confident],
            "not_confident_unkept": self.not_confident_unkept,
        }


async def build_report(feedback: Feedback, since_days: int, now: float | None = None) -> FeedbackReport:
    """The report of the last ``since_days`` days (days are UTC days)."""
    now = time.time() if now is None else now
    since = now - since_days * DAY
    report = FeedbackReport(since_days)
    for day, questions, confident in await feedback.rows(
        "SELECT date(asked_at, 'unixepoch'), count(*), sum(confident) FROM feedback_answers"
        " WHERE asked_at >= ? GROUP BY 1 ORDER BY 1",
        (since,),
    ):
        report.days.append({"day": day, "questions": questions, "confident": confident})
        report.questions += questions
        report.confident += confident
    unanswered = [
        question
        for (question,) in await feedback.rows(
            "SELECT question FROM feedback_answers WHERE asked_at >= ? AND NOT confident ORDER BY asked_at",
            (since,),
        )
    ]
    kept = [question for question in unanswered if question]
    report.not_confident_unkept = len(unanswered) - len(kept)
    for vote, count in await feedback.rows(
        "SELECT vote, count(*) FROM feedback_votes WHERE voted_at >= ? GROUP BY vote", (since,)
    ):
        if vote > 0:
            report.votes_up = count
        else:
            report.votes_down = count
    report.down_voted = [
        DownVoted(
            question, down, up, _reasons(reasons), article_id, title, outlet, paragraph, source, excerpt
        )
        for question, down, up, reasons, article_id, title, outlet, paragraph, source, excerpt in (
            await feedback.rows(
                "SELECT a.question, sum(v.vote < 0) AS down, sum(v.vote > 0),"
                " group_concat(v.reason), p.article_id, p.title, p.outlet, p.paragraph, p.source, p.excerpt"
                " FROM feedback_votes v JOIN feedback_answers a ON a.id = v.answer_id"
                " LEFT JOIN feedback_passages p ON p.answer_id = v.answer_id"
                " AND p.rank = (SELECT min(rank) FROM feedback_passages WHERE answer_id = v.answer_id)"
                " WHERE v.voted_at >= ? GROUP BY v.answer_id HAVING down > 0"
                " ORDER BY down DESC, sum(v.vote > 0) ASC, max(v.voted_at) DESC LIMIT ?",
                (since, MOST_DOWN_VOTED),
            )
        )
    ]
    # Analysing thousands of questions takes a while: off the event loop.
    report.not_confident = await asyncio.to_thread(group_questions, kept)
    return report


def _reasons(joined: str | None) -> dict[str, int]:
    """``"no-answer,other,no-answer"`` -> ``{"no-answer": 2, "other": 1}``, most given first."""
    return dict(Counter(r for r in (joined or "").split(",") if r).most_common())


def group_questions(questions: list[str], analyzer: Analyzer | None = None) -> list[QuestionGroup]:
    """Questions grouped by the content word most of them share.

    Each question joins the group of its content word (stemmed, so "spending" and "spend" agree)
    that the most questions contain; a group is labelled by the words all its questions share,
    as people wrote them, in the order of its first question. Largest groups first; questions
    with no content word are left out.
    """
    analyzer = analyzer or Analyzer()
    terms_of = [set(analyzer.terms(q)) for q in questions]
    counts = Counter(t for terms in terms_of for t in terms)
    spelled: dict[str, Counter[str]] = defaultdict(Counter)
    for q in questions:
        for word in words(q):
            stems = analyzer.terms(word)
            if len(stems) == 1:
                spelled[stems[0]][word.casefold()] += 1
    groups: dict[str, list[int]] = defaultdict(list)
    for n, terms in enumerate(terms_of):
        if terms:
            key = min(terms, key=lambda t: (-counts[t], t))
            groups[key].append(n)
    out = []
    for members in groups.values():
        shared = set.intersection(*(terms_of[n] for n in members))
        first = analyzer.terms(questions[members[0]])
        ordered = sorted(shared, key=first.index)  # as the first of them words it
        label = [spelled[t].most_common(1)[0][0] if spelled[t] else t for t in ordered]
        out.append(QuestionGroup(label, [questions[n] for n in members]))
    out.sort(key=lambda g: (-len(g.questions), g.words))
    return out[:MAX_GROUPS]
