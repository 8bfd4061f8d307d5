"""Reading article files: one reader per format, each returning the articles a file holds.

Readers work on decoded text and know nothing of the index; checking bytes (binary, encoding,
size) happens once in ``decode_article_bytes`` so that every format gets the same treatment.
"""

import re

from index.errors import ArticleFormatError
from index.models import ParsedArticle

ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
MAX_FILE_BYTES = 20 * 1024 * 1024

_RELATIVE_DATE = re.compile(
    r"""^(?:
        (?:a|an|one|few|\d+)\s+(?:second|sec|minute|min|hour|hr|day|week|month|year)s?\s+ago
        |\d+\s*[smhdwy]\s+ago|just\s+now|yesterday|today|last\s+(?:night|week|month|year)
        |\d{4}-\d{2}-\d{2}(?:[T\s][\d:.+\-Z]+)?
        |\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{4}
        |[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# Lines that end the main article on an aggregator page: everything after them is page furniture
# until the related articles begin.
_SECTION_FURNITURE = frozenset(
    {"hashtags", "try our ai features", "comments", "related articles", "related", "more stories",
     "read more", "share this article", "share"}
)  # fmt: skip
_LINE_FURNITURE = re.compile(
    r"^(?:#\w[\w-]*(?:\s+#\w[\w-]*)*|\d{1,2}:\d{2}(?::\d{2})?|advertisement|no comments yet\.*"
    r"|explore what .* can do for you:?|\d+\s+comments?)$",
    re.IGNORECASE,
)
# Video timestamps ("1:30") that the page left between two sentences of a body.
_GLUED_TIMESTAMP = re.compile(r"(?<=[.!?'\"’”])\s+\d{1,2}:\d{2}(?::\d{2})?(?=\s+[\"'‘“]?[A-Z0-9])")
_LEADING_TIMESTAMP = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?\s+(?=[\"'‘“]?[A-Z])")


def clean_body(text: str) -> str:
    """Remove video timestamps that a page left inside running text."""
    text = _LEADING_TIMESTAMP.sub("", text.strip())
    return _GLUED_TIMESTAMP.sub("", text)


# Lines that only an aggregator page has.
_PAGE_MARKERS = frozenset({"related articles", "hashtags", "try our ai features"})


def _is_date_line(line: str) -> bool:
    """The date under a related article's outlet, in whatever form the page gives it.

    The "- Outlet" line after it already identifies the block, so any short line will do; the
    pattern only rules out a sentence."""
    return bool(line) and (bool(_RELATIVE_DATE.match(line)) or (len(line) <= 40 and not line.endswith(".")))


def _is_furniture(line: str) -> bool:
    return bool(_LINE_FURNITURE.match(line))


def _same_outlet(dash_line: str, outlet: str) -> bool:
    """True for the "- Outlet" line that repeats the outlet under its date."""
    match = re.match(r"^[-–—]\s*(.+)$", dash_line)
    return match is not None and match.group(1).strip().casefold() == outlet.strip().casefold()


class AggregatorPageReader:
    """A news-aggregator page: a main article, furniture, then "Related Articles" blocks.

    A related article is recognised by its shape (outlet, date, "- outlet", title, body), not by
    where it stands, so pages with any number of related articles read the same way.
    """

    @staticmethod
    def related_block_starts(lines: list[str]) -> list[int]:
        starts = []
        for i in range(len(lines) - 2):
            outlet, date, dash = lines[i].strip(), lines[i + 1].strip(), lines[i + 2].strip()
            if outlet and _is_date_line(date) and _same_outlet(dash, outlet):
                starts.append(i)
        return starts

    @classmethod
    def recognises(cls, lines: list[str]) -> bool:
        if cls.related_block_starts(lines):
            return True
        return any(line.strip().casefold() in _PAGE_MARKERS for line in lines)

    def read(self, text: str) -> list[ParsedArticle]:
        lines = text.splitlines()
        starts = self.related_block_starts(lines)
        articles = []
        main = self._main_article(lines[: starts[0] if starts else len(lines)])
        if main:
            articles.append(main)
        for n, start in enumerate(starts):
            end = starts[n + 1] if n + 1 < len(starts) else len(lines)
            related = self._related_article(lines[start:end])
            if related:
                articles.append(related)
        return articles

    @staticmethod
    def _main_article(lines: list[str]) -> ParsedArticle | None:
        kept = []
        for line in lines:
            line = line.strip()
            if line.casefold() in _SECTION_FURNITURE:
                break
            if line and not _is_furniture(line):
                kept.append(line)
        if len(kept) < 2:
            return None
        paragraphs = [p for p in (clean_body(line) for line in kept[1:]) if p]
        return ParsedArticle(title=kept[0], paragraphs=paragraphs) if paragraphs else None

    @staticmethod
    def _related_article(block: list[str]) -> ParsedArticle | None:
        outlet, published = block[0].strip(), block[1].strip()
        rest = [line.strip() for line in block[3:]]
        rest = [line for line in rest if line and not _is_furniture(line)]
        # The last block may run into trailing furniture ("Comments", "More stories").
        for i, line in enumerate(rest):
            if line.casefold() in _SECTION_FURNITURE:
                rest = rest[:i]
                break
        if len(rest) < 2:
            return None
        paragraphs = [p for p in (clean_body(line) for line in rest[1:]) if p]
        if not paragraphs:
            return None
        return ParsedArticle(title=rest[0], paragraphs=paragraphs, outlet=outlet, published=published)


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
# Linear in the line, as every pattern here: each is run on text anyone can write, and a pattern
# whose time grows with the square of a line (``[[[[...``, ``*****...``) would hold the processor
# for seconds. So no two quantifiers compete for the same characters, a run is entered only at its
# start (a look-behind), and a part that cannot give back what it took is possessive (``*+``);
# tests/hardening/test_linear_patterns.py times each against plain text of the same length.
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s++(.*)$")
_CLOSING_HASHES = re.compile(r"(?:^|\s)#++$")  # "## Title ##": the closing sequence is optional
_SETEXT_RULE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
# ``[text](url)`` and ``![alt](url)``: the text holds no brackets, the address at most one level of
# parentheses ("wiki/Foo_(bar)").
_MD_LINK = re.compile(r"!?\[([^\[\]]*+)\]\((?:[^()]++|\([^()]*+\))*+\)")
# Emphasis whose text holds no marker of its own kind: ``**bold**``, ``*odd*``, ``__strong__``,
# ``_quiet_``, `` `code` `` (``**a *b* c**`` keeps the inner pair's stars).
_MD_EMPHASIS = re.compile(
    r"\*\*(?=[^\s*])((?:[^*]|\*(?!\*))+?)(?<=[^\s*])\*\*|\*(?=[^\s*])([^*]++)(?<=\S)\*|`(?=[^\s`])([^`]++)(?<=\S)`"
    r"|(?<!\w)__(?=[^\s_])((?:[^_]|_(?!_))+?)(?<=[^\s_])__(?!\w)|(?<!\w)_(?=[^\s_])([^_]++)(?<=\S)_(?!\w)"
)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*+>")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def _heading_text(rest: str) -> str:
    """An ATX heading's text without its closing hashes ("Title ##" -> "Title")."""
    rest = rest.strip()
    closing = _CLOSING_HASHES.search(rest)
    return rest[: closing.start()].strip() if closing else rest


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    fields = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not line.startswith((" ", "\t")):
            fields[key.strip().casefold()] = value.strip().strip("\"'").strip() or ""
    return fields, text[match.end() :]


def _plain_markdown(line: str) -> str:
    line = _MD_LINK.sub(r"\1", line)
    line = _HTML_TAG.sub("", line)
    line = _LIST_MARK.sub("", line)
    line = re.sub(r"^\s*>\s?", "", line)
    return _MD_EMPHASIS.sub(lambda m: next(g for g in m.groups() if g is not None), line).strip()


class DocumentReader:
    """One article per Markdown or plain-text file, with optional front matter.

    Front matter gives ``title``, ``outlet``, ``published`` and ``url``; without a title the first
    heading or line is the title. Paragraphs are blocks separated by blank lines; a file with no
    blank lines at all has one paragraph a line.
    """

    def read(self, text: str) -> list[ParsedArticle]:
        fields, body = _front_matter(text)
        lines = body.splitlines()
        title = fields.get("title") or None
        blocks: list[list[str]] = [[]]
        in_code = False
        for i, raw in enumerate(lines):
            if raw.strip().startswith("```"):
                in_code = not in_code
                continue
            heading = _HEADING.match(raw)
            next_line = lines[i + 1] if i + 1 < len(lines) else ""
            if not in_code and (heading or (raw.strip() and _SETEXT_RULE.match(next_line))):
                text_of_heading = _heading_text(heading.group(2)) if heading else raw.strip()
                if title is None:
                    title = _plain_markdown(text_of_heading)
                blocks.append([])  # a heading ends a paragraph and is not article text
                continue
            if not in_code and _SETEXT_RULE.match(raw) and (not blocks[-1]):
                continue
            if raw.strip():
                blocks[-1].append(_plain_markdown(raw))
            else:
                blocks.append([])
        blocks = [[line for line in block if line] for block in blocks]
        blocks = [block for block in blocks if block]
        if _has_blank(body):
            paragraphs = [" ".join(block) for block in blocks]
        else:
            paragraphs = [line for block in blocks for line in block]
        if title is None and paragraphs:
            title = paragraphs.pop(0)
        if not title or not paragraphs:
            raise ArticleFormatError("no article text found (a title and at least one paragraph)")
        return [
            ParsedArticle(
                title=title,
                paragraphs=paragraphs,
                outlet=fields.get("outlet") or fields.get("source") or None,
                published=fields.get("published") or fields.get("date") or None,
                url=fields.get("url") or None,
            )
        ]


def _has_blank(text: str) -> bool:
    return bool(re.search(r"\n[ \t]*\n", text.strip()))


def check_size(size: int) -> None:
    """ArticleFormatError for a file too large to be one article page."""
    if size > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // 1_048_576
        raise ArticleFormatError(f"too large ({size / 1_048_576:.1f} MB; the limit is {limit} MB)")


def decode_article_bytes(data: bytes) -> str:
    """The file's text, or ArticleFormatError saying why it is not an article file."""
    if not data.strip():
        raise ArticleFormatError("empty file")
    check_size(len(data))
    if b"\x00" in data[:8192]:
        raise ArticleFormatError("binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ArticleFormatError(f"not UTF-8 text (bad byte at offset {error.start})") from None
    if "\x00" in text:
        raise ArticleFormatError("binary file, not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_articles(text: str) -> list[ParsedArticle]:
    """Pick the reader for ``text`` and read it; never returns an empty list."""
    if not text.strip():
        raise ArticleFormatError("empty file")
    lines = text.splitlines()
    reader = AggregatorPageReader() if AggregatorPageReader.recognises(lines) else DocumentReader()
    articles = reader.read(text)
    if not articles:
        raise ArticleFormatError("no article found in the page")
    return articles
