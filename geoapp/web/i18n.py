"""Languages: Russian by default, Kazakh and English; `?lang=` switches and the
choice is kept in the session. A browser that asks for Kazakh first gets Kazakh; one
that asks for English still gets Russian, the city's working language (many
officials' browsers say en-US), until its user picks English."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

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
    if stored in LANGUAGES:
        return stored
    if request.accept_languages.best_match(LANGUAGES) == "kk":
        return "kk"
    return DEFAULT_LANGUAGE


def language_url(lang: str) -> str:
    """This page in another language, its filters kept. A page that answered a form
    (a POST) is not one to ask for again: the page the form was on, when it is ours."""
    if request.method == "GET":
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
        return request.path + "?" + urlencode([*args, ("lang", lang)])
    back = urlsplit(request.referrer or "")
    if back.netloc == request.host and back.path.startswith("/"):
        return back.path + "?" + urlencode([("lang", lang)])
    return "/?" + urlencode([("lang", lang)])


def current_language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE)


def register(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def language_context() -> dict[str, object]:
        return {"languages": LANGUAGES, "current_language": current_language(),
                "language_url": language_url}
