"""The bot's features, one cog each: asking (/ask, DMs, mentions), /sources, /reindex, /add,
/remove and /stats, /help. They know the bot only as ``bot.protocols.BylineBot``."""
