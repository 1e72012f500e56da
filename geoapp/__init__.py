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
    app.config.update(SECRET_KEY=settings.secret_key, GEOAPP_SETTINGS=settings)
    app.config.update({k: v for k, v in (config or {}).items() if k.isupper()})
    register_database(app, settings)
    register_blueprints(app)
    register_error_handlers(app)
    register_cli(app)
    return app


def register_database(app: Flask, settings: Settings) -> None:
    from geoapp.db import database_url, make_engine, make_session_factory

    engine = make_engine(database_url(settings))
    app.extensions["geoapp.engine"] = engine
    app.extensions["geoapp.sessions"] = make_session_factory(engine)


def register_blueprints(app: Flask) -> None:
    from geoapp.web.health import bp as health_bp
    from geoapp.web.home import bp as home_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(home_bp)


def register_error_handlers(app: Flask) -> None:
    from geoapp.web.errors import register

    register(app)


def register_cli(app: Flask) -> None:
    from geoapp.cli import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)
