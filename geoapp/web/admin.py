"""Administration (`/admin`): user accounts and departments.

Every change is a POST with the CSRF token; a refused change re-renders the page
with the reason and status 400. An administrator cannot lock themself out.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Connection, RowMapping, text
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from geoapp.accounts import create_user
from geoapp.errors import InputError, NotFound
from geoapp.maps.registry import Page, register_page
from geoapp.taxonomy import ROLE_NAMES, ROLES
from geoapp.web import engine, settings
from geoapp.web.auth import roles_required
from geoapp.web.errors import localized
from geoapp.web.i18n import current_language

bp = Blueprint("admin", __name__)
MAX_NAME = 200

register_page(Page("admin.index", lambda: str(_l("Administration")),
                   lambda: str(_l("user accounts and departments")),
                   frozenset({"admin"}), is_map=False))


def list_users(conn: Connection) -> list[RowMapping]:
    return list(conn.execute(text("""
        SELECT u.id, u.username, u.role, u.full_name, u.department_id, u.is_active,
               u.is_demo, u.last_login_at, d.name AS department
        FROM users u LEFT JOIN departments d ON d.id = u.department_id
        ORDER BY u.username""")).mappings())


def list_departments(conn: Connection) -> list[RowMapping]:
    return list(conn.execute(text("""
        SELECT d.id, d.name, d.name_kk, count(u.id) AS users
        FROM departments d LEFT JOIN users u ON u.department_id = d.id
        GROUP BY d.id ORDER BY d.name""")).mappings())


def _department_id(conn: Connection, raw: str | None) -> int | None:
    """The department chosen in a form: empty is none; anything else must exist."""
    if not raw:
        return None
    if raw.isdigit() and conn.execute(text("SELECT 1 FROM departments WHERE id = :id"),
                                      {"id": int(raw)}).first():
        return int(raw)
    raise InputError(_("There is no such department."))


def _name(raw: str | None, required: bool = True) -> str | None:
    value = (raw or "").strip()
    if not value:
        if required:
            raise InputError(_("A department needs a name."))
        return None
    if len(value) > MAX_NAME:
        raise InputError(_("A name has at most %(n)d characters.", n=MAX_NAME))
    return value


def add_user(conn: Connection, form: dict[str, str]) -> str:
    username = (form.get("username") or "").strip()
    taken = conn.execute(text("SELECT username FROM users WHERE lower(username) = lower(:u)"),
                         {"u": username}).scalar()
    if taken is not None:  # "Official" beside "official" too
        raise InputError(_("User %(username)s already exists.", username=taken))
    full_name = (form.get("full_name") or "").strip() or None
    if full_name and len(full_name) > MAX_NAME:
        raise InputError(_("A name has at most %(n)d characters.", n=MAX_NAME))
    department_id = _department_id(conn, form.get("department_id"))
    try:
        user_id = create_user(conn, username, form.get("role") or "",
                              form.get("password") or "", full_name)
    except InputError as exc:
        raise InputError(_("The user was not added: %(reason)s", reason=localized(exc))) from exc
    conn.execute(text("UPDATE users SET department_id = :d WHERE id = :id"),
                 {"d": department_id, "id": user_id})
    return username


def update_user(conn: Connection, user_id: int, form: dict[str, str]) -> str:
    username = conn.execute(text("SELECT username FROM users WHERE id = :id"),
                            {"id": user_id}).scalar_one_or_none()
    if username is None:
        raise NotFound(_("There is no such user."))
    role = form.get("role") or ""
    if role not in ROLES:
        raise InputError(_("Unknown role."))
    active = form.get("active") == "1"
    if user_id == current_user.id:
        if not active:
            raise InputError(_("You cannot deactivate your own account."))
        if role != "admin":
            raise InputError(_("You cannot take the administrator role from yourself."))
    conn.execute(text("""
        UPDATE users SET role = :role, is_active = :active, department_id = :department
        WHERE id = :id"""), {"role": role, "active": active, "id": user_id,
                             "department": _department_id(conn, form.get("department_id"))})
    return username


def save_department(conn: Connection, department_id: int | None, form: dict[str, str]) -> str:
    """Add a department (`department_id` None) or rename one; names are unique."""
    name = _name(form.get("name"))
    name_kk = _name(form.get("name_kk"), required=False)
    try:
        with conn.begin_nested():
            if department_id is None:
                conn.execute(text("INSERT INTO departments (name, name_kk) VALUES (:n, :kk)"),
                             {"n": name, "kk": name_kk})
            elif conn.execute(text("UPDATE departments SET name = :n, name_kk = :kk "
                                   "WHERE id = :id"),
                              {"n": name, "kk": name_kk, "id": department_id}).rowcount == 0:
                raise NotFound(_("There is no such department."))
    except IntegrityError:
        raise InputError(_("A department named %(name)s already exists.", name=name)) from None
    return str(name)


def render_page(status: int = 200) -> tuple[str, int]:
    language = current_language()
    roles = [(r, ROLE_NAMES[r].get(language, r)) for r in ROLES]
    with engine().connect() as conn:
        users, departments = list_users(conn), list_departments(conn)
    return render_template(
        "admin.html", users=users, departments=departments, form=request.form,
        roles=roles, role_names=dict(roles),
        local_tz=ZoneInfo(settings().timezone),
    ), status


def _done(message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("admin.index"), code=303)


def _refused(exc: InputError) -> tuple[str, int]:
    flash(localized(exc), "error")
    return render_page(400)


@bp.get("/admin")
@roles_required("admin")
def index() -> tuple[str, int]:
    return render_page()


@bp.post("/admin/users")
@roles_required("admin")
def add_user_view() -> Response | tuple[str, int]:
    try:
        with engine().begin() as conn:
            username = add_user(conn, request.form.to_dict())
    except InputError as exc:
        return _refused(exc)
    return _done(_("User %(username)s added.", username=username))


@bp.post("/admin/users/<int:user_id>")
@roles_required("admin")
def update_user_view(user_id: int) -> Response | tuple[str, int]:
    try:
        with engine().begin() as conn:
            username = update_user(conn, user_id, request.form.to_dict())
    except InputError as exc:
        return _refused(exc)
    return _done(_("User %(username)s saved.", username=username))


@bp.post("/admin/departments")
@roles_required("admin")
def add_department_view() -> Response | tuple[str, int]:
    try:
        with engine().begin() as conn:
            name = save_department(conn, None, request.form.to_dict())
    except InputError as exc:
        return _refused(exc)
    return _done(_("Department %(name)s added.", name=name))


@bp.post("/admin/departments/<int:department_id>")
@roles_required("admin")
def rename_department_view(department_id: int) -> Response | tuple[str, int]:
    try:
        with engine().begin() as conn:
            name = save_department(conn, department_id, request.form.to_dict())
    except InputError as exc:
        return _refused(exc)
    return _done(_("Department %(name)s saved.", name=name))
