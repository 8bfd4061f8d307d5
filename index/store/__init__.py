"""Store: the SQLite file (schema, rows, catalog queries), the checksummed segments with exact
BM25Okapi scores beside it, and the checks and repair of both."""
