"""The semantic layer: a sentence model shipped with Byline, a vector per passage stored with the
index, and the passages nearest a question in meaning as candidates beside BM25's."""
