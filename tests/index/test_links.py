"""Article links: only http(s) addresses reach the API, the JSON and Discord."""

from pathlib import Path

import pytest

from index import Article, Library
from index.models import web_url


@pytest.mark.parametrize(
    "url", ["https://example.com/news/1", "http://example.com", "HTTPS://Example.com/a?b=c#d"]
)
def test_web_addresses_are_kept(url: str) -> None:
    assert web_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "ftp://example.com/x",
        "https://",
        "example.com/news",
        "https://exa mple.com/",
        "https://example.com/>@everyone",
        "https://example.com/\nx",
        "",
        None,
    ],
)
def test_anything_else_is_dropped(url: str | None) -> None:
    assert web_url(url) is None
    assert Article("a", "T", None, None, "f.md", url=url).url is None


async def test_the_url_of_the_front_matter_is_read_back_and_a_bad_one_dropped(
    database: Path, seeds_dir: Path
) -> None:
    (seeds_dir / "good.md").write_text(
        "---\ntitle: Harbour budget\nurl: https://news.example/harbour\n---\n\nThe harbour budget grew.\n"
    )
    (seeds_dir / "bad.md").write_text(
        "---\ntitle: Tram fares\nurl: javascript:alert(1)\n---\n\nThe tram fares grew.\n"
    )
    (seeds_dir / "none.md").write_text("---\ntitle: Museum\n---\n\nThe museum reopened.\n")
    async with Library.open(database=database, seeds_dir=seeds_dir) as lib:
        await lib.reindex()
        urls = {s.article.title: s.to_dict()["url"] for s in await lib.articles()}
        answer = await lib.ask("harbour budget")
    assert urls == {"Harbour budget": "https://news.example/harbour", "Tram fares": None, "Museum": None}
    assert answer.to_dict()["hits"][0]["article"]["url"] == "https://news.example/harbour"
    assert answer.hits[0].article.url == "https://news.example/harbour"
