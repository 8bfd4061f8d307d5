"""No module of ``index/`` or ``bot/`` over 400 lines and no class over 200: past that, a module or
a class holds more than one job, and the next engineer reads it whole to change one of them."""

import ast
from pathlib import Path

from .import_graph import ROOT

MODULE_MAX = 400
CLASS_MAX = 200


def too_large(path: Path, source: str | None = None) -> list[str]:
    """What in ``path`` (or ``source``, as if it were there) is over the limits, as
    ``path: what (lines)``; a nested class is measured as well as the class around it."""
    text = source if source is not None else path.read_text(encoding="utf-8")
    name = path.relative_to(ROOT)
    found = []
    lines = len(text.splitlines())
    if lines > MODULE_MAX:
        found.append(f"{name}: module ({lines} lines)")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef):
            size = (node.end_lineno or node.lineno) - node.lineno + 1
            if size > CLASS_MAX:
                found.append(f"{name}: class {node.name} ({size} lines)")
    return found


def test_no_module_over_400_lines_and_no_class_over_200() -> None:
    found = [
        large
        for package in ("index", "bot")
        for path in sorted((ROOT / package).rglob("*.py"))
        for large in too_large(path)
    ]
    assert found == []


def test_a_long_module_and_a_long_class_are_found() -> None:
    body = "".join(f"    a{i} = {i}\n" for i in range(CLASS_MAX))
    source = "class Long:\n" + body + "\n\nclass Short:\n    pass\n"
    assert too_large(ROOT / "bot" / "long.py", source) == [f"bot/long.py: class Long ({CLASS_MAX + 1} lines)"]
    source = "x = 1\n" * (MODULE_MAX + 1)
    assert too_large(ROOT / "index" / "long.py", source) == [
        f"index/long.py: module ({MODULE_MAX + 1} lines)"
    ]


def test_a_module_and_a_class_at_the_limits_pass() -> None:
    body = "".join(f"    a{i} = {i}\n" for i in range(CLASS_MAX - 1))
    source = "class Full:\n" + body + "x = 1\n" * (MODULE_MAX - CLASS_MAX)
    assert len(source.splitlines()) == MODULE_MAX
    assert too_large(ROOT / "index" / "full.py", source) == []
