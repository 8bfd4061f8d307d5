"""index.ingest.readers: aggregator pages, Markdown / plain-text articles, and files that are not articles."""

import re

import pytest

from index.errors import ArticleFormatError
from index.ingest.readers import MAX_FILE_BYTES, decode_article_bytes, parse_articles
from index.models import ParsedArticle

from ..support import FURNITURE, SEED_PAGE, Related, aggregator_page, markdown_article

TIMESTAMP = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?![\d:])")


@pytest.fixture(scope="module")
def seed_articles() -> list[ParsedArticle]:
    return parse_articles(decode_article_bytes(SEED_PAGE.read_bytes()))


def body(article: ParsedArticle) -> str:
    return " ".join(article.paragraphs)


# --- the seed page ---------------------------------------------------------------------------------


def test_seed_page_holds_exactly_four_articles_with_their_titles(seed_articles: list[ParsedArticle]) -> None:
    assert [a.title for a in seed_articles] == [
        "US sets up ‘war-fighting HQ' in Japan for possible China conflict",
        "Japanese rover smashes into moon in fresh disaster for embattled space company",
        "NATO allies agree huge spending boost as US demands they are 'ready' for Russia",
        "Americans are wearing biggest smiles in NATO defence spending battle",
    ]


def test_seed_page_main_article_has_no_outlet_and_related_articles_have_theirs(
    seed_articles: list[ParsedArticle],
) -> None:
    assert [a.outlet for a in seed_articles] == [None, "Daily Mirror", "Daily Mirror", "Sky News"]


def test_seed_page_published_dates_are_kept_as_written(seed_articles: list[ParsedArticle]) -> None:
    assert [a.published for a in seed_articles] == [None, "12 hours ago", "a day ago", "a day ago"]


@pytest.mark.parametrize(
    "furniture",
    [
        "Hashtags",
        "Try Our AI Features",
        "Explore what Daily8 AI can do for you:",
        "Comments",
        "No comments yet...",
        "Related Articles",
        "- Daily Mirror",
        "- Sky News",
    ],
)
def test_seed_page_furniture_never_appears_in_a_paragraph(
    seed_articles: list[ParsedArticle], furniture: str
) -> None:
    for article in seed_articles:
        for paragraph in article.paragraphs:
            assert furniture not in paragraph


def test_seed_page_video_timestamps_are_not_article_text(seed_articles: list[ParsedArticle]) -> None:
    for article in seed_articles:
        for paragraph in article.paragraphs:
            assert not TIMESTAMP.search(paragraph), paragraph


def test_seed_page_main_article_keeps_every_paragraph_line(seed_articles: list[ParsedArticle]) -> None:
    lines = SEED_PAGE.read_text(encoding="utf-8").splitlines()
    first = lines.index(seed_articles[0].title) + 1
    last = lines.index("Hashtags")
    assert seed_articles[0].paragraphs == [line.strip() for line in lines[first:last] if line.strip()]


def test_seed_page_related_body_keeps_the_text_around_a_removed_timestamp(
    seed_articles: list[ParsedArticle],
) -> None:
    sky = body(seed_articles[3])
    assert "coming to a resolution. Certainly there was a bounce" in sky
    assert "that isn't America. It's Poland, which has ramped up" in sky
    assert sky.startswith("Everyone at NATO knows about battles.")
    assert sky.endswith("the big rise only comes at the end.")


# --- pages written in the same format --------------------------------------------------------------

MAIN_TITLE = "Harbour town votes for giant hydrogen plant"
MAIN_PARAGRAPHS = [
    "Residents of a small harbour town approved a large hydrogen plant on Sunday.",
    "The council said construction would begin next spring and employ 400 people.",
    "Opponents said the plant would spoil the view from the beach.",
]
REUTERS = Related(
    "Reuters",
    "3 hours ago",
    "EU carbon price slides below 60 euros",
    "Benchmark contract fell on Tuesday as traders bet on weaker output European carbon prices fell "
    "below 60 euros a tonne on Tuesday. Traders said industrial demand was weak.",
)
GUARDIAN = Related(
    "The Guardian",
    "yesterday",
    "Heat pump installations fall by a fifth",
    "Installations dropped in the spring with installers blaming mixed messages over grants Heat pump "
    "installations fell by almost a fifth. Installers blamed confusion over the upgrade grant.",
)
BBC = Related(
    "BBC News",
    "2 days ago",
    "Danish port town backs hydrogen project",
    "Residents backed the project by 62.4% to 37.6% after a bitter campaign Voters in the Danish port "
    "town have approved plans for the plant. The company said work would start in 2026.",
)
INDEPENDENT = Related(
    "The Independent",
    "2025-06-01",
    "Highland pumped hydro scheme approved",
    "Ministers gave a green light to the £1.9bn Glen Arroch project that could store power for three "
    "million homes. Anglers said it threatens a fragile salmon river.",
)
MIRROR = Related(
    "Daily Mirror",
    "a day ago",
    "Wind farm workers strike over pay",
    "Hundreds of offshore wind technicians walked out on Monday. The union said talks had failed.",
)


def test_page_with_two_related_articles_reads_three_articles() -> None:
    articles = parse_articles(aggregator_page(MAIN_TITLE, MAIN_PARAGRAPHS, [REUTERS, GUARDIAN]))
    assert [(a.title, a.outlet, a.published) for a in articles] == [
        (MAIN_TITLE, None, None),
        (REUTERS.title, "Reuters", "3 hours ago"),
        (GUARDIAN.title, "The Guardian", "yesterday"),
    ]


def test_page_with_five_related_articles_reads_six_articles() -> None:
    related = [REUTERS, GUARDIAN, BBC, INDEPENDENT, MIRROR]
    articles = parse_articles(aggregator_page(MAIN_TITLE, MAIN_PARAGRAPHS, related))
    assert [(a.title, a.outlet, a.published) for a in articles] == [
        (MAIN_TITLE, None, None),
        *[(r.title, r.outlet, r.published) for r in related],
    ]


@pytest.mark.parametrize(
    "published",
    [
        "an hour ago",
        "5 mins ago",
        "Yesterday",
        "June 1, 2025",
        "1 June 2025",
        "2025-06-01T09:30:00Z",
        "01/06/2025",
    ],
)
def test_related_article_date_is_kept_as_written(published: str) -> None:
    dated = Related("Reuters", published, REUTERS.title, REUTERS.body)
    articles = parse_articles(aggregator_page(MAIN_TITLE, MAIN_PARAGRAPHS, [dated, GUARDIAN]))
    assert [(a.title, a.outlet, a.published) for a in articles[1:]] == [
        (REUTERS.title, "Reuters", published),
        (GUARDIAN.title, "The Guardian", "yesterday"),
    ]


def test_page_main_article_paragraphs_are_its_lines() -> None:
    articles = parse_articles(aggregator_page(MAIN_TITLE, MAIN_PARAGRAPHS, [REUTERS, GUARDIAN]))
    assert articles[0].paragraphs == MAIN_PARAGRAPHS


def test_page_related_body_with_a_glued_standfirst_is_kept_whole() -> None:
    articles = parse_articles(aggregator_page(MAIN_TITLE, MAIN_PARAGRAPHS, [REUTERS, GUARDIAN, BBC]))
    assert [body(a) for a in articles[1:]] == [REUTERS.body, GUARDIAN.body, BBC.body]


def test_page_furniture_between_main_paragraphs_is_dropped() -> None:
    paragraphs = [MAIN_PARAGRAPHS[0], "Advertisement", MAIN_PARAGRAPHS[1], "1:30", MAIN_PARAGRAPHS[2]]
    articles = parse_articles(aggregator_page(MAIN_TITLE, paragraphs, [REUTERS]))
    assert articles[0].paragraphs == MAIN_PARAGRAPHS


def test_page_hashtag_lines_are_not_article_text() -> None:
    furniture = ["Hashtags", "#Hydrogen #Energy", "#Denmark", "", *FURNITURE[2:]]
    articles = parse_articles(aggregator_page(MAIN_TITLE, MAIN_PARAGRAPHS, [REUTERS], furniture=furniture))
    assert articles[0].paragraphs == MAIN_PARAGRAPHS
    assert all("#" not in body(a) for a in articles)


def test_page_timestamp_glued_into_a_related_body_is_removed() -> None:
    glued = Related(
        "Reuters",
        "3 hours ago",
        "Carbon price slides",
        "Prices fell on Tuesday. 2:45 Traders said demand was weak.",
    )
    articles = parse_articles(aggregator_page(MAIN_TITLE, MAIN_PARAGRAPHS, [glued]))
    assert body(articles[1]) == "Prices fell on Tuesday. Traders said demand was weak."


def test_page_trailing_furniture_after_the_last_related_article_is_dropped() -> None:
    page = aggregator_page(
        MAIN_TITLE, MAIN_PARAGRAPHS, [REUTERS, GUARDIAN], trailer=["Comments", "12 comments", "More stories"]
    )
    articles = parse_articles(page)
    assert len(articles) == 3
    assert articles[2].paragraphs == [GUARDIAN.body]


def test_page_with_other_furniture_order_reads_the_same() -> None:
    furniture = ["Comments", "No comments yet...", "Try Our AI Features"]
    articles = parse_articles(aggregator_page(MAIN_TITLE, MAIN_PARAGRAPHS, [REUTERS], furniture=furniture))
    assert [a.title for a in articles] == [MAIN_TITLE, REUTERS.title]
    assert articles[0].paragraphs == MAIN_PARAGRAPHS


def test_page_without_related_articles_after_its_heading_is_one_article() -> None:
    articles = parse_articles(aggregator_page(MAIN_TITLE, MAIN_PARAGRAPHS))
    assert [(a.title, a.paragraphs) for a in articles] == [(MAIN_TITLE, MAIN_PARAGRAPHS)]


def test_page_ending_with_its_furniture_and_no_related_heading_is_one_clean_article() -> None:
    articles = parse_articles(aggregator_page(MAIN_TITLE, MAIN_PARAGRAPHS, heading=None))
    assert [(a.title, a.paragraphs) for a in articles] == [(MAIN_TITLE, MAIN_PARAGRAPHS)]


# --- Markdown and plain text -----------------------------------------------------------------------


def test_front_matter_gives_title_outlet_published_and_url() -> None:
    text = markdown_article(
        "Poland's defence budget hits record",
        ["First paragraph.", "Second paragraph."],
        outlet="Example News",
        published="2025-06-01",
        url="https://example.org/poland",
    )
    [article] = parse_articles(text)
    assert (article.title, article.outlet, article.published, article.url) == (
        "Poland's defence budget hits record",
        "Example News",
        "2025-06-01",
        "https://example.org/poland",
    )
    assert article.paragraphs == ["First paragraph.", "Second paragraph."]


def test_front_matter_quoted_title_with_a_colon_is_read_whole() -> None:
    [article] = parse_articles('---\ntitle: "Poland: the budget"\n---\nBody one.\n')
    assert article.title == "Poland: the budget"


def test_without_front_matter_the_first_heading_is_the_title() -> None:
    [article] = parse_articles(
        "# Frost ruins cider orchards\n\nGrowers lost the harvest.\n\nInsurers paid.\n"
    )
    assert article.title == "Frost ruins cider orchards"
    assert article.paragraphs == ["Growers lost the harvest.", "Insurers paid."]
    assert (article.outlet, article.published, article.url) == (None, None, None)


def test_front_matter_without_a_title_takes_the_first_heading() -> None:
    [article] = parse_articles("---\noutlet: Orchard Times\n---\n# Frost ruins orchards\n\nGrowers lost.\n")
    assert (article.title, article.outlet) == ("Frost ruins orchards", "Orchard Times")


def test_setext_heading_is_the_title() -> None:
    [article] = parse_articles("Frost ruins orchards\n====================\n\nGrowers lost.\n")
    assert article.title == "Frost ruins orchards"
    assert article.paragraphs == ["Growers lost."]


def test_without_heading_the_first_line_is_the_title() -> None:
    [article] = parse_articles("Frost ruins orchards\n\nGrowers lost the harvest.\n")
    assert article.title == "Frost ruins orchards"
    assert article.paragraphs == ["Growers lost the harvest."]


def test_sub_headings_are_not_paragraphs() -> None:
    [article] = parse_articles("# Title\n\nFirst part.\n\n## Background\n\nSecond part.\n")
    assert article.paragraphs == ["First part.", "Second part."]


def test_blank_lines_separate_paragraphs_and_wrapped_lines_are_joined() -> None:
    [article] = parse_articles("# T\n\nOne sentence\nwrapped here.\n\nAnother paragraph.\n")
    assert article.paragraphs == ["One sentence wrapped here.", "Another paragraph."]


def test_text_without_blank_lines_has_one_paragraph_a_line() -> None:
    [article] = parse_articles("Frost ruins orchards\nGrowers lost the harvest.\nInsurers paid out.\n")
    assert article.title == "Frost ruins orchards"
    assert article.paragraphs == ["Growers lost the harvest.", "Insurers paid out."]


def test_markdown_links_and_images_keep_only_their_text() -> None:
    [article] = parse_articles("# T\n\nSee [the report](https://x.org/r) and ![a chart](c.png) now.\n")
    assert article.paragraphs == ["See the report and a chart now."]


def test_markdown_emphasis_and_code_marks_are_stripped() -> None:
    [article] = parse_articles("# T\n\nA **bold** claim, an *odd* one, a __strong__ _quiet_ `code` word.\n")
    assert article.paragraphs == ["A bold claim, an odd one, a strong quiet code word."]


def test_markdown_intraword_underscores_are_kept() -> None:
    [article] = parse_articles("# T\n\nThe file is called annual_report_2024 on the site.\n")
    assert article.paragraphs == ["The file is called annual_report_2024 on the site."]


# --- bytes that are not an article -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t \r\n ", "empty"),
        (b"Title\nSome text\x00\x01\x02 more", "binary"),
        ("Café crème\nUn article en français.\n".encode("latin-1"), "UTF-8"),
    ],
    ids=["empty", "whitespace-only", "binary", "latin-1"],
)
def test_undecodable_bytes_raise_article_format_error_with_the_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ArticleFormatError, match=reason):
        decode_article_bytes(data)


def test_file_over_the_size_limit_is_rejected_as_too_large() -> None:
    with pytest.raises(ArticleFormatError, match="too large"):
        decode_article_bytes(b"T\n" + b"a" * MAX_FILE_BYTES)


def test_file_at_the_size_limit_is_accepted() -> None:
    assert len(decode_article_bytes(b"T\n" + b"a" * (MAX_FILE_BYTES - 2))) == MAX_FILE_BYTES


def test_utf8_byte_order_mark_and_crlf_are_normalised() -> None:
    assert decode_article_bytes(b"\xef\xbb\xbfTitle\r\nBody.\r\n") == "Title\nBody.\n"


@pytest.mark.parametrize("text", ["", "   \n\n  "], ids=["empty", "whitespace-only"])
def test_parse_articles_rejects_empty_text(text: str) -> None:
    with pytest.raises(ArticleFormatError, match="empty"):
        parse_articles(text)


def test_page_of_only_furniture_is_not_an_article() -> None:
    with pytest.raises(ArticleFormatError, match="no article"):
        parse_articles("\n".join([*FURNITURE, "Related Articles"]) + "\n")


def test_page_of_only_furniture_without_related_heading_is_not_an_article() -> None:
    with pytest.raises(ArticleFormatError, match="no article"):
        parse_articles("\n".join(FURNITURE) + "\n")


def test_title_without_any_paragraph_is_not_an_article() -> None:
    with pytest.raises(ArticleFormatError, match="no article"):
        parse_articles("# Only a heading\n")
