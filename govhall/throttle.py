"""Counting attempts in the cache, for the throttles of log-in, remote tickets and case queries."""

from django.core.cache import cache


def attempts_counted(key: str) -> int:
    """How many attempts `key` has in its current window (0 if none)."""
    count: int = cache.get(key) or 0
    return count


def attempt_count(key: str, window_seconds: int) -> int:
    """Count one more attempt; the window starts with the first attempt. Returns the new count."""
    cache.add(key, 0, window_seconds)
    try:
        return cache.incr(key)
    except ValueError:
        # The window ended between add and incr: this attempt opens the next one.
        cache.set(key, 1, window_seconds)
        return 1
