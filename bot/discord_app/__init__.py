"""The Discord adapter: slash commands, mentions and threads over the transport-free answer engine."""
