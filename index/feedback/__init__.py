"""Feedback: the votes people give answers, and the report of what was asked and not answered."""
