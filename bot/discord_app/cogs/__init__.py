"""One extension per command group. A cog does Discord I/O only: parse options, defer, call the
engine through the host, render with `bot.discord_app.render`, send."""
