"""Article texts and page builders shared by the tests (the fixtures are in conftest.py)."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED_PAGE = REPO / "seeds" / "000_b51a04dbdb0fcd70.txt"

# The furniture an aggregator page puts between the main article and the related articles.
FURNITURE = [
    "Hashtags",
    "",
    "Try Our AI Features",
    "Explore what Daily8 AI can do for you:",
    "Comments",
    "No comments yet...",
]


@dataclass(frozen=True)
class Related:
    """A related-article block: outlet line, date line, "- outlet", title, one-line body."""

    outlet: str
    published: str
    title: str
    body: str


def aggregator_page(
    title: str,
    paragraphs: Sequence[str],
    related: Sequence[Related] = (),
    furniture: Sequence[str] = FURNITURE,
    heading: str | None = "Related Articles",
    trailer: Sequence[str] = (),
) -> str:
    """A page in the seed page's format (blank line first, two blank lines between blocks)."""
    lines = ["", title, *paragraphs, *furniture]
    if heading is not None:
        lines.append(heading)
    for block in related:
        lines += ["", "", block.outlet, block.published, f"- {block.outlet}", block.title, block.body]
    lines += list(trailer)
    return "\n".join(lines) + "\n"


def markdown_article(
    title: str | None,
    paragraphs: Sequence[str],
    *,
    outlet: str | None = None,
    published: str | None = None,
    url: str | None = None,
) -> str:
    """A Markdown article with front matter (only the fields given), paragraphs separated by blank lines."""
    fields = {"title": title, "outlet": outlet, "published": published, "url": url}
    front = [f"{key}: {value}" for key, value in fields.items() if value is not None]
    head = ["---", *front, "---", ""] if front else []
    return "\n".join(head) + "\n\n".join(paragraphs) + "\n"


# A small collection of one-article files with distinct vocabularies, so that every question in the
# tests has a single obvious answer whatever the analyser's details.
HYDROGEN = {
    "title": "Harbour town votes for hydrogen plant",
    "outlet": "Harbour Gazette",
    "published": "2025-06-01",
    "paragraphs": [
        "Residents of Nørreholm approved a green hydrogen plant in a referendum on Sunday.",
        "The plant will cost €3.1bn and create 400 jobs during construction, the council said.",
        "Opponents said the view from the beach would be spoiled and too much groundwater used.",
        "The mayor said the diggers would arrive next spring.",
    ],
}
ORCHARD = {
    "title": "Frost ruins cider orchards across Somerset",
    "outlet": "Orchard Times",
    "published": "3 hours ago",
    "paragraphs": [
        "A late frost destroyed most of the apple blossom in Somerset's cider orchards this week.",
        "Growers expect the harvest to fall by half, and some cider makers will import apples.",
        "Insurers said claims from farmers had tripled since Monday.",
    ],
}
OBSERVATORY = {
    "title": "Mountain observatory opens its new telescope",
    "outlet": "Sky Watch",
    "published": "yesterday",
    "paragraphs": [
        "The observatory on Mount Kestrel unveiled a four-metre telescope on Friday.",
        "Astronomers will use it to search for comets in the outer solar system.",
        "Schoolchildren will be allowed to book one night of observing time each month.",
    ],
}
LIGHTHOUSE = {
    "title": "Volunteers restore Victorian lighthouse",
    "outlet": "Coastal Post",
    "published": "2 days ago",
    "paragraphs": [
        "Volunteers have repainted the Victorian lighthouse at Gullhaven after a decade of neglect.",
        "The lantern room will reopen to visitors in August with a small museum of shipwrecks.",
        "A charity raised £90,000 for the work, mostly from local fishermen.",
    ],
}
COLLECTION = {
    "hydrogen.md": HYDROGEN,
    "orchard.md": ORCHARD,
    "observatory.md": OBSERVATORY,
    "lighthouse.md": LIGHTHOUSE,
}


def article_text(article: dict) -> str:
    return markdown_article(
        article["title"], article["paragraphs"], outlet=article["outlet"], published=article["published"]
    )


def write_collection(seeds: Path, names: Sequence[str] = tuple(COLLECTION)) -> None:
    for name in names:
        (seeds / name).write_text(article_text(COLLECTION[name]), encoding="utf-8")


NO_ANSWER_QUESTION = "what is the weather in Paris?"  # no term of it is in the collection


def no_hits(question: str) -> dict:
    """The `ask --json` object of DESIGN.md for a question no passage matches."""
    return {"question": question, "kind": "question", "confident": False, "confidence": 0.0,
            "answer": None, "hits": []}  # fmt: skip


def assert_answer_shape(answer: dict) -> None:
    """The `ask --json` object of DESIGN.md: exactly these keys, these types."""
    assert set(answer) == {"question", "kind", "confident", "confidence", "answer", "hits"}
    assert isinstance(answer["confident"], bool)
    assert answer["kind"] in ("question", "smalltalk")
    assert isinstance(answer["confidence"], float) and 0.0 <= answer["confidence"] <= 1.0
    if answer["hits"]:
        line = answer["answer"]
        assert set(line) == {"text", "hit"} and 1 <= line["hit"] <= len(answer["hits"])
        assert line["text"] and line["text"] in answer["hits"][line["hit"] - 1]["text"]
    else:
        assert answer["answer"] is None
    assert isinstance(answer["question"], str)
    assert isinstance(answer["hits"], list)
    for hit in answer["hits"]:
        assert set(hit) == {"rank", "score", "text", "paragraph", "article"}
        assert type(hit["rank"]) is int
        assert isinstance(hit["score"], float)
        assert isinstance(hit["text"], str) and hit["text"]
        assert type(hit["paragraph"]) is int and hit["paragraph"] >= 1
        article = hit["article"]
        assert set(article) == {
            *("id", "title", "outlet", "published", "published_at", "published_estimated", "url", "source")
        }
        assert isinstance(article["id"], str) and article["id"]
        assert isinstance(article["title"], str) and article["title"]
        assert article["outlet"] is None or isinstance(article["outlet"], str)
        assert article["published"] is None or isinstance(article["published"], str)
        assert article["published_at"] is None or isinstance(article["published_at"], str)
        assert isinstance(article["published_estimated"], bool)
        assert article["url"] is None or article["url"].startswith(("http://", "https://"))
        assert isinstance(article["source"], str)
