"""The answer engine: retrieval and answer composition. Knows nothing of Discord."""
