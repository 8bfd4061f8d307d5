"""Text: the one analyser that turns passages and questions into the same terms, and the
vocabulary (stop words, spellings, synonyms) it reads."""
