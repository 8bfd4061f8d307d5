"""No import cycles inside ``index/``, counting imports made only for type checking: the answering
side reads the index, never the reverse."""

from ..import_graph import cycle, graph

FACADE = frozenset({"index"})  # the package's __init__ re-exports; its modules never use it


def test_index_modules_import_no_cycle() -> None:
    found = cycle(graph("index"), FACADE)
    assert found is None, " -> ".join(found or [])


def test_a_cycle_through_a_type_only_import_is_found() -> None:
    answer, segments = "index.answer.selection", "index.store.segments"
    edges = {answer: {segments}, segments: {answer}}
    assert cycle(edges, FACADE) == [answer, segments, answer]


def test_the_segments_never_import_the_answering_side() -> None:
    for name, targets in graph("index").items():
        if name.startswith("index.store.segments"):
            assert not targets & {"index.answer.selection", "index.answer.names", "index.library"}, name


def test_only_the_analyser_compiles_a_word_pattern() -> None:
    """One tokeniser: a pattern that finds words (``\\w+``, ``[a-z]+``, ``[^\\W...]``) is compiled
    only in index/text/ (the analyser and its marking); everything else asks it for words."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "index"
    word = re.compile(r"\\w[+*]|\[(?:A-Z)?a-z(?:A-Z)?\][+*]|\[\^\\W")
    found = []
    for path in root.rglob("*.py"):
        if path.parent == root / "text":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "re.compile" in line and word.search(line):
                found.append(f"{path.relative_to(root)}:{number}")
    assert not found, found
