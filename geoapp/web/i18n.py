"""Languages: Russian by default, Kazakh and English; `?lang=` switches and the
choice is kept in the session."""

from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel, get_locale

from geoapp.config import PROJECT_ROOT

LANGUAGES = ("ru", "kk", "en")
DEFAULT_LANGUAGE = "ru"
TRANSLATIONS_DIR = PROJECT_ROOT / "geoapp" / "translations"


def select_locale() -> str:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted
        return wanted
    stored = session.get("lang")
    return stored if stored in LANGUAGES else DEFAULT_LANGUAGE


def current_language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE)


def register(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def language_context() -> dict[str, object]:
        return {"languages": LANGUAGES, "current_language": current_language()}
