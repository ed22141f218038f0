"""A throw-away PostgreSQL server for the test session.

Why: offices that share one tracker database use PostgreSQL (SQLite's WAL does not work on
network filesystems), so the storage layer has to be tested against a real server, not only
SQLite.  pytest-postgresql's self-starting fixture fails when the tests run as root (initdb
and pg_ctl refuse root), which is how CI runs here; this helper runs them as the ``postgres``
user via ``runuser`` in that case and directly otherwise.

Developers with a server of their own set ``TRACKER_TEST_PG_URL`` and nothing is started.
``TRACKER_PG_BIN`` points at a directory holding ``initdb``/``pg_ctl`` when they are not in
the usual places.

Example (a session-scoped fixture)::

    @pytest.fixture(scope="session")
    def pg_url() -> Iterator[str]:
        if find_pg_bin() is None and not os.environ.get("TRACKER_TEST_PG_URL"):
            pytest.skip("PostgreSQL server binaries not found")
        with running_postgres() as url:
            yield url
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

DB_NAME = "tracker_test"
SUPERUSER = "postgres"
# Settings that make a disposable cluster start and write fast; durability is irrelevant.
_FAST_SETTINGS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
_START_TIMEOUT_S = 60
_LOG_TAIL_LINES = 30


def find_pg_bin() -> Path | None:
    """Directory holding the PostgreSQL server programs, or None when none is installed.

    Order: ``$TRACKER_PG_BIN`` (returned as given, so a wrong setting fails loudly instead
    of silently skipping tests), then the highest ``/usr/lib/postgresql/*/bin`` that has
    ``initdb`` (Debian layout), then ``pg_config --bindir``.

    >>> find_pg_bin() is None or (find_pg_bin() / "initdb").exists()
    True
    """
    env = os.environ.get("TRACKER_PG_BIN")
    if env:
        return Path(env)
    candidates = [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin") if (Path(p) / "initdb").exists()]
    if candidates:
        return max(candidates, key=lambda p: _version_key(p.parent.name))
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True)
        except (OSError, subprocess.SubprocessError):
            return None
        bindir = Path(out.stdout.strip())
        if (bindir / "initdb").exists():
            return bindir
    return None


def _version_key(name: str) -> tuple[int, ...]:
    """Sort key for directory names like ``15`` or ``9.6``; non-numeric names sort first.

    >>> sorted(["9.6", "15", "13"], key=_version_key)
    ['9.6', '13', '15']
    """
    try:
        return tuple(int(part) for part in name.split("."))
    except ValueError:
        return (-1,)


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_owner(cmd: Sequence[str | os.PathLike[str]]) -> list[str]:
    """Prefix a command with ``runuser -u postgres --`` when we are root.

    initdb, pg_ctl and postgres all refuse to run as root.
    """
    args = [os.fspath(c) for c in cmd]
    if os.geteuid() == 0:
        return ["runuser", "-u", SUPERUSER, "--", *args]
    return args


def _run(cmd: Sequence[str | os.PathLike[str]], *, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    # cwd is the temp dir: the postgres user may not be allowed into the caller's directory.
    return subprocess.run(_as_owner(cmd), cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def _initdb(bindir: Path, datadir: Path, cwd: Path) -> None:
    base: list[str | os.PathLike[str]] = [bindir / "initdb", "-D", datadir, "-A", "trust", "-U", SUPERUSER, "-E", "UTF8", "--no-sync"]
    result = _run([*base, "--locale=C.UTF-8"], cwd=cwd)
    if result.returncode != 0:
        # C.UTF-8 is missing on some systems; C with UTF8 encoding still stores Chinese fine.
        shutil.rmtree(datadir, ignore_errors=True)
        _make_owned_dir(datadir)
        result = _run([*base, "--locale=C"], cwd=cwd)
    if result.returncode != 0:
        raise RuntimeError(f"initdb failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}".rstrip())


def _make_owned_dir(path: Path) -> None:
    path.mkdir(mode=0o700, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(path, user=SUPERUSER, group=None)


def _start(bindir: Path, datadir: Path, sockdir: Path, logfile: Path, cwd: Path) -> int:
    """Start the server on a free port; retries on a new port if another process took it."""
    last = ""
    for _attempt in range(3):
        port = _free_port()
        opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockdir} {_FAST_SETTINGS}"
        cmd: list[str | os.PathLike[str]] = [bindir / "pg_ctl", "-D", datadir, "-l", logfile, "-o", opts, "-w", "-t", str(_START_TIMEOUT_S), "start"]
        result = _run(cmd, cwd=cwd, timeout=_START_TIMEOUT_S + 30)
        if result.returncode == 0:
            return port
        last = f"{result.stdout}\n{result.stderr}".strip()
        if "could not bind" not in _tail(logfile) and "Address already in use" not in _tail(logfile):
            break
    raise RuntimeError(f"PostgreSQL did not start: {last}\n--- server log tail ({logfile}) ---\n{_tail(logfile)}")


def _stop(bindir: Path, datadir: Path, cwd: Path) -> None:
    """Stop at once; durability of a throw-away cluster does not matter."""
    try:
        result = _run([bindir / "pg_ctl", "-D", datadir, "-m", "immediate", "-w", "stop"], cwd=cwd, timeout=60)
    except (OSError, subprocess.SubprocessError):
        result = None
    pidfile = datadir / "postmaster.pid"
    if (result is None or result.returncode != 0) and pidfile.exists():
        # pg_ctl failed but our postmaster may still run: SIGQUIT is PostgreSQL's immediate stop.
        try:
            os.kill(int(pidfile.read_text().splitlines()[0]), signal.SIGQUIT)
        except (OSError, ValueError, IndexError):
            pass


def _create_database(port: int, logfile: Path) -> None:
    import psycopg  # imported lazily: only sessions that start a server need it

    try:
        with psycopg.connect(
            host="127.0.0.1", port=port, user=SUPERUSER, dbname="postgres", autocommit=True, connect_timeout=10
        ) as conn:
            conn.execute(f'CREATE DATABASE "{DB_NAME}" ENCODING \'UTF8\' TEMPLATE template0')
    except psycopg.Error as exc:
        raise RuntimeError(f"could not create database {DB_NAME}: {exc}\n--- server log tail ---\n{_tail(logfile)}") from exc


@contextmanager
def running_postgres() -> Iterator[str]:
    """Run a fresh PostgreSQL cluster for the duration of the ``with`` block.

    Yields a SQLAlchemy URL ``postgresql+psycopg://postgres@127.0.0.1:PORT/tracker_test``.
    The server is stopped (immediate mode) and its files removed on exit, even when the
    body raised.  If ``$TRACKER_TEST_PG_URL`` is set, that URL is yielded and nothing is
    started.  Raises RuntimeError (with the server log's tail) if the server cannot start.
    """
    external = os.environ.get("TRACKER_TEST_PG_URL")
    if external:
        yield external
        return
    bindir = find_pg_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries not found (set TRACKER_PG_BIN to the directory with initdb)")
    for program in ("initdb", "pg_ctl"):
        if not (bindir / program).exists():
            raise RuntimeError(f"{program} not found in {bindir} (check TRACKER_PG_BIN)")

    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SUPERUSER)
        except KeyError:
            raise RuntimeError("running as root needs a 'postgres' system user to own the server") from None

    root = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
    started = False
    datadir, sockdir, logfile = root / "data", root / "sock", root / "server.log"
    try:
        if os.geteuid() == 0:
            shutil.chown(root, user=SUPERUSER, group=None)
        _make_owned_dir(datadir)
        _make_owned_dir(sockdir)
        _initdb(bindir, datadir, root)
        started = True  # from here on a (partly) started server must be stopped
        port = _start(bindir, datadir, sockdir, logfile, root)
        _create_database(port, logfile)
        yield f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/{DB_NAME}"
    finally:
        if started:
            _stop(bindir, datadir, root)
        shutil.rmtree(root, ignore_errors=True)
