"""What a question may be: its length, how many results it may ask for, and the Discord markup
that is not part of it."""

import re

from index.errors import QuestionError

MAX_QUESTION_CHARS = 1000
MAX_TOP_K = 50

# Discord's user, role and channel mentions and custom emoji: markup, not words of the question
# (``<@112233445566778899> who is Hegseth`` asks who Hegseth is).
_DISCORD_MARKUP = re.compile(r"<(?:@[!&]?|#)\d+>|<a?:\w{1,32}:\d+>")


def clean_question(question: str, top_k: int = 5) -> str:
    """The question with Discord mentions and custom emoji removed and its white space folded,
    or QuestionError saying what is wrong with it."""
    if not isinstance(question, str):
        raise QuestionError("Ask a question as text, for example: what is Poland's defence spending?")
    if len(question) <= MAX_QUESTION_CHARS * 4:  # longer is refused below, without a regex pass
        question = _DISCORD_MARKUP.sub(" ", question)
    question = " ".join(question.split())
    if not question:
        raise QuestionError("Ask a question, for example: what is Poland's defence spending?")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"That question is {len(question):,} characters long; keep it under {MAX_QUESTION_CHARS:,}."
        )
    if not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
        raise QuestionError(f"Ask for between 1 and {MAX_TOP_K} results.")
    return question
