"""Byline's front ends: the Discord bot and the `byline` command line. No search logic here."""
