"""Per-user flood limit and retries for transient Bot API errors."""
from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict, deque
from typing import Awaitable, Callable, Deque, Dict, TypeVar

from telegram.error import NetworkError, RetryAfter, TimedOut

log = logging.getLogger("sanctuary.telegram")
T = TypeVar("T")


class FloodLimiter:
    """At most `limit` messages per user in `window` seconds; says so once per window."""

    def __init__(self, limit: int = 20, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self.seen: Dict[str, Deque[float]] = defaultdict(deque)
        self.warned: Dict[str, float] = {}

    def check(self, user: str) -> str:
        """Return "ok", "warn" (first message over the limit) or "drop"."""
        now = time.monotonic()
        times = self.seen[user]
        while times and now - times[0] > self.window:
            times.popleft()
        if len(times) >= self.limit:
            if now - self.warned.get(user, -1e9) > self.window:
                self.warned[user] = now
                return "warn"
            return "drop"
        times.append(now)
        return "ok"


async def with_retries(call: Callable[[], Awaitable[T]], attempts: int = 4, base_delay: float = 0.5) -> T:
    """Retry on 429 (honouring retry_after) and on 5xx / network errors, with backoff."""
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as error:
            retry = error.retry_after  # seconds, or a timedelta in newer PTB
            delay = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
            log.warning("Bot API asked to wait %.1f s (429)", delay)
            if attempt == attempts:
                raise
            await asyncio.sleep(delay)
        except (TimedOut, NetworkError) as error:
            if attempt == attempts:
                raise
            log.warning("Bot API error (%s); retry %d", type(error).__name__, attempt)
            await asyncio.sleep(base_delay * 2 ** (attempt - 1))
    raise RuntimeError("unreachable")
