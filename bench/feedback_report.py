"""What `byline report` (and /stats) costs on a busy bot's feedback: a year of answers.

    python bench/feedback_report.py [ANSWERS]

Records ANSWERS answers (default 100,000; five passages each, a third not confident, questions
kept), 20,000 votes, then times building the report of the last 365 days, and what recording
one answer and one vote costs the event loop (they are queued, not written, on the way).
"""

import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index import Answer, Article, Hit
from index.feedback.report import build_report
from index.feedback.votes import Feedback

WORDS = "harbour tram museum budget council rail school bridge river festival mayor tunnel".split()


async def main(answers: int) -> None:
    rng = random.Random(3)
    articles = [Article(f"a{n}", f"Article {n}", "Courier", None, f"f{n}.md") for n in range(500)]
    now = time.time()
    with tempfile.TemporaryDirectory() as scratch:
        async with await Feedback.open(Path(scratch) / "bench.db") as feedback:
            ids = []
            timings = []
            for n in range(answers):
                hits = [Hit(r, 1.0, "A passage of text. " * 10, rng.randint(1, 20), rng.choice(articles))
                        for r in range(1, 6)]  # fmt: skip
                question = " ".join(rng.choices(WORDS, k=4)) + "?"
                answer = Answer(question, hits if n % 3 else [])
                started = time.perf_counter()
                ids.append(
                    feedback.record_answer(
                        answer, answer.hits, guild_id=1, user_id=n % 997, keep_question=True,
                        at=now - rng.random() * 365 * 86_400,
                    )
                )  # fmt: skip
                timings.append(time.perf_counter() - started)
                if n % 5_000 == 0:
                    await feedback.flush()
            votes = []
            for n in range(20_000):
                started = time.perf_counter()
                await feedback.vote(rng.choice(ids), n, rng.random() < 0.5, guild_id=1, question="q")
                votes.append(time.perf_counter() - started)
            await feedback.flush()
            started = time.perf_counter()
            report = await build_report(feedback, 365, now=now)
            took = time.perf_counter() - started
    print(f"{answers:,} answers, 20,000 votes")
    print(f"recording an answer: p50 {statistics.median(timings) * 1e6:.0f} µs (queued)")
    print(f"a vote: p50 {statistics.median(votes) * 1e3:.2f} ms (one read, then queued)")
    print(
        f"report of 365 days: {took:.2f} s "
        f"({report.questions:,} questions, {len(report.not_confident)} groups)"
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
