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
