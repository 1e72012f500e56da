"""Thin Flask blueprints; the work happens in the modules they call."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from geoapp.config import Settings


def engine() -> Engine:
    return current_app.extensions["geoapp.engine"]


def sessions() -> sessionmaker[Session]:
    return current_app.extensions["geoapp.sessions"]


def settings() -> Settings:
    return current_app.config["GEOAPP_SETTINGS"]
