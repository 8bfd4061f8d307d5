"""The defaults and bounds of settings that help texts show (``byline --help``, /help), apart
from bot/settings.py so that showing them costs no pydantic import."""

DEFAULT_TOP_K = 3  # passages an answer shows unless BYLINE_TOP_K says otherwise
# Passages one answer page shows at most: BYLINE_TOP_K's bound, /ask's `results`, /help's text.
# (`byline ask --top-k` goes up to index.MAX_TOP_K, the most the library answers.)
MAX_RESULTS = 10
REPORT_DAYS = 30  # how far back `byline report` and /stats look unless told
