"""A throwaway PostgreSQL server for tests and benchmarks: Debian's ``postgresql`` binaries,
``initdb`` + ``pg_ctl`` on a temporary folder, reached over a Unix socket only.

Example:
    >>> with TempPostgres() as pg:
    ...     url = pg.create_database("shop")
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries here, or the server would not start (the message says why)."""


def find_bindir() -> Path:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if not found:
        raise PostgresUnavailable("PostgreSQL is not installed (Debian: `apt-get install postgresql`)")
    return Path(found[-1]).parent


def _server_user() -> str | None:
    """PostgreSQL refuses to run as root: then run it as the ``postgres`` system user."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres").pw_name
    except KeyError:
        raise PostgresUnavailable("running as root and there is no `postgres` user to run the server as") from None


class TempPostgres:
    """Starts on enter (or ``start()``), stops and deletes everything on exit."""

    def __init__(self, port: int = 54329):
        self.bindir = find_bindir()
        self.user = _server_user()
        self.port = port
        self.folder: Path | None = None

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    def start(self) -> "TempPostgres":
        self.folder = Path(tempfile.mkdtemp(prefix="pg"))
        if self.user:
            info = pwd.getpwnam(self.user)
            os.chown(self.folder, info.pw_uid, info.pw_gid)
        data = self.folder / "data"
        done = self._run("initdb", "-D", str(data), "-A", "trust", "-U", "shop", "-E", "UTF8", "--no-sync")
        if done.returncode:
            raise PostgresUnavailable(f"initdb failed: {done.stderr.strip()[-500:]}")
        options = f"-k {self.folder} -p {self.port} -c listen_addresses='' -c fsync=off -c max_connections=200"
        done = self._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(self.folder / "log"), "-w", "start")
        if done.returncode:
            log = (self.folder / "log").read_text()[-800:] if (self.folder / "log").exists() else done.stderr
            self.stop()
            raise PostgresUnavailable(f"the server did not start: {log.strip()}")
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://shop@/{database}?host={self.folder}&port={self.port}"

    def create_database(self, name: str) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.folder is None:
            return
        if (self.folder / "data" / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None

    def __enter__(self) -> "TempPostgres":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
