"""The bot's features, one cog each: asking (/ask, DMs, mentions), /sources, /reindex, /help."""
