"""User accounts: password hashing, creation, authentication, and the demo accounts
(whose passwords are public, so production refuses to start while they work)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, func, select, text, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from geoapp.errors import N_, InputError
from geoapp.models import User
from geoapp.taxonomy import ROLES

MIN_PASSWORD = 8


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    password: str
    full_name: str


DEMO_ACCOUNTS = (
    DemoAccount("official", "official", "official-demo", "Айгерим Сейткали (демо)"),
    DemoAccount("inspector", "inspector", "inspector-demo", "Ерлан Жумабеков (демо)"),
    DemoAccount("admin", "admin", "admin-demo", "Администратор (демо)"),
)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def validate_new_user(username: str, role: str, password: str) -> None:
    if role not in ROLES:
        raise InputError(N_("unknown role %(value)s; one of: %(values)s"), value=repr(role),
                         values=", ".join(ROLES))
    if not username or len(username) > 64 or not username.replace("_", "").replace(
            "-", "").replace(".", "").isalnum():
        raise InputError(N_("a username is 1-64 letters, digits, '.', '-' or '_'"))
    if len(password) < MIN_PASSWORD:
        raise InputError(N_("a password has at least %(n)s characters"), n=MIN_PASSWORD)


def create_user(conn: Connection, username: str, role: str, password: str,
                full_name: str | None = None, is_demo: bool = False) -> int:
    validate_new_user(username, role, password)
    users = User.__table__
    taken = conn.execute(select(users.c.username).where(
        func.lower(users.c.username) == username.lower())).scalar()
    if taken is not None:  # "Official" beside "official": one person's two logins, or a trap
        raise InputError(N_("user %(value)s already exists"), value=repr(taken))
    try:
        with conn.begin_nested():
            return conn.execute(
                User.__table__.insert().values(
                    username=username, role=role, password_hash=hash_password(password),
                    full_name=full_name, is_demo=is_demo,
                ).returning(User.__table__.c.id)
            ).scalar_one()
    except IntegrityError as exc:
        raise InputError(N_("user %(value)s already exists"), value=repr(username)) from exc


def set_password(conn: Connection, username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(N_("a password has at least %(n)s characters"), n=MIN_PASSWORD)
    done = conn.execute(update(User).where(User.username == username).values(
        password_hash=hash_password(password), is_demo=False))
    if done.rowcount == 0:
        raise InputError(N_("no user %(value)s"), value=repr(username))


def authenticate(conn: Connection, username: str, password: str) -> dict | None:
    """The active user with this username and password, or None (same cost either way)."""
    row = conn.execute(
        select(User.__table__).where(User.__table__.c.username == username)
    ).mappings().one_or_none()
    stored = row["password_hash"] if row else hash_password("no such user, same work")
    if not check_password_hash(stored, password) or row is None or not row["is_active"]:
        return None
    conn.execute(update(User).where(User.id == row["id"])
                 .values(last_login_at=datetime.now(UTC)))
    return dict(row)


def ensure_demo_accounts(conn: Connection) -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet; returns all of them."""
    existing = set(conn.execute(select(User.username)).scalars())
    for account in DEMO_ACCOUNTS:
        if account.username not in existing:
            create_user(conn, account.username, account.role, account.password,
                        account.full_name, is_demo=True)
    return list(DEMO_ACCOUNTS)


def demo_passwords_in_use(engine: Engine) -> list[str]:
    """Usernames whose password is still the published demo password."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT username, password_hash FROM users")).all()
    demo = {a.username: a.password for a in DEMO_ACCOUNTS}
    return [u for u, h in rows if u in demo and check_password_hash(h, demo[u])]
