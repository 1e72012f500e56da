"""The small family of errors a user may see: each maps to an HTTP status and to a
one-line CLI message, never a traceback."""

from __future__ import annotations


def N_(message: str) -> str:  # the name gettext's tools look for
    """Mark an English message for translation where it is written; it is translated
    where it is shown (`localized`), in the language of whoever reads it."""
    return message


class Worded(str):
    """A message in English that can be shown translated: the English text itself,
    with the template (marked with N_) and the values it was filled in with, for a
    reason that travels as text (a rejected feature's, in an import's summary)."""

    template: str
    params: dict[str, str | int | float]

    @classmethod
    def of(cls, template: str, **params: str | int | float) -> Worded:
        worded = cls(template % params if params else template)
        worded.template, worded.params = template, params
        return worded

    def as_dict(self) -> dict[str, object]:
        return {"template": self.template, "params": self.params}


def worded_fields(reason: str) -> dict[str, object]:
    """What a reason adds to its JSON to be shown translated (nothing for plain text)."""
    return reason.as_dict() if isinstance(reason, Worded) else {}


def error_fields(error: str | None) -> dict[str, object]:
    """An import summary's `error` in its JSON, with what shows it translated."""
    if not error:
        return {}
    return {"error": error, **{f"error_{k}": v for k, v in worded_fields(error).items()}}


class GeoappError(Exception):
    """Base class: `str(error)` is the one line shown to the user, in English (the
    command line's language). Raised as `InputError(N_("%(file)s is empty"),
    file=name)`, the message is also shown translated on the web pages."""

    http_status = 500
    exit_code = 1

    def __init__(self, message: str = "", **params: object) -> None:
        self.template = message
        self.params = params
        super().__init__(message % params if params else message)


def worded(exc: GeoappError) -> str:
    """The error's one line, as a Worded text when it was written for translation."""
    return Worded.of(exc.template, **exc.params) if exc.template else str(exc)


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


class Busy(GeoappError):
    """The server is doing as much of this as it takes at once; ask again later."""

    http_status = 503


class DatabaseUnavailable(GeoappError):
    http_status = 503
    exit_code = 3


class LocalDatabaseError(GeoappError):
    """The embedded PostgreSQL cluster could not be set up or started."""

    exit_code = 3
