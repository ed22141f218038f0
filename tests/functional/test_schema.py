"""Alembic migrations and the SQLModel tables agree, on both backends."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from tracker.db import FTS_TABLE, current_revision, ensure_schema, head_revision, include_object


def test_migrations_produce_exactly_the_models(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        diff = compare_metadata(ctx, SQLModel.metadata)
    assert diff == []


def test_ensure_schema_is_idempotent(engine: Engine) -> None:
    ensure_schema(engine)
    ensure_schema(engine)
    assert {"plan", "task", "unit", "taskowner", "history"} <= set(sa.inspect(engine).get_table_names())


def test_sqlite_connections_use_wal_and_foreign_keys(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_upgrade_keeps_the_data_of_an_older_schema(db_url: str) -> None:
    """A database created at the first revision, with tasks in it, upgrades to head."""
    from tracker.db import make_engine, upgrade
    from tracker.models import task_t

    eng = make_engine(db_url)
    upgrade(eng, "0001")
    with eng.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO plan (slug, title, source_file, source_checksum, language, created_at, updated_at) "
            "VALUES ('p', '计划', 'p.txt', 'x', 'zh-Hans', '2021-01-01 00:00:00', '2021-01-01 00:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO task (plan_id, key, seq, number, section, title, text, kind, ongoing, status, progress, "
            "needs_review, withdrawn, version, line_start, line_end, created_at, updated_at) VALUES "
            "(1, '1', 1, '1', '一、甲', '任务', '任务。', 'task', false, 'doing', 40, false, false, 3, 5, 5, "
            "'2021-01-01 00:00:00', '2021-01-01 00:00:00')"
        )
    upgrade(eng)
    assert current_revision(eng) == head_revision()
    with eng.connect() as conn:
        row = conn.execute(sa.select(task_t)).mappings().one()
    assert (row["status"], row["progress"], row["version"], row["milestones"], row["search_text"]) == ("doing", 40, 3, "", "")
    if eng.dialect.name == "sqlite":
        # The search index (0006) and the triggers that keep it in step: a later migration
        # that rebuilds the task table would drop them silently.
        with eng.begin() as conn:
            triggers = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
            assert {"task_fts_update", "task_fts_delete"} <= triggers
            conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")
    eng.dispose()
