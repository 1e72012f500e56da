"""Login, logout and the role checks every protected page uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import text
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from geoapp.accounts import authenticate
from geoapp.web import engine
from geoapp.web.throttle import Throttle

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
# Failures allowed per username, and (more, since offices share addresses) per address.
USER_FAILURES, ADDRESS_FAILURES = 5, 20


@dataclass
class SessionUser(UserMixin):
    """The logged-in user as the web layer sees it (no ORM object kept in the session)."""

    id: int
    username: str
    role: str
    full_name: str | None
    department_id: int | None
    active: bool = True

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active


@login_manager.user_loader
def load_user(user_id: str) -> SessionUser | None:
    with engine().connect() as conn:
        row = conn.execute(text("""
            SELECT id, username, role, full_name, department_id, is_active FROM users
            WHERE id = :id"""), {"id": int(user_id)}).mappings().one_or_none()
    if row is None or not row["is_active"]:
        return None
    return SessionUser(row["id"], row["username"], row["role"], row["full_name"],
                       row["department_id"])


class LoginForm(FlaskForm):
    username = StringField("username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=256)])


def current_role() -> str | None:
    return current_user.role if current_user.is_authenticated else None


def roles_required(*roles: str, data: bool = False) -> Callable:
    """Anonymous visitors go to the login page; logged-in users without the role get 403.
    A `data` endpoint (JSON a page's script asks for) answers 401 instead: a script
    cannot follow a redirect to a login form, and a session that expired says so."""
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                if data:
                    abort(401)
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        wrapped.answers_json = data  # type: ignore[attr-defined]  # its errors too (errors.py)
        return wrapped
    return decorate


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") \
            and not target.startswith("//"):
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    if request.method == "POST":
        address = request.remote_addr or "?"
        username = (form.username.data or "").strip()
        users, addresses = current_app.extensions["geoapp.login_throttles"]
        user_key, address_key = username.lower(), address
        wait = max(users.blocked(user_key), addresses.blocked(address_key))
        if wait:
            flash(_("Too many failed attempts. Try again in %(minutes)d min.",
                    minutes=int(wait // 60) + 1), "error")
            return render_template("login.html", form=form), 429
        if form.validate_on_submit():
            with engine().begin() as conn:
                row = authenticate(conn, username, form.password.data or "")
            if row is not None:
                users.reset(user_key)
                login_user(SessionUser(row["id"], row["username"], row["role"],
                                       row["full_name"], row["department_id"]))
                return redirect(_safe_next(request.args.get("next")))
            users.fail(user_key)
            addresses.fail(address_key)
            flash(_("Wrong username or password."), "error")
            return render_template("login.html", form=form), 401
        return render_template("login.html", form=form), 400
    return render_template("login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    return redirect(url_for("home.index"))


def register(app: Flask) -> None:
    app.extensions["geoapp.login_throttles"] = (Throttle(USER_FAILURES),
                                                Throttle(ADDRESS_FAILURES))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    app.register_blueprint(bp)
