"""Alembic migrations and the SQLModel tables agree, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from tracker.store.db import FTS_TABLE, current_revision, ensure_schema, head_revision, include_object


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
    from tracker.store.db import make_engine, upgrade
    from tracker.store.models import task_t

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


def test_upgrade_from_0006_keeps_coordinators_work_and_splits_units_by_region(db_url: str) -> None:
    """A database populated at 0006 (the seeds, as that importer stored them: one 省公安厅 for
    every province, coordinators' statuses, notes and a feed address) upgrades to head:
    plans get their identity, the shared unit becomes one per region, nothing else moves;
    then a re-import of the same documents recognises every plan and changes nothing."""
    from tests.conftest import SEEDS
    from tracker.extract.owners import Lexicon, default_lexicon_path
    from tracker.store.db import make_engine, upgrade
    from tracker.store.importer import _task_row, extract_file, import_paths
    from tracker.store.models import history_t, owner_t, plan_t, task_t, unit_t

    lexicon = Lexicon.load(default_lexicon_path())
    eng = make_engine(db_url)
    upgrade(eng, "0006")
    files = [SEEDS / "yunnan-2020-ip-protection-opinions.txt", SEEDS / "sichuan-2021-ip-14th-five-year-plan.txt"]
    fingerprints: dict[str, str] = {}
    with eng.begin() as conn:
        units: dict[str, int] = {}
        for path in files:
            source, plans = extract_file(path, lexicon)
            for plan in plans:
                fingerprints[plan.slug] = plan.fingerprint
                pid = conn.execute(sa.text(
                    "INSERT INTO plan (slug, title, issuer, issued_on, period_start, period_end, source_file, source_checksum, "
                    "language, review_months, trigger_days, created_at, updated_at) VALUES (:slug, :title, :issuer, :issued, "
                    ":ps, :pe, :src, :sum, 'zh-Hans', 3, 90, '2021-01-01 00:00:00', '2021-01-01 00:00:00') RETURNING id"
                ), {"slug": plan.slug, "title": plan.title, "issuer": plan.issuer, "issued": plan.issued_on,
                    "ps": plan.period_start, "pe": plan.period_end, "src": path.name, "sum": source.checksum}).scalar_one()
                conn.execute(sa.insert(task_t), [_task_row(pid, t, datetime(2021, 1, 1, tzinfo=UTC)) for t in plan.tasks])
                ids = dict(conn.execute(sa.select(task_t.c.key, task_t.c.id).where(task_t.c.plan_id == pid)).all())
                for t in plan.tasks:
                    for k, o in enumerate(t.owners):
                        if o.name not in units:
                            units[o.name] = conn.execute(sa.text(
                                "INSERT INTO unit (name, aliases, is_group) VALUES (:n, '', :g) RETURNING id"),
                                {"n": o.name, "g": o.is_group}).scalar_one()
                        conn.execute(sa.insert(owner_t).values(task_id=ids[t.key], unit_id=units[o.name], role=o.role,
                                                               provenance=o.provenance, position=k))
        # Sichuan's plan names its own 省公安厅, stored (as 0006 did) as Yunnan's unit.
        sichuan = conn.execute(sa.text("SELECT t.id FROM task t JOIN plan p ON p.id = t.plan_id "
                                       "WHERE p.slug = 'sichuan-2021-2025' ORDER BY t.seq LIMIT 1")).scalar_one()
        conn.execute(sa.insert(owner_t).values(task_id=sichuan, unit_id=units["省公安厅"], role="lead", provenance="stated", position=0))
        # Coordinators' work: a status, progress, a note, an assigned owner; a feed address.
        yunnan = conn.execute(sa.text("SELECT t.id FROM task t JOIN plan p ON p.id = t.plan_id "
                                      "WHERE p.slug = 'yunnan-2020-2021' AND t.key = '33'")).scalar_one()
        conn.execute(sa.text("UPDATE task SET status = 'doing', progress = 60, version = 3 WHERE id IN (:a, :b)"),
                     {"a": yunnan, "b": sichuan})
        now = datetime(2021, 3, 1, tzinfo=UTC)
        conn.execute(sa.insert(history_t).values(task_id=sichuan, actor="王科长", recorded_at=now,
                                                 effective_at=now, field="note", new_value="已督办"))
        conn.execute(sa.text("INSERT INTO feedtoken (scope, target, token_hash, created_at) "
                             "VALUES ('unit', '省公安厅', 'h1', '2021-01-01 00:00:00')"))
        if eng.dialect.name == "sqlite":  # the 0006 importer indexed what it inserted
            conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')")
    with eng.connect() as conn:
        before = {r.id: (r.status, r.progress, r.version) for r in conn.execute(sa.select(task_t))}
        history_before = conn.execute(sa.select(sa.func.count()).select_from(history_t)).scalar_one()

    upgrade(eng)
    assert current_revision(eng) == head_revision()
    with eng.connect() as conn:
        plans = {r.slug: r for r in conn.execute(sa.select(plan_t))}
        assert {s: (p.region, p.part, p.fingerprint) for s, p in plans.items()} == {
            "yunnan-2020-opinions": ("云南省", 0, fingerprints["yunnan-2020-opinions"]),
            "yunnan-2020-2021": ("云南省", 1, fingerprints["yunnan-2020-2021"]),
            "sichuan-2021-2025": ("四川省", 0, fingerprints["sichuan-2021-2025"]),
        }
        police = {r.region: r.id for r in conn.execute(sa.select(unit_t).where(unit_t.c.name == "省公安厅"))}
        assert set(police) == {"云南省", "四川省"} and police["云南省"] == units["省公安厅"]  # the busy region keeps the row
        owner_of = dict(conn.execute(sa.select(owner_t.c.task_id, owner_t.c.unit_id).where(owner_t.c.task_id.in_([yunnan, sichuan]))).all())
        assert owner_of[sichuan] == police["四川省"]
        # The feed address of 省公安厅 (its label) stays with the unit that had it.
        from tracker.store.unit_labels import unit_labels

        labels = unit_labels(conn.execute(sa.select(unit_t.c.id, unit_t.c.name, unit_t.c.region)).all())
        assert (labels[police["云南省"]], labels[police["四川省"]]) == ("省公安厅", "省公安厅（四川省）")
        assert {r.id: (r.status, r.progress, r.version) for r in conn.execute(sa.select(task_t))} == before
        assert conn.execute(sa.select(sa.func.count()).select_from(history_t)).scalar_one() == history_before
        assert all(r.region == "云南省" for r in conn.execute(sa.select(unit_t).where(unit_t.c.name != "省公安厅")))
    if eng.dialect.name == "sqlite":
        with eng.begin() as conn:
            triggers = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
            assert {"task_fts_update", "task_fts_delete"} <= triggers
            conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")

    report = import_paths(eng, files, lexicon=lexicon)
    assert [(p.slug, p.identity, p.added, p.withdrawn, p.changed) for p in report.plans] == [
        (slug, "revision", [], [], []) for slug in ("yunnan-2020-opinions", "yunnan-2020-2021", "sichuan-2021-2025")]
    with eng.connect() as conn:
        assert {r.id: (r.status, r.progress, r.version) for r in conn.execute(sa.select(task_t))} == before
        assert conn.execute(sa.select(sa.func.count()).select_from(plan_t)).scalar_one() == 3
        assert conn.execute(sa.select(plan_t.c.doc_number).where(plan_t.c.slug == "sichuan-2021-2025")).scalar_one() == "川府发〔2021〕48号"
    eng.dispose()
