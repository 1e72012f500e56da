"""Running the `geoapp` command as a user would: a subprocess with its own environment."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

GEOAPP = str(Path(sys.executable).parent / "geoapp")


def run_geoapp(*args: str, env: dict[str, str] | None = None, timeout: float = 120,
               input: str | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    full_env.update(env or {})
    return subprocess.run([GEOAPP, *args], capture_output=True, text=True, env=full_env,
                          timeout=timeout, input=input)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    for word in words:
        assert word.lower() in lines[0].lower(), lines[0]


def csrf_token(page: str) -> str:
    import re

    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no csrf token in the page"
    return match.group(1)


def login(client, username: str, password: str):  # type: ignore[no-untyped-def]
    """Log in through the real form, CSRF token included; returns the response."""
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token})


def interruptible() -> None:
    """`preexec_fn` for a child the test will Ctrl-C: a shell starts background jobs
    with SIGINT ignored, and Python then never raises KeyboardInterrupt; a user's
    terminal delivers it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
