"""Backing up the database while it is in use (`tracker backup PATH`).

Copying ``tracker.db`` with ``cp`` while the feed server or an import runs can catch the
file half-way through a transaction, and misses whatever still sits in the ``-wal`` file.
SQLite's online backup API copies a consistent snapshot instead: one read transaction, which
in WAL mode never blocks writers, so imports and coordinators carry on meanwhile, and since
an import stores each document all or nothing, the copy holds every plan whole or not at all.

The copy is written next to its destination under a temporary name, checked with
``PRAGMA integrity_check``, switched to a self-contained rollback-journal file (no ``-wal``
beside it), flushed to disk and only then renamed into place: a crash or a full disk never
leaves a half-written file under the backup's name. Restoring is copying the file back (with
the tracker stopped) or pointing ``TRACKER_DB`` at it.

PostgreSQL databases are backed up with the server's own tools; :func:`backup` refuses them
with the commands to use (see README, "Backup").
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from tracker.atomic import atomic_path
from tracker.errors import DatabaseError, UsageError
from tracker.settings import busy_timeout_ms
from tracker.store.db import sqlite_file
from tracker.store.models import plan_t, task_t


@dataclass(frozen=True)
class BackupResult:
    """Where the backup went and what it holds."""

    path: Path
    bytes: int
    plans: int
    tasks: int


def default_name(now: datetime | None = None) -> str:
    """File name used when the destination is a folder: sorts by time, one per second.

    >>> default_name(datetime(2024, 3, 5, 14, 7, 9))
    'tracker-20240305-140709.db'
    """
    return f"tracker-{(now or datetime.now()):%Y%m%d-%H%M%S}.db"


def pg_dump_hint(engine: Engine, destination: Path) -> str:
    """The one-line advice given instead of a PostgreSQL backup.

    pg_dump takes a consistent snapshot of a live database too, and its custom format lets
    pg_restore bring back one table or the whole database. libpq wants ``postgresql://``,
    not SQLAlchemy's ``postgresql+psycopg://``; the password is never printed.
    """
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=True)
    return (
        "PostgreSQL 数据库请用 pg_dump 备份 / back up PostgreSQL with pg_dump: "
        f"pg_dump --format=custom --file='{destination}' '{url}'  "
        f"(restore: pg_restore --clean --if-exists --dbname='{url}' '{destination}')"
    )


def backup(engine: Engine, destination: Path, *, overwrite: bool = False) -> BackupResult:
    """Copy the SQLite database behind ``engine`` to ``destination``, consistently, while in use.

    ``destination`` is a file, or an existing folder (the copy is then named by
    :func:`default_name`). An existing file is replaced only with ``overwrite``. Raises
    UsageError for PostgreSQL (with the pg_dump command), for a destination that is the
    database itself or already exists, and DatabaseError when the copy cannot be made.
    """
    if engine.dialect.name != "sqlite":
        raise UsageError(pg_dump_hint(engine, destination))
    destination = destination.expanduser()
    if destination.is_dir():
        destination = destination / default_name()
    destination = destination.resolve()
    source = sqlite_file(engine.url)
    if source is not None and destination == source:
        raise UsageError(f"备份不能覆盖数据库本身 / the backup cannot replace the database itself: {destination}")
    if destination.exists() and not overwrite:
        raise UsageError(f"备份文件已存在（--overwrite 覆盖）/ backup file exists (use --overwrite): {destination}")
    if not destination.parent.is_dir():
        raise UsageError(f"备份目录不存在 / backup folder does not exist: {destination.parent}")

    counted: list[tuple[int, int]] = []
    tmp: Path | None = None
    try:
        # Readable by its owner only (the copy holds everything the database does).
        with atomic_path(destination, mode=0o600) as tmp:
            counted.append(_copy(engine, tmp))
    except sqlite3.Error as exc:
        raise DatabaseError.from_exception(exc, engine) from exc
    except OSError as exc:
        raise DatabaseError(f"无法写入备份 / cannot write the backup {destination}: {exc.strerror or exc}") from exc
    finally:
        if tmp is not None:
            for leftover in (Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
    plans, tasks = counted[0]
    return BackupResult(path=destination, bytes=destination.stat().st_size, plans=plans, tasks=tasks)


def _copy(engine: Engine, target_path: Path) -> tuple[int, int]:
    """Online backup into ``target_path``; returns (plans, tasks) counted in the copy.

    ``pages=-1`` copies everything in one step, i.e. inside one read transaction: a
    consistent snapshot. Copying in small steps would restart whenever another process
    writes between steps, which during a long import may be forever.
    """
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        target = sqlite3.connect(target_path, isolation_level=None)
        try:
            source.backup(target, pages=-1, progress=_give_up_when_locked(time.monotonic() + busy_timeout_ms() / 1000))
            # A backup is one file: leave WAL mode (the source's mode travels in the header).
            target.execute("PRAGMA journal_mode = DELETE")
            problems = [row[0] for row in target.execute("PRAGMA integrity_check").fetchall()]
            if problems != ["ok"]:
                raise DatabaseError(f"备份校验失败 / the backup failed its integrity check: {problems[0]}")
            return _count(target)
        finally:
            target.close()
    finally:
        raw.close()


def _give_up_when_locked(deadline: float) -> Callable[[int, int, int], None]:
    """A backup progress callback that stops retrying a locked database at ``deadline``.

    Python's backup loop retries SQLITE_BUSY forever (sleeping 250 ms between tries); in WAL
    mode a reader is never locked out, but a rollback-journal file held by another process
    would make `tracker backup` hang. Past the busy timeout it fails like every other
    command: "database is locked".
    """

    def progress(status: int, _remaining: int, _total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise sqlite3.OperationalError("database is locked")

    return progress


def _count(conn: sqlite3.Connection) -> tuple[int, int]:
    """Plans and tasks in a copy; (0, 0) for a database that has no schema yet."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {plan_t.name, task_t.name} <= tables:
        return 0, 0
    plans = conn.execute(f'SELECT count(*) FROM "{plan_t.name}"').fetchone()[0]
    tasks = conn.execute(f'SELECT count(*) FROM "{task_t.name}"').fetchone()[0]
    return int(plans), int(tasks)
