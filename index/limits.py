"""What the library accepts in a question: front ends show these bounds (``byline --help``, /ask)
before they open anything, so they live apart from the library and its imports."""

MAX_QUESTION_CHARS = 1000
MAX_TOP_K = 50
