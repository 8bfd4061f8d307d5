"""index.store.schema: every statement it holds is valid SQL against the schema it creates."""

import sqlite3

import pytest

from index.store import schema

STATEMENTS = {
    name: value
    for name, value in vars(schema).items()
    if name.isupper()
    and isinstance(value, str)
    and value.startswith(("SELECT", "INSERT", "UPDATE", "DELETE"))
}


def test_the_module_holds_the_statements_the_others_run() -> None:
    shared = {"INSERT_SOURCE", "INSERT_ARTICLE", "INSERT_PASSAGE", "SELECT_PASSAGES", "UPSERT_META"}
    assert shared <= set(STATEMENTS)


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_each_statement_compiles_against_the_schema(name: str) -> None:
    db = sqlite3.connect(":memory:")
    db.executescript(schema.SCHEMA + schema.FEEDBACK_SCHEMA)
    sql = STATEMENTS[name]
    db.execute(f"EXPLAIN {sql}", [None] * sql.count("?"))  # prepared, not run: any error is raised


def test_a_database_from_before_sources_counted_passages_gets_the_columns() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE sources (path TEXT PRIMARY KEY, sha256 TEXT, size INTEGER, mtime_ns INTEGER)")
    db.execute("INSERT INTO sources VALUES ('a.md', 'x', 1, 2)")
    schema.count_passages_per_source(db)
    schema.count_passages_per_source(db)  # a second time: nothing to add
    rows = db.execute("SELECT path, passages, first_passage FROM sources").fetchall()
    assert rows == [("a.md", None, None)]
