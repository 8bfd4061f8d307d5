"""Answer: from a question's terms to the passages shown: candidates, re-ordering features,
names, closeness in meaning, and the verdict."""
