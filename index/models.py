"""The values the library hands out: articles, hits, answers and re-index reports.

Their ``to_dict`` methods are the JSON contract in DESIGN.md; scripts depend on the exact keys.
"""

from dataclasses import asdict, dataclass, field


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
    """An indexed article and where it came from (``source`` is relative to the seeds folder)."""

    id: str
    title: str
    outlet: str | None
    published: str | None
    source: str

    def to_dict(self) -> dict:
        return asdict(self)


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

    def to_dict(self) -> dict:
        return {
            "rank": self.rank,
            "score": self.score,
            "text": self.text,
            "paragraph": self.paragraph,
            "article": self.article.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Answer:
    """The best passages for a question, and whether Byline judges that they answer it.

    ``hits`` is empty only when no passage shares a term with the question; ``confident`` is the
    verdict on them (a not-confident answer still shows the closest passages).
    """

    question: str
    hits: list[Hit]
    terms: list[str] = field(default_factory=list)
    confident: bool = False

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "confident": self.confident,
            "hits": [hit.to_dict() for hit in self.hits],
        }


@dataclass(frozen=True, slots=True)
class SourceSummary:
    """An indexed article with its passage count, as `byline sources` lists it."""

    article: Article
    passages: int

    def to_dict(self) -> dict:
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

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def to_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "articles": self.articles,
            "passages": self.passages,
            "skipped": [{"source": s.source, "reason": s.reason} for s in self.skipped],
            "seconds": round(self.seconds, 3),
        }
