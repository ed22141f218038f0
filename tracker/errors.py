"""The one exception family. Each error carries its exit code and a message for people.

The CLI catches :class:`TrackerError` once and prints the message on one line to stderr;
anything else reaching the top is a bug and keeps its traceback. Messages are Chinese
first, then English, separated by " / ".
"""

from __future__ import annotations

import os
from typing import Any


class TrackerError(Exception):
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class FileError(TrackerError):
    """A file other than the database cannot be read or written (a full disk, no permission,
    a malformed key or lexicon): exit code 1, as the README says."""

    exit_code = 1


class UsageError(TrackerError):
    """Bad option value: an unparseable date, an unknown status, a bad task reference."""

    exit_code = 2


class NotFoundError(TrackerError):
    exit_code = 3


class DocumentImportError(TrackerError):
    """A document could not be read or understood; names the file (and line)."""

    exit_code = 4


class DatabaseError(TrackerError):
    exit_code = 5

    @classmethod
    def from_exception(cls, exc: BaseException, engine: Any = None) -> DatabaseError:
        """Translate a driver error into one line a coordinator can act on.

        The driver's own text (first line only: SQLAlchemy appends SQL and a link) decides:

        >>> import sqlite3
        >>> DatabaseError.from_exception(sqlite3.OperationalError("database is locked")).message
        '数据库被其他进程锁定，请稍后重试 / database is locked by another process'
        >>> DatabaseError.from_exception(sqlite3.DatabaseError("file is not a database")).exit_code
        5
        """
        exc = _root_cause(exc)
        text = _driver_text(exc)
        where = ""
        if engine is not None:
            where = f" ({engine.url.render_as_string(hide_password=True)})"
        lowered = text.lower()
        if "locked" in lowered or "busy" in lowered:
            return cls(f"数据库被其他进程锁定，请稍后重试 / database is locked by another process{where}")
        if "readonly" in lowered or "read-only" in lowered:
            return cls(f"数据库文件只读 / database file is read-only{where}")
        if "unable to open" in lowered:
            if _sqlite_folder_read_only(engine):
                # A WAL database needs its -shm file beside it, even to be read.
                return cls(f"数据库所在文件夹只读 / the database folder is read-only (SQLite writes files beside the database){where}")
            return cls(f"无法打开数据库 / cannot open database{where}")
        if "disk" in lowered and ("full" in lowered or "i/o" in lowered):
            return cls(f"磁盘已满或读写失败 / disk full or I/O error{where}")
        if "not a database" in lowered or "malformed" in lowered:
            # TRACKER_DB names some other file, or the database is damaged: restore a backup.
            return cls(f"不是数据库文件或文件已损坏 / not a database file, or the file is damaged{where}")
        if "connection" in lowered or "could not connect" in lowered or "refused" in lowered:
            return cls(f"无法连接数据库 / cannot connect to database{where}: {text}")
        return cls(f"数据库错误 / database error{where}: {text}")


# Errors that only say an earlier error already ended the transaction: SQLite rolls a
# transaction back by itself on SQLITE_FULL, SQLITE_IOERR and others, so the ROLLBACK TO
# SAVEPOINT that follows fails with "no such savepoint" and would hide "disk is full".
_AFTERMATH = ("no such savepoint", "no transaction is active")


def _driver_text(exc: BaseException) -> str:
    """The first line of the driver's message (SQLAlchemy appends SQL and a link)."""
    text = str(getattr(exc, "orig", exc)).strip()
    return text.splitlines()[0] if text else repr(exc)


def _root_cause(exc: BaseException) -> BaseException:
    """The error that started it, past rollback failures it caused (see _AFTERMATH).

    >>> import sqlite3
    >>> try:
    ...     try:
    ...         raise sqlite3.OperationalError("database or disk is full")
    ...     except sqlite3.Error:
    ...         raise sqlite3.OperationalError("no such savepoint: sa_savepoint_1")
    ... except sqlite3.Error as exc:
    ...     str(_root_cause(exc))
    'database or disk is full'
    """
    seen = {id(exc)}
    while any(words in _driver_text(exc).lower() for words in _AFTERMATH):
        earlier = exc.__cause__ or exc.__context__
        if earlier is None or id(earlier) in seen:
            break
        seen.add(id(earlier))
        exc = earlier
    return exc


def _sqlite_folder_read_only(engine: Any) -> bool:
    """Whether ``engine`` is a SQLite file in a folder this process cannot write to."""
    if engine is None or engine.dialect.name != "sqlite":
        return False
    from tracker.store.db import sqlite_file

    file = sqlite_file(engine.url)
    return file is not None and file.parent.is_dir() and not os.access(file.parent, os.W_OK)


class ConflictError(TrackerError):
    """Another coordinator changed the task since it was read (stale version)."""

    exit_code = 6


class WithdrawnTaskError(TrackerError):
    """The task is gone from its document (withdrawn by a re-import): an edit is refused
    unless forced. Not a ConflictError: reloading would not help."""

    exit_code = 6
