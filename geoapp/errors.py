"""The small family of errors a user may see: each maps to an HTTP status and to a
one-line CLI message, never a traceback."""

from __future__ import annotations


class GeoappError(Exception):
    """Base class: `str(error)` is the one line shown to the user."""

    http_status = 500
    exit_code = 1


class ConfigError(GeoappError):
    exit_code = 2


class InputError(GeoappError):
    http_status = 400
    exit_code = 2


class NotFound(GeoappError):
    http_status = 404


class Conflict(GeoappError):
    """The data changed since the user loaded it (a stale optimistic-lock version)."""

    http_status = 409


class DatabaseUnavailable(GeoappError):
    http_status = 503
    exit_code = 3


class LocalDatabaseError(GeoappError):
    """The embedded PostgreSQL cluster could not be set up or started."""

    exit_code = 3
