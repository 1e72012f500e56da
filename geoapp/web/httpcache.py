"""HTTP caching of the public pages and data: an ETag (hash of the body),
`Cache-Control: public, max-age=300` for anonymous visitors, 304 for a matching
If-None-Match, and a small in-process response cache keyed by the full query and
the generation of the public tables."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, current_app, request
from flask_login import current_user

from geoapp.analysis.public import TABLES
from geoapp.web import engine
from geoapp.web.i18n import current_language

MAX_AGE = 300
CACHE_EXTENSION = "geoapp.public_responses"


class ResponseCache:
    """Bodies by key for `ttl` seconds, at most `size` entries (oldest dropped first)."""

    def __init__(self, ttl: float = MAX_AGE, size: int = 2000) -> None:
        self.ttl, self.size = ttl, size
        self._items: dict[str, tuple[float, bytes, str, dict[str, str]]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Response | None:
        with self._lock:
            hit = self._items.get(key)
        if hit is None or hit[0] < time.monotonic():
            return None
        return Response(hit[1], mimetype=hit[2], headers=hit[3])

    def put(self, key: str, response: Response) -> None:
        kept = {k: v for k, v in response.headers.items() if k == "Content-Disposition"}
        with self._lock:
            if len(self._items) >= self.size:
                self._items.pop(next(iter(self._items)))
            self._items[key] = (time.monotonic() + self.ttl, response.get_data(),
                                response.mimetype or "", kept)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def etag_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def finish(response: Response, shared: bool = True) -> Response:
    """Add the ETag and Cache-Control; answer 304 when the client has this body."""
    body = response.get_data()
    response.set_etag(etag_of(body))
    if shared and not current_user.is_authenticated:
        response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    else:
        response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    return response.make_conditional(request)


def cached_public(view: Callable[..., Response]) -> Callable[..., Response]:
    """A public data view, cached in process by its full query and language."""
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Response:
        cache: ResponseCache = current_app.extensions[CACHE_EXTENSION]
        # A data change refreshes the tables in the background; once one is replaced
        # the generation moves and the responses built from the old one are not used.
        TABLES.refresh_if_stale(engine())
        key = f"{TABLES.generation} {current_language()} {request.full_path}"
        response = cache.get(key)
        if response is None:
            response = view(*args, **kwargs)
            if response.status_code == 200:
                cache.put(key, response)
        return finish(response)
    return wrapped
