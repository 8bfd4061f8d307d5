"""No import cycles inside ``index/``, counting imports made only for type checking: the answering
side reads the index, never the reverse."""

from ..import_graph import cycle, graph

FACADE = frozenset({"index"})  # the package's __init__ re-exports; its modules never use it


def test_index_modules_import_no_cycle() -> None:
    found = cycle(graph("index"), FACADE)
    assert found is None, " -> ".join(found or [])


def test_a_cycle_through_a_type_only_import_is_found() -> None:
    edges = {"index.answering": {"index.segments"}, "index.segments": {"index.answering"}}
    assert cycle(edges, FACADE) == ["index.answering", "index.segments", "index.answering"]


def test_the_segments_never_import_the_answering_side() -> None:
    for name, targets in graph("index").items():
        if name.startswith("index.segments"):
            assert not targets & {"index.answering", "index.names", "index.library"}, name
