"""The Redis cache, degrading to no cache while Redis is down or hung (issue 16: Redis down took the site down).

Django's RedisCache raises on every call when Redis is unreachable, and waits without limit when it
accepts connections but never answers: with sessions read through the cache (cached_db), every
logged-in page answered 500, or waited 20 s. Here:

- short socket timeouts (settings: socket_connect_timeout / socket_timeout in OPTIONS) bound one call;
- a call that fails with a connection error or timeout answers as a cache miss (get → default, set →
  nothing), so cached_db sessions fall back to the database, which stays the record;
- after a failure the process does not ask Redis again for RETRY_AFTER seconds, so during an outage
  only one request in that window pays the timeout;
- a delete that could not reach Redis (a logout's session key) is retried when Redis answers again,
  so a session ended during the outage is not revived from the cache afterwards (in this process;
  a process restarted meanwhile forgets it, and the cached copy then lives at most SESSION_COOKIE_AGE).

/healthz still reports Redis as down (jingyuan_renovation/health.py asks Redis directly).
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)

# Shared by every thread's cache instance of one LOCATION (Django keeps one instance per thread).
_state_lock = threading.Lock()
_down_until: dict[str, float] = {}
_pending_deletes: dict[str, set[str]] = {}


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("retry_after", 10))
        super().__init__(server, {**params, "OPTIONS": options})
        self._location = server if isinstance(server, str) else ",".join(server)

    # --- the breaker --------------------------------------------------------------------------
    def _available(self) -> bool:
        until = _down_until.get(self._location)
        if until is None:
            return True
        if time.monotonic() < until:
            return False
        return self._flush_pending()

    def _failed(self, error: Exception) -> None:
        with _state_lock:
            was_up = self._location not in _down_until
            _down_until[self._location] = time.monotonic() + self.retry_after
        if was_up:
            logger.warning("Redis cache unavailable (%s: %s); serving without cache, retrying in %.0f s",
                           type(error).__name__, error, self.retry_after)

    def _flush_pending(self) -> bool:
        """Redis may be back: replay the deletes it missed, then count it as up."""
        with _state_lock:
            keys = _pending_deletes.pop(self._location, set())
        try:
            if keys:
                self._cache.delete_many(list(keys))
        except UNAVAILABLE as error:
            with _state_lock:
                _pending_deletes.setdefault(self._location, set()).update(keys)
            self._failed(error)
            return False
        with _state_lock:
            _down_until.pop(self._location, None)
        logger.warning("Redis cache available again")
        return True

    def _call(self, fallback, method, *args, **kwargs):
        if not self._available():
            return fallback
        try:
            return getattr(super(), method)(*args, **kwargs)
        except UNAVAILABLE as error:
            self._failed(error)
            return fallback

    def _remember_deletes(self, keys) -> None:
        with _state_lock:
            _pending_deletes.setdefault(self._location, set()).update(keys)

    # --- the cache API ------------------------------------------------------------------------
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(False, "add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(default, "get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(None, "set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(False, "touch", key, timeout, version)

    def delete(self, key, version=None):
        marker = object()
        result = self._call(marker, "delete", key, version)
        if result is marker:
            self._remember_deletes([self.make_and_validate_key(key, version=version)])
            return False
        return result

    def get_many(self, keys, version=None):
        return self._call({}, "get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call(False, "has_key", key, version)

    def incr(self, key, delta=1, version=None):
        marker = object()
        result = self._call(marker, "incr", key, delta, version)
        if result is marker:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(list(data), "set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        marker = object()
        if self._call(marker, "delete_many", keys, version) is marker:
            self._remember_deletes([self.make_and_validate_key(key, version=version) for key in keys])

    def clear(self):
        return self._call(None, "clear")
