"""geoapp: complaints of Taraz geocoded and mapped. `create_app()` builds the web app;
nothing runs on import."""

from __future__ import annotations

from typing import Any

from flask import Flask

from geoapp.config import PROJECT_ROOT, Settings

__all__ = ["create_app"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The application factory. `config` overrides settings read from the environment
    (keys of `Settings`, e.g. ``database_url``) and Flask config (upper-case keys)."""
    settings = Settings.from_env().with_overrides(
        {k: v for k, v in (config or {}).items() if not k.isupper()}
    )
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(SECRET_KEY=settings.secret_key, GEOAPP_SETTINGS=settings,
                      MAX_CONTENT_LENGTH=settings.max_upload_mb * 2**20)
    app.config.update({k: v for k, v in (config or {}).items() if k.isupper()})
    register_database(app, settings)
    register_catalog(app)
    check_production(app, settings)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_cli(app)
    return app


def register_database(app: Flask, settings: Settings) -> None:
    from geoapp.db import database_url, make_engine, make_session_factory

    # Room for the server's threads, the public tables' refresh and the imports run
    # from the browser beside them (web.import_jobs: two at once, four connections
    # each): SQLAlchemy's default of 5 + 10 would leave pages waiting.
    engine = make_engine(database_url(settings), pool_size=5, max_overflow=20)
    app.extensions["geoapp.engine"] = engine
    app.extensions["geoapp.sessions"] = make_session_factory(engine)


def register_catalog(app: Flask) -> None:
    """Validate the layer catalog at start-up: a bad layer file stops the app."""
    from geoapp.maps.catalog import load_catalog

    app.extensions["geoapp.catalog"] = load_catalog()


def check_production(app: Flask, settings: Settings) -> None:
    """In production, refuse to start with the default secret key or a demo password."""
    from geoapp.errors import ConfigError

    if settings.env != "production":
        return
    from geoapp.config import DEFAULT_SECRET_KEY

    if settings.secret_key == DEFAULT_SECRET_KEY:
        raise ConfigError("GEOAPP_ENV=production needs GEOAPP_SECRET_KEY set to a secret value")
    from geoapp.accounts import demo_passwords_in_use

    demo = demo_passwords_in_use(app.extensions["geoapp.engine"])
    if demo:
        raise ConfigError(f"GEOAPP_ENV=production but demo accounts still have their public "
                          f"passwords: {', '.join(demo)}; change them with "
                          "`geoapp users passwd USER`")


def register_extensions(app: Flask) -> None:
    from flask_wtf import CSRFProtect

    from geoapp.web import auth, context, i18n

    CSRFProtect(app)
    i18n.register(app)
    auth.register(app)
    context.register(app)


BLUEPRINTS = (
    "geoapp.web.health", "geoapp.web.home", "geoapp.web.api", "geoapp.web.officials",
    "geoapp.web.complaints", "geoapp.web.dashboard", "geoapp.web.microdistricts",
    "geoapp.web.admin", "geoapp.web.public", "geoapp.web.track", "geoapp.web.hotspots",
    "geoapp.web.inspector", "geoapp.web.imports",
)


def register_blueprints(app: Flask) -> None:
    """Each module in BLUEPRINTS has a `bp`; importing it also registers its pages."""
    from importlib import import_module

    for name in BLUEPRINTS:
        app.register_blueprint(import_module(name).bp)


def register_error_handlers(app: Flask) -> None:
    from geoapp.web.errors import register

    register(app)


def register_cli(app: Flask) -> None:
    from geoapp.cli import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)
