"""Ingest: the seeds folder to passages. Scanning the folder, one reader per article format,
cutting articles into passages, dates, articles added from Discord, and the re-index that
commits them (in a thread or a process of its own)."""
