"""The overdue summary computed in SQL (tracker.asof.overdue) equals the Python rules.

`tracker overdue` reads its summary from :func:`tracker.asof.overdue.overdue_summary`; the rules
live in :mod:`tracker.asof.lateness`. Both must give the same Summary — counts, groups, and every
late task with its state as of the day — on SQLite and PostgreSQL, with coordinator changes
recorded out of order (back-dated completions, due dates moved, conditions triggered).
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy.engine import Engine

from tracker.asof.lateness import StateQuery, summarise, task_states
from tracker.asof.overdue import overdue_summary, sqlalchemy_runner, sqlite_runner
from tracker.errors import NotFoundError, UsageError
from tracker.store.changes import Change, add_note, assign, configure_plan, set_due, set_status, trigger, unassign
from tracker.store.models import task_t

AS_OF = [date(2020, 6, 30), date(2020, 12, 31), date(2021, 1, 1), date(2021, 7, 1), date(2021, 12, 31), date(2023, 3, 31), date(2026, 1, 1)]


@pytest.fixture
def worked(seeded: Engine) -> Engine:
    """The seeds with two years of coordinator changes, recorded in a random order."""
    import sqlalchemy as sa

    rng = random.Random(20211)
    with seeded.connect() as conn:
        ids = [row[0] for row in conn.execute(sa.select(task_t.c.id).order_by(task_t.c.id))]
    configure_plan(seeded, "yunnan-2020-2021", review_months=6)

    def when() -> datetime:
        day = date(2020, 6, 1) + timedelta(days=rng.randrange(760))
        return datetime.combine(day, time(rng.randrange(24), rng.randrange(60)), tzinfo=UTC)

    with seeded.connect() as conn:
        conditional = [row[0] for row in conn.execute(sa.select(task_t.c.id).where(task_t.c.condition.is_not(None)))]
    for tid in conditional:
        trigger(seeded, tid, date(2021, 3, 1), Change(actor="test", effective=when()))
    # Changes at the very instant a day ends in Asia/Shanghai (16:00 UTC): not yet in effect
    # on that day, in effect the next.
    for tid in ids[:40]:
        edge = Change(actor="test", effective=datetime(2020, 12, 31, 16, 0, tzinfo=UTC), note="edge")
        set_status(seeded, tid, edge, status=rng.choice(["done", "doing", "cancelled"]))
    for tid in rng.sample(ids, len(ids) // 2):
        for _ in range(rng.randint(1, 3)):
            change = Change(actor="test", effective=when(), note="n")
            kind = rng.random()
            try:
                _change(seeded, tid, change, kind, rng)
            except (UsageError, NotFoundError):  # not a change this task can take (a coordinator is told so)
                pass
    return seeded


def _change(seeded: Engine, tid: int, change: Change, kind: float, rng: random.Random) -> None:
    if kind < 0.45:
        set_status(seeded, tid, change, status=rng.choice(["done", "doing", "blocked", "cancelled", "todo"]),
                   progress=rng.choice([None, 30, 60]))
    elif kind < 0.6:
        set_due(seeded, tid, date(2020, 9, 30) + timedelta(days=rng.randrange(700)), change)
    elif kind < 0.7:
        assign(seeded, tid, rng.choice(["省公安厅", "省司法厅", "新单位"]), change, role=rng.choice(["lead", "support"]), create=True)
    elif kind < 0.72:
        unassign(seeded, tid, "省公安厅", change)
    else:
        add_note(seeded, tid, change)


def _reference(engine: Engine, q: StateQuery, by: str):  # type: ignore[no-untyped-def]
    return summarise(task_states(engine, q), q.as_of, by)


def _fast(engine: Engine, q: StateQuery, by: str):  # type: ignore[no-untyped-def]
    with engine.connect() as conn, conn.begin():
        return overdue_summary(sqlalchemy_runner(conn), q, by)


@pytest.mark.parametrize("as_of", AS_OF)
def test_sql_summary_equals_python_rules(worked: Engine, as_of: date) -> None:
    for by in ("owner", "plan", "section"):
        q = StateQuery(as_of=as_of)
        assert _fast(worked, q, by) == _reference(worked, q, by), (as_of, by)


@pytest.mark.parametrize("flt", [{"plan": "yunnan-2020-2021"}, {"owner": "公安"}, {"yellow_days": 90}, {"tz": "UTC"},
                                 {"plan": "no-such-plan"}, {"owner": "%"}])
def test_filters_and_settings(worked: Engine, flt: dict[str, object]) -> None:
    for as_of in (date(2021, 1, 1), date(2021, 10, 8)):
        q = StateQuery(as_of=as_of, **flt)  # type: ignore[arg-type]
        assert _fast(worked, q, "owner") == _reference(worked, q, "owner"), (as_of, flt)


def test_sqlite3_runner_gives_the_same(worked: Engine) -> None:
    if worked.dialect.name != "sqlite":
        pytest.skip("the direct sqlite3 path is for SQLite files")
    path = worked.url.database
    assert path
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for as_of in AS_OF[:4]:
            q = StateQuery(as_of=as_of)
            conn.execute("BEGIN")
            got = overdue_summary(sqlite_runner(conn), q, "owner")
            conn.execute("COMMIT")
            assert got == _reference(worked, q, "owner")
    finally:
        conn.close()
