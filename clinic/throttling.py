"""Rate limits that keep working when the shared cache (Redis) does not.

DRF's throttles keep their counters in the default cache. When Redis is down, a cache read raises and every public
booking would answer 500; a clinic would rather take a booking than refuse it. So the counters fall back to this
process's own memory (logged): each web process then limits on its own, looser but still bounded, until Redis is back.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError
from rest_framework.throttling import ScopedRateThrottle

log = logging.getLogger(__name__)

# OSError: the file cache of a development set-up on a full disk.
CACHE_ERRORS = (RedisError, OSError)
_WARN_EVERY_SECONDS = 60.0
_RETRY_SHARED_AFTER_SECONDS = 5.0


class FailOpenCache:
    """The default cache while it answers; this process's memory when it does not."""

    def __init__(self):
        self.local = LocMemCache("medius-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
        self._warned_at = -_WARN_EVERY_SECONDS
        self._down_until = 0.0

    def _shared(self):
        # After a failure, requests skip Redis for a few seconds: each try may cost a connection timeout.
        return None if time.monotonic() < self._down_until else caches["default"]

    def _fallback(self, exc: Exception):
        now = time.monotonic()
        self._down_until = now + _RETRY_SHARED_AFTER_SECONDS
        if now - self._warned_at >= _WARN_EVERY_SECONDS:
            self._warned_at = now
            log.warning("rate-limit cache unavailable (%s): limiting in this process only", exc.__class__.__name__)
        return self.local

    def get(self, key, default=None):
        shared = self._shared()
        if shared is None:
            return self.local.get(key, default)
        try:
            return shared.get(key, default)
        except CACHE_ERRORS as exc:
            return self._fallback(exc).get(key, default)

    def set(self, key, value, timeout=None):
        shared = self._shared()
        if shared is None:
            self.local.set(key, value, timeout)
            return
        try:
            shared.set(key, value, timeout)
        except CACHE_ERRORS as exc:
            self._fallback(exc).set(key, value, timeout)

    def reset(self) -> None:
        """Forget the fallback counters and try Redis again at once (tests)."""
        self.local.clear()
        self._down_until = 0.0


fail_open_cache = FailOpenCache()


class FailOpenScopedRateThrottle(ScopedRateThrottle):
    """ScopedRateThrottle whose counters survive a Redis outage (see the module docstring)."""

    cache = fail_open_cache
