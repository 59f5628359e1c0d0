"""Per-(server, user) rate limits: at most `rate` requests in any `per_seconds` window."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from bot.discord_app.settings import Cooldown

Key = tuple[int | None, int]  # (guild id, or None in direct messages; user id)
PRUNE_EVERY = 1000  # requests between sweeps of idle keys, so memory stays bounded


class Cooldowns:
    def __init__(self, cooldown: Cooldown, clock: Callable[[], float] | None = None) -> None:
        self.rate = cooldown.rate
        self.per = cooldown.per_seconds
        # Looked up at call time, so a test clock that replaces time.monotonic applies.
        self._clock = clock or (lambda: time.monotonic())
        self._recent: dict[Key, deque[float]] = {}
        self._calls = 0
        self._longest = self.per  # the longest window in use: keys idle for longer are dropped

    def hit(self, guild_id: int | None, user_id: int, cooldown: Cooldown | None = None) -> float:
        """Count a request; 0.0 if it may go ahead, else the seconds to wait (nothing counted).

        `cooldown`: the server's own limit, instead of this one's."""
        rate, per = (cooldown.rate, cooldown.per_seconds) if cooldown else (self.rate, self.per)
        if not rate:
            return 0.0
        now = self._clock()
        self._longest = max(self._longest, per)
        self._calls += 1
        if self._calls % PRUNE_EVERY == 0:
            self._prune(now)
        recent = self._recent.setdefault((guild_id, user_id), deque())
        while recent and now - recent[0] >= per:
            recent.popleft()
        if len(recent) >= rate:
            return max(recent[0] + per - now, 0.001)
        recent.append(now)
        return 0.0

    def refund(self, guild_id: int | None, user_id: int) -> None:
        """Take back the latest counted request (one refused for what the user typed)."""
        recent = self._recent.get((guild_id, user_id))
        if recent:
            recent.pop()

    def _prune(self, now: float) -> None:
        idle = [key for key, times in self._recent.items() if not times or now - times[-1] >= self._longest]
        for key in idle:
            del self._recent[key]


def retry_message(seconds: float) -> str:
    """A friendly 'try again' line, rounded up to whole seconds."""
    wait = max(1, math.ceil(seconds))
    unit = "second" if wait == 1 else "seconds"
    return f"You're asking a little fast. Please try again in {wait} {unit}."
