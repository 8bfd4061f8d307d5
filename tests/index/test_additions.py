"""Articles added from Discord: checked with the readers, saved under safe names, removed safely."""

import re
from pathlib import Path

import pytest

from index import Library
from index.ingest import apart
from index.ingest.additions import (
    AdditionError,
    added_path,
    article_text,
    check_article,
    remove,
    roll_back,
    safe_name,
    save,
)
from index.ingest.readers import MAX_FILE_BYTES
from index.store import catalog

ARTICLE = b"---\ntitle: Harbour budget\n---\n\nThe harbour budget grew.\n"


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Harbour budget", "harbour-budget.md"),
        ("../../etc/passwd", "etc-passwd.md"),
        (".hidden", "hidden.md"),
        ("Café à Zürich — 2025", "cafe-a-zurich-2025.md"),
        ("x" * 300, "x" * 60 + ".md"),
    ],
)
def test_the_file_name_comes_from_the_title_and_is_always_safe(title: str, name: str) -> None:
    assert safe_name(title, ".md") == name


@pytest.mark.parametrize("title", ["Москва", "Киев", "🚀🚀", "...", "---", "???", "Ελλάδα"])
def test_a_title_without_latin_letters_is_named_by_its_hash(title: str) -> None:
    name = safe_name(title, ".md")
    assert re.fullmatch(r"article-[0-9a-f]{8}\.md", name)
    assert safe_name(f" {title}  ", ".md") == name  # the same title, however spaced


def test_distinct_titles_in_any_script_are_saved_as_distinct_files(seeds_dir: Path) -> None:
    """Cyrillic, emoji only, "..." and "---" all became added/article.md: the second was refused,
    and adding it again with replace deleted the first."""
    titles = ["Москва", "Киев", "🚀", "🔥", "...", "---", "Harbour budget", "Harbour budget!", "x" * 70,
              "x" * 70 + "y"]  # fmt: skip
    sources = [
        save(seeds_dir, "a.md", article_text(t, f"Text {n}."), replace=True) for n, t in enumerate(titles)
    ]
    assert not any(saved.replaced for saved in sources)
    assert len({saved.source for saved in sources}) == len(titles)
    for n, saved in enumerate(sources):
        assert f"Text {n}." in (seeds_dir / saved.source).read_text()


def test_replace_overwrites_only_the_article_of_the_same_title(seeds_dir: Path) -> None:
    first = save(seeds_dir, "a.md", article_text("Москва", "First."), replace=False)
    with pytest.raises(AdditionError, match="replace: True"):
        save(seeds_dir, "a.md", article_text("Москва", "Second."), replace=False)
    again = save(seeds_dir, "a.md", article_text("Москва", "Second."), replace=True)
    assert (again.source, again.replaced) == (first.source, True)
    other = save(seeds_dir, "a.md", article_text("Киев", "Third."), replace=True)
    assert not other.replaced and "Second." in (seeds_dir / first.source).read_text()


def test_an_article_is_saved_in_the_added_folder_and_never_overwritten_unasked(seeds_dir: Path) -> None:
    saved = save(seeds_dir, "whatever.md", ARTICLE, replace=False)
    assert (saved.source, saved.replaced) == ("added/harbour-budget.md", False)
    assert [a.title for a in saved.articles] == ["Harbour budget"]
    with pytest.raises(AdditionError, match="replace: True"):
        save(seeds_dir, "other.md", ARTICLE.replace(b"grew", b"shrank"), replace=False)
    assert b"grew" in (seeds_dir / saved.source).read_bytes()
    assert save(seeds_dir, "other.md", ARTICLE.replace(b"grew", b"shrank"), replace=True).replaced
    assert b"shrank" in (seeds_dir / saved.source).read_bytes()
    assert [p.name for p in (seeds_dir / "added").iterdir()] == ["harbour-budget.md"]  # no staging left


@pytest.mark.parametrize(
    ("filename", "data", "reason"),
    [
        ("a.pdf", ARTICLE, "Only .md and .txt files"),
        ("a", ARTICLE, "without extension"),
        ("a.md", b"", "empty file"),
        ("a.md", b"\x00binary", "binary file"),
        ("a.md", b"x" * (MAX_FILE_BYTES + 1), "too large"),
        ("a.md", "\xe9t\xe9".encode("latin-1"), "not UTF-8"),
    ],
)
def test_a_file_the_readers_would_skip_is_refused_and_nothing_is_saved(
    seeds_dir: Path, filename: str, data: bytes, reason: str
) -> None:
    with pytest.raises(AdditionError, match=reason):
        save(seeds_dir, filename, data, replace=False)
    assert not (seeds_dir / "added").exists()


def test_a_saved_article_is_rolled_back_to_what_the_folder_held(seeds_dir: Path) -> None:
    first = save(seeds_dir, "a.md", ARTICLE, replace=False)
    roll_back(seeds_dir, first)
    assert not (seeds_dir / first.source).exists()  # a new one is deleted
    save(seeds_dir, "a.md", ARTICLE, replace=False)
    second = save(seeds_dir, "a.md", ARTICLE.replace(b"grew", b"shrank"), replace=True)
    roll_back(seeds_dir, second)
    assert (seeds_dir / second.source).read_bytes() == ARTICLE  # a replaced one is put back
    assert [p.name for p in (seeds_dir / "added").iterdir()] == ["harbour-budget.md"]


def test_a_file_checked_in_a_process_of_its_own_reads_the_same_and_is_refused_the_same() -> None:
    assert apart.check("a.md", ARTICLE) == check_article("a.md", ARTICLE)
    hostile = b"# Evil\n\n" + b"[" * 40_000
    assert apart.check("evil.md", hostile) == check_article("evil.md", hostile)
    with pytest.raises(AdditionError, match="would be skipped: binary file"):
        apart.check("a.md", b"\x00binary")
    with pytest.raises(AdditionError, match=r"Only \.md and \.txt"):
        apart.check("a.pdf", ARTICLE)


def test_typed_text_becomes_an_article_file(seeds_dir: Path) -> None:
    saved = save(seeds_dir, "typed.md", article_text("  Tram   fares ", "First.\n\nSecond."), replace=False)
    assert saved.source == "added/tram-fares.md"
    assert [(a.title, a.paragraphs) for a in saved.articles] == [("Tram fares", ["First.", "Second."])]


@pytest.mark.parametrize(
    "source", ["seed.md", "added/../seed.md", "added/missing.md", "/etc/passwd", "added"]
)
def test_only_an_added_article_can_be_removed(seeds_dir: Path, source: str) -> None:
    (seeds_dir / "seed.md").write_bytes(ARTICLE)
    with pytest.raises(AdditionError, match="not an article added with /add"):
        remove(seeds_dir, source)
    assert (seeds_dir / "seed.md").exists()


def test_an_added_article_is_removed(seeds_dir: Path) -> None:
    saved = save(seeds_dir, "a.md", ARTICLE, replace=False)
    assert added_path(seeds_dir, saved.source).is_file()
    remove(seeds_dir, saved.source)
    assert not (seeds_dir / saved.source).exists()


async def test_titles_are_found_in_any_case_and_added_ones_apart(database: Path, seeds_dir: Path) -> None:
    (seeds_dir / "seed.md").write_text("---\ntitle: Harbour in Zürich\n---\n\nText.\n")
    save(seeds_dir, "a.md", ARTICLE, replace=False)
    async with Library.open(database=database, seeds_dir=seeds_dir) as lib:
        await lib.reindex()
    found = await catalog.titled(database, "HARBOUR", 10)
    assert [s.article.title for s in found] == ["Harbour budget", "Harbour in Zürich"]
    assert [s.article.title for s in await catalog.titled(database, "zÜrich", 10)] == ["Harbour in Zürich"]
    added = await catalog.titled(database, "", 10, added_only=True)
    assert [(s.article.source, s.passages) for s in added] == [("added/harbour-budget.md", 1)]
    assert await catalog.titled(database, "harbour", 1) == found[:1]
    assert await catalog.titled(database.with_name("none.db"), "x", 5) == []


def test_remove_deletes_a_link_itself_never_its_target(seeds_dir: Path) -> None:
    (seeds_dir / "seed.md").write_bytes(ARTICLE)
    (seeds_dir / "added").mkdir()
    link = seeds_dir / "added" / "linked.md"
    link.symlink_to(seeds_dir / "seed.md")
    remove(seeds_dir, "added/linked.md")
    assert not link.is_symlink() and (seeds_dir / "seed.md").read_bytes() == ARTICLE


@pytest.mark.parametrize("name", [".hidden.md", "notes.pdf", "README", "Hand Made.md", "x.md.bak"])
def test_remove_leaves_files_byline_did_not_make(seeds_dir: Path, name: str) -> None:
    (seeds_dir / "added").mkdir()
    (seeds_dir / "added" / name).write_bytes(ARTICLE)
    with pytest.raises(AdditionError, match="not an article added with /add"):
        remove(seeds_dir, f"added/{name}")
    assert (seeds_dir / "added" / name).exists()


def test_remove_leaves_a_folder_named_like_an_article(seeds_dir: Path) -> None:
    (seeds_dir / "added" / "folder.md").mkdir(parents=True)
    with pytest.raises(AdditionError, match="not an article added with /add"):
        remove(seeds_dir, "added/folder.md")


def test_remove_refuses_an_added_folder_that_is_a_link(seeds_dir: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.md").write_bytes(ARTICLE)
    (seeds_dir / "added").symlink_to(elsewhere)
    with pytest.raises(AdditionError, match="not an article added with /add"):
        remove(seeds_dir, "added/precious.md")
    assert (elsewhere / "precious.md").exists()


@pytest.mark.parametrize("source", ["added/" + "a" * 5000 + ".md", "added/a\x00.md", "\x00", "a" * 70000])
def test_a_bad_name_is_one_line_not_a_crash(seeds_dir: Path, source: str) -> None:
    with pytest.raises(AdditionError, match="not an article added with /add"):
        remove(seeds_dir, source)
