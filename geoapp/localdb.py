"""The embedded default database: a project-local PostgreSQL + PostGIS cluster.

Data lives under `<data_dir>/pgdata` (`.geoapp/` in the checkout, git-ignored),
the server listens on 127.0.0.1 only, with trust authentication for the
`geoapp` role: it is a developer's and a demo's database, not a production one.
PostgreSQL refuses to run as root, so under root every server command runs as
the `postgres` OS user on a data directory that user owns.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg

from geoapp.config import Settings
from geoapp.db import LOCAL_DB_NAME, LOCAL_DB_USER, local_database_url
from geoapp.errors import LocalDatabaseError

MIN_MAJOR = 15
SERVER_SETTINGS = """
# --- geoapp: project-local development cluster ---
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
shared_buffers = 256MB
work_mem = 32MB
maintenance_work_mem = 256MB
max_wal_size = 2GB
synchronous_commit = off
jit = off
timezone = 'UTC'
log_min_messages = warning
"""


@dataclass(frozen=True)
class PostgresInstall:
    major: int
    bindir: Path
    has_postgis: bool


def _debian_installs() -> list[PostgresInstall]:
    found = []
    for bindir in sorted(Path("/usr/lib/postgresql").glob("*/bin")):
        try:
            major = int(bindir.parent.name)
        except ValueError:
            continue
        if (bindir / "initdb").exists():
            control = Path(f"/usr/share/postgresql/{major}/extension/postgis.control")
            found.append(PostgresInstall(major, bindir, control.exists()))
    return found


def _path_install() -> PostgresInstall | None:
    initdb = shutil.which("initdb")
    pg_config = shutil.which("pg_config")
    if not initdb:
        return None
    out = subprocess.run([initdb, "--version"], capture_output=True, text=True).stdout
    match = re.search(r"(\d+)", out)
    if not match:
        return None
    has_postgis = False
    if pg_config:
        share = subprocess.run([pg_config, "--sharedir"], capture_output=True,
                               text=True).stdout.strip()
        has_postgis = (Path(share) / "extension" / "postgis.control").exists()
    return PostgresInstall(int(match.group(1)), Path(initdb).parent, has_postgis)


def find_postgres(required_major: int | None = None) -> PostgresInstall:
    """The newest installed PostgreSQL (>= 15) with PostGIS, or a clear error."""
    installs = _debian_installs()
    if not installs and (on_path := _path_install()):
        installs = [on_path]
    if required_major is not None:
        same = [i for i in installs if i.major == required_major]
        if not same:
            have = ", ".join(str(i.major) for i in installs) or "none"
            raise LocalDatabaseError(
                f"the data directory was made by PostgreSQL {required_major}, installed: "
                f"{have}; install postgresql-{required_major} or remove the directory "
                "(`geoapp db down`, then delete .geoapp/pgdata) to start afresh"
            )
        installs = same
    usable = [i for i in installs if i.major >= MIN_MAJOR]
    if not usable:
        raise LocalDatabaseError(
            f"no PostgreSQL server >= {MIN_MAJOR} found: install the `postgresql` package "
            "(make setup does this on Debian/Ubuntu) or set DATABASE_URL"
        )
    with_postgis = [i for i in usable if i.has_postgis]
    if not with_postgis:
        major = usable[-1].major
        raise LocalDatabaseError(
            f"PostGIS is not installed for PostgreSQL {major}: install "
            f"postgresql-{major}-postgis-3 (make setup does this on Debian/Ubuntu)"
        )
    return with_postgis[-1]


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class LocalCluster:
    """Create, start, stop and inspect the project-local cluster."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.data_dir
        self.pgdata = self.root / "pgdata"
        self.logfile = self.root / "postgres.log"
        self.port = settings.db_port
        self.as_root = os.geteuid() == 0

    @property
    def url(self) -> str:
        return local_database_url(self.settings)

    # -- running commands, as postgres when we are root ---------------------
    def _run(self, args: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        program = Path(args[0]).name
        if self.as_root:
            args = ["runuser", "-u", "postgres", "--", *args]
        proc = subprocess.run(args, capture_output=True, text=True, cwd="/")
        if check and proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            last = detail[-1] if detail else f"exit code {proc.returncode}"
            raise LocalDatabaseError(f"{program}: {last}")
        return proc

    def _prepare_directories(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if not self.as_root:
            return
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise LocalDatabaseError(
                "running as root needs the `postgres` OS user to run the server: install "
                "the postgresql package, or run as an ordinary user"
            ) from exc
        self.pgdata.mkdir(mode=0o700, exist_ok=True)
        self.logfile.touch(exist_ok=True)
        for path in (self.pgdata, self.logfile):
            os.chown(path, owner.pw_uid, owner.pw_gid)
        probe = subprocess.run(["runuser", "-u", "postgres", "--", "test", "-w",
                                str(self.pgdata)], capture_output=True)
        if probe.returncode != 0:
            raise LocalDatabaseError(
                f"the postgres OS user cannot reach {self.pgdata}: a parent directory is "
                "not searchable by others; set GEOAPP_DATA_DIR to a directory it can reach"
            )

    def data_major(self) -> int | None:
        version_file = self.pgdata / "PG_VERSION"
        if not version_file.exists():
            return None
        return int(version_file.read_text().strip().split(".")[0])

    def install(self) -> PostgresInstall:
        return find_postgres(self.data_major())

    def is_running(self) -> bool:
        if self.data_major() is None:
            return False
        install = self.install()
        proc = self._run([str(install.bindir / "pg_ctl"), "status", "-D", str(self.pgdata)],
                         check=False)
        return proc.returncode == 0

    def running_port(self) -> int | None:
        """The port in postmaster.pid of a running server (line 4)."""
        pidfile = self.pgdata / "postmaster.pid"
        try:
            lines = pidfile.read_text().splitlines()
        except (FileNotFoundError, PermissionError):
            return None
        return int(lines[3]) if len(lines) > 3 and lines[3].strip().isdigit() else None

    # -- the verbs ------------------------------------------------------------
    def up(self) -> str:
        """Create and start the cluster and its database; idempotent. Returns the URL."""
        install = self.install()
        self._prepare_directories()
        if self.data_major() is None:
            self._initdb(install)
        if self.is_running():
            running = self.running_port()
            if running not in (None, self.port):
                raise LocalDatabaseError(
                    f"the local cluster already runs on port {running}, not {self.port}: "
                    "run `geoapp db down` first or set GEOAPP_DB_PORT to match"
                )
        else:
            if not port_is_free(self.port):
                raise LocalDatabaseError(
                    f"port {self.port} on 127.0.0.1 is taken by another program: set "
                    "GEOAPP_DB_PORT to a free port"
                )
            self._start(install)
        self._ensure_database()
        return self.url

    def down(self) -> bool:
        """Stop the server if it runs; True when it was running."""
        if not self.is_running():
            return False
        install = self.install()
        self._run([str(install.bindir / "pg_ctl"), "stop", "-D", str(self.pgdata),
                   "-m", "fast", "-w"])
        return True

    def _initdb(self, install: PostgresInstall) -> None:
        locale = "C.UTF-8" if _has_c_utf8() else "C"
        self._run([str(install.bindir / "initdb"), "-D", str(self.pgdata), "-U",
                   LOCAL_DB_USER, "-A", "trust", "-E", "UTF8", f"--locale={locale}"])
        conf = self.pgdata / "postgresql.conf"
        with conf.open("a", encoding="utf-8") as fh:
            fh.write(SERVER_SETTINGS)

    def _start(self, install: PostgresInstall) -> None:
        proc = self._run([str(install.bindir / "pg_ctl"), "start", "-D", str(self.pgdata),
                          "-l", str(self.logfile), "-w", "-t", "60", "-o",
                          f"-p {self.port}"], check=False)
        if proc.returncode != 0:
            raise LocalDatabaseError(
                f"PostgreSQL {install.major} did not start on port {self.port}: "
                f"{self._last_log_line()} (log: {self.logfile})"
            )

    def _last_log_line(self) -> str:
        try:
            lines = [ln for ln in self.logfile.read_text(errors="replace").splitlines() if ln]
        except OSError:
            return "no log"
        errors = [ln for ln in lines if "FATAL" in ln or "ERROR" in ln]
        return (errors or lines or ["no log"])[-1].strip()

    def _ensure_database(self) -> None:
        admin = f"host=127.0.0.1 port={self.port} user={LOCAL_DB_USER} dbname=postgres"
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  (LOCAL_DB_NAME,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{LOCAL_DB_NAME}"')
        target = f"host=127.0.0.1 port={self.port} user={LOCAL_DB_USER} dbname={LOCAL_DB_NAME}"
        with psycopg.connect(target, autocommit=True, connect_timeout=10) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")


def _has_c_utf8() -> bool:
    try:
        out = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout
    except FileNotFoundError:
        return False
    return any(line.strip().lower() in ("c.utf8", "c.utf-8") for line in out.splitlines())
