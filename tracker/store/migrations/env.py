"""Alembic environment: runs against the engine tracker.store.db hands over (never a global URL)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import tracker.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from tracker.store.db import include_object

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from tracker.settings import Settings
        from tracker.store.db import make_engine

        engine = make_engine(Settings.load().db_url)
    with engine.connect() as connection:
        # One transaction for the whole upgrade, on SQLite too: its DDL is transactional
        # (Alembic assumes otherwise for old pysqlite, which committed before DDL; tracker.store.db
        # turns that off and begins transactions itself), so an upgrade killed half-way
        # leaves the schema as it was, never at a revision in between. The transaction
        # takes the write lock from its first statement (BEGIN IMMEDIATE): two processes
        # migrating at once wait for each other instead of failing on "database is locked".
        connection.info["write"] = True
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                include_object=include_object,
                transactional_ddl=True,
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            connection.info.pop("write", None)


run_migrations_online()
