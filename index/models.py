"""The values the library hands out: articles, hits, answers and re-index reports.

Their ``to_dict`` methods are the JSON contract in DESIGN.md; scripts depend on the exact keys.
"""

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

_URL_FORBIDDEN = frozenset("<>\"'` \\")


def web_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) address with a host and nothing that could break out of a
    link (spaces, angle brackets, quotes, control characters); None otherwise."""
    if not url:
        return None
    url = url.strip()
    if any(ch in _URL_FORBIDDEN or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else None


@dataclass(frozen=True, slots=True)
class ParsedArticle:
    """An article as a reader found it, before it is stored."""

    title: str
    paragraphs: list[str]
    outlet: str | None = None
    published: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """An indexed article and where it came from (``source`` is relative to the seeds folder).

    ``published`` is the date as the article gives it; ``published_at`` is ISO 8601 when known,
    or estimated from a relative date (``published_estimated``; see index/ingest/dates.py). ``url`` is
    kept only when it is an http(s) address: anything else is dropped when the article is read.
    """

    id: str
    title: str
    outlet: str | None
    published: str | None
    source: str
    url: str | None = None
    published_at: str | None = None
    published_estimated: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", web_url(self.url))
        object.__setattr__(self, "published_estimated", bool(self.published_estimated))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published,
            "published_at": self.published_at,
            "published_estimated": self.published_estimated,
            "url": self.url,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Hit:
    """One passage that answers a question, with its BM25 score and its article."""

    rank: int
    score: float
    text: str
    paragraph: int
    article: Article
    # For display, not part of the JSON contract: character spans in ``text`` of the words that
    # match the question, and of the sentence that answers it best.
    highlights: tuple[tuple[int, int], ...] = ()
    sentence: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "score": self.score,
            "text": self.text,
            "paragraph": self.paragraph,
            "article": self.article.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class AnswerLine:
    """The sentence (at most two adjacent) of a shown passage that answers the question;
    ``hit`` is 1-based into ``Answer.hits``. Front ends show it first."""

    text: str
    hit: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "hit": self.hit}


QUESTION, SMALLTALK = "question", "smalltalk"


@dataclass(frozen=True, slots=True)
class Answer:
    """The best passages for a question, and whether Byline judges that they answer it.

    ``hits`` is empty only when no passage shares a term with the question, or when the message
    is only small talk (``kind == "smalltalk"``: "thanks", "hi"). ``confident`` is the verdict on
    them (a not-confident answer still shows the closest passages); ``confidence`` is the
    probability behind it, in [0, 1]; ``answer`` the answer line, or None when no hit is shown.
    """

    question: str
    hits: list[Hit]
    terms: list[str] = field(default_factory=list)
    confident: bool = False
    confidence: float = 0.0
    answer: AnswerLine | None = None
    kind: str = QUESTION

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "kind": self.kind,
            "confident": self.confident,
            "confidence": round(self.confidence, 3),
            "answer": self.answer.to_dict() if self.answer else None,
            "hits": [hit.to_dict() for hit in self.hits],
        }


@dataclass(frozen=True, slots=True)
class SourceSummary:
    """An indexed article with its passage count, as `byline sources` lists it."""

    article: Article
    passages: int

    def to_dict(self) -> dict[str, Any]:
        return {**self.article.to_dict(), "passages": self.passages}


@dataclass(frozen=True, slots=True)
class SkippedFile:
    source: str
    reason: str


@dataclass(slots=True)
class ReindexReport:
    """What a re-index changed; ``to_dict`` is the `reindex --json` object."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    articles: int = 0
    passages: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    seconds: float = 0.0
    embedded: int = 0  # passages given a vector by this re-index (more may follow in the background)
    embedding_seconds: float = 0.0
    embedding_left: int = 0  # passages still without a vector after it: the background makes them

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "articles": self.articles,
            "passages": self.passages,
            "skipped": [{"source": s.source, "reason": s.reason} for s in self.skipped],
            "seconds": round(self.seconds, 3),
            "embedded": self.embedded,
            "embedding_seconds": round(self.embedding_seconds, 3),
            "embedding_left": self.embedding_left,
        }
