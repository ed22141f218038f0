"""The one exception family. Each error carries its exit code and a message for people.

The CLI catches :class:`TrackerError` once and prints the message on one line to stderr;
anything else reaching the top is a bug and keeps its traceback. Messages are Chinese
first, then English, separated by " / ".
"""

from __future__ import annotations

from typing import Any


class TrackerError(Exception):
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


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
        """Translate a driver error into one line a coordinator can act on."""
        text = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else repr(exc)
        where = ""
        if engine is not None:
            where = f" ({engine.url.render_as_string(hide_password=True)})"
        lowered = text.lower()
        if "locked" in lowered or "busy" in lowered:
            return cls(f"数据库被其他进程锁定，请稍后重试 / database is locked by another process{where}")
        if "readonly" in lowered or "read-only" in lowered:
            return cls(f"数据库文件只读 / database file is read-only{where}")
        if "unable to open" in lowered:
            return cls(f"无法打开数据库 / cannot open database{where}")
        if "disk" in lowered and ("full" in lowered or "i/o" in lowered):
            return cls(f"磁盘已满或读写失败 / disk full or I/O error{where}")
        if "connection" in lowered or "could not connect" in lowered or "refused" in lowered:
            return cls(f"无法连接数据库 / cannot connect to database{where}: {text}")
        return cls(f"数据库错误 / database error{where}: {text}")


class ConflictError(TrackerError):
    """Another coordinator changed the task since it was read (stale version)."""

    exit_code = 6
