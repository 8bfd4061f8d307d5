"""The bot's features, one discord.py extension each: asking (/ask, DMs, mentions), /sources,
/reindex, /add, /remove and /stats, /help. Each module ends with ``async def setup(bot)``, which
adds its cog and the buttons it owns (bot/wiring.py lists them for ``load_extension``). They know
the bot only as ``bot.protocols.BylineBot``."""
