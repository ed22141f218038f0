"""Engines, sessions and schema migrations. No global session: callers pass one in.

SQLite is the embedded default; any SQLAlchemy URL (PostgreSQL for offices that share one
database) works through ``--db`` / ``TRACKER_DB``. SQLite connections get WAL, foreign keys
and a busy timeout, and write transactions begin with ``BEGIN IMMEDIATE`` so that a reader
upgrading to a writer never fails at once with "database is locked" (see FIELD-NOTES).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.errors import DatabaseError
from tracker.settings import busy_timeout_ms

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The databases plan-tracker is built and tested for; anything else (mysql://…) would fail
# later, on a driver that is not installed or SQL it does not speak.
BACKENDS = ("sqlite", "postgresql")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the connection settings plan-tracker relies on."""
    try:
        parsed = sa.engine.make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a long text
        raise DatabaseError(f"数据库地址无效 / invalid database URL: {url}") from exc
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() not in BACKENDS:
        raise DatabaseError(
            f"不支持的数据库“{parsed.get_backend_name()}”，请用 SQLite 或 PostgreSQL / unsupported database {shown}: "
            "use sqlite:///FILE or postgresql+psycopg://…"
        )
    if parsed.get_backend_name() == "sqlite":
        busy = busy_timeout_ms()
        file = sqlite_file(parsed)
        if file is not None:
            parent = file.parent
            if not parent.is_dir():
                raise DatabaseError(
                    f"数据库目录不存在 / database directory does not exist: {parent}"
                )
            _create_private(file, parsed)
        engine = sa.create_engine(
            url, connect_args={"timeout": busy / 1000, "check_same_thread": False}
        )
        _configure_sqlite(engine, busy)
        return engine
    try:
        return sa.create_engine(url, pool_pre_ping=True)
    except ImportError as exc:  # postgresql:// names psycopg2, which is not installed
        raise DatabaseError(
            f"缺少数据库驱动 / no driver for {shown} ({exc.name}): use postgresql+psycopg://…"
        ) from exc


def _create_private(file: Path, url: sa.engine.URL) -> None:
    """Create a new SQLite file readable by its owner only (0600) before SQLite does.

    SQLite makes the file 0644 under the usual umask, and its -wal and -shm files copy the
    database file's mode: created 0600 here, all three stay private (a file that exists is
    left as it is: an office may have shared it deliberately). An empty file is a valid,
    empty SQLite database. Read-only URIs (``mode=ro``) never create anything.
    """
    if str(url.query.get("mode", "")) in ("ro", "memory") or file.exists():
        return
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:  # exists by now, or the folder is read-only: SQLite reports it its own way
        return
    os.close(fd)


def sqlite_file(url: sa.engine.URL) -> Path | None:
    """The file behind a SQLite URL, or None for an in-memory database.

    SQLite URI filenames (``sqlite:///file:PATH?mode=ro&uri=true``, how a database is opened
    read-only) name the file after ``file:``; without this the ``file:`` prefix was taken
    for a directory and every read-only URL was refused as "directory does not exist".

    >>> sqlite_file(sa.engine.make_url("sqlite:////srv/t.db"))
    PosixPath('/srv/t.db')
    >>> sqlite_file(sa.engine.make_url("sqlite:///file:/srv/t.db?mode=ro&uri=true"))
    PosixPath('/srv/t.db')
    >>> sqlite_file(sa.engine.make_url("sqlite:///file:mem?mode=memory&uri=true")) is None
    True
    """
    database = url.database
    if not database or database == ":memory:":
        return None
    if str(url.query.get("uri", "")).lower() in ("true", "1") and database.startswith("file:"):
        if url.query.get("mode") == "memory":
            return None
        database = database[len("file:"):].split("?", 1)[0]
        if database.startswith("//"):  # file:///path or file://localhost/path
            database = "/" + database[2:].partition("/")[2]
    return Path(database).expanduser().resolve()


def _configure_sqlite(engine: Engine, busy_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {busy_ms}")
        cur.execute("PRAGMA foreign_keys = ON")
        try:
            cur.execute("PRAGMA journal_mode = WAL")
        except Exception:  # read-only files cannot switch mode; reading still works
            pass
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reading; nothing it does is committed."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session whose transaction is a write transaction from its first statement.

    On SQLite this takes the write lock up front (BEGIN IMMEDIATE), so a transaction that
    reads then writes never dies half-way on "database is locked". Everything done in the
    block commits when it ends and rolls back on any exception: nothing is half-written.
    """
    with engine.connect() as conn:
        conn.info["write"] = True
        try:
            transaction = conn.begin()
        finally:
            conn.info.pop("write", None)
        with transaction, Session(bind=conn, expire_on_commit=False) as session:
            yield session
            session.flush()


# SQLite's full-text index of task.search_text (migration 0006): a virtual table and its
# shadow tables, created by hand because SQLModel cannot declare them.
FTS_TABLE = "task_fts"


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's filter when comparing the database with the models: the full-text tables
    are not in the models on purpose, so a comparison must not propose to drop them."""
    return not (type_ == "table" and name is not None and (name == FTS_TABLE or name.startswith(FTS_TABLE + "_")))


def has_fts(conn: sa.Connection) -> bool:
    """Whether this database has the full-text index (SQLite with FTS5 trigram, migration 0006)."""
    if conn.dialect.name != "sqlite":
        return False
    found = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (FTS_TABLE,))
    return found.first() is not None


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (Alembic). Safe to call on every start."""
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()
    assert head is not None
    return head


def _at_head(engine: Engine) -> bool:
    """Whether the stored revision is the head, asked without Alembic: importing it takes
    longer than most commands. Any doubt (no version table, an error, a branched history)
    answers False, and Alembic is asked after all."""
    from tracker.store.sqlite_read import migration_head

    head = migration_head()
    if head is None:
        return False
    try:
        with engine.connect() as conn:
            rows = [tuple(r) for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")]
    except sa.exc.DBAPIError:
        return False
    return rows == [(head,)]


def ensure_schema(engine: Engine) -> None:
    """Create or migrate the schema when it is not at head; cheap when it is."""
    try:
        if _at_head(engine) or current_revision(engine) == head_revision():
            return
        upgrade(engine)
    except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.InternalError) as exc:
        raise DatabaseError.from_exception(exc, engine) from exc
    except sa.exc.DatabaseError as exc:
        # The bare class: sqlite3 says "file is not a database" (TRACKER_DB names a document,
        # or the file is damaged) while connecting; IntegrityError and kin still propagate.
        if type(exc) is not sa.exc.DatabaseError:
            raise
        raise DatabaseError.from_exception(exc, engine) from exc
