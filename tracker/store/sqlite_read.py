"""Reading the embedded SQLite database without SQLAlchemy, for commands that must start fast.

Importing SQLAlchemy (and Alembic, to check the schema) costs a quarter to a half of a
second before any row is read; `tracker overdue` on 100,000 tasks must finish in 0.7 s.
Commands reading a plain SQLite file therefore may open it with the standard ``sqlite3``
module — only when its schema is already at the migration head; otherwise the caller goes
through :func:`tracker.store.db.ensure_schema`, as every command does, and tries again.
"""

from __future__ import annotations

import re
import sqlite3
from functools import cache
from pathlib import Path

MIGRATIONS = Path(__file__).resolve().parent / "migrations" / "versions"
_REVISION = re.compile(r"^revision(?:\s*:\s*str)?\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision(?:\s*:[^=]+)?\s*=\s*(None|['\"]([^'\"]+)['\"])\s*$", re.MULTILINE)


def sqlite_path(url: str) -> Path | None:
    """The file of a plain SQLite URL (``sqlite:///tracker.db``, ``sqlite:////srv/t.db``);
    None for anything else (memory, URI filenames, query options, other databases), which
    take the SQLAlchemy path.

    >>> sqlite_path("sqlite:////srv/t.db"), sqlite_path("sqlite:///file:t.db?mode=ro&uri=true")
    (PosixPath('/srv/t.db'), None)
    >>> sqlite_path("postgresql+psycopg://u@h/db") is None, sqlite_path("sqlite://") is None
    (True, True)
    """
    prefix = "sqlite:///"
    if not url.startswith(prefix) or any(c in url for c in "?%#"):
        return None
    rest = url[len(prefix):]
    if not rest or rest == ":memory:" or rest.startswith("file:"):
        return None
    return Path(rest)


@cache
def migration_head() -> str | None:
    """The head revision of tracker/migrations, read from the files (Alembic's answer for a
    linear history; None when the history is not a plain line, and the caller asks Alembic)."""
    revisions: dict[str, str | None] = {}
    for path in MIGRATIONS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        rev, down = _REVISION.search(text), _DOWN.search(text)
        if rev is None or down is None:
            return None
        revisions[rev.group(1)] = down.group(2)
    heads = set(revisions) - {d for d in revisions.values() if d is not None}
    return heads.pop() if len(heads) == 1 else None


def open_at_head(path: Path) -> sqlite3.Connection | None:
    """A connection to the SQLite file at ``path`` when it exists and its schema is at the
    migration head; else None (the caller migrates through tracker.store.db, then asks again).

    The connection is in autocommit mode: the caller opens a read transaction (``BEGIN``)
    for a consistent snapshot. Temporary tables stay in memory.
    """
    head = migration_head()
    if head is None or not path.is_file():
        return None
    from tracker.settings import busy_timeout_ms  # as tracker.store.db reads it (that module loads SQLAlchemy)

    busy = busy_timeout_ms()
    conn = sqlite3.connect(str(path), timeout=busy / 1000, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {busy}")
        conn.execute("PRAGMA temp_store = MEMORY")
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        conn.close()
        return None
    if rows != [(head,)]:
        conn.close()
        return None
    return conn
