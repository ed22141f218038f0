"""Coordinators in separate processes updating the same tasks: nothing is lost silently.

Each worker reads a task and writes with the version it read (optimistic locking). After
the run, History must hold exactly the accepted changes, each version once, and the
final state must be the last accepted change; every refused update was reported. The
helpers live in tests/faults/coordinators.py, shared with the 8-coordinator fault test.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.faults.coordinators import check_nothing_lost, run_coordinators
from tracker.store.db import read_session
from tracker.store.models import task_t


def test_two_coordinators_never_overwrite_each_other(seeded: Engine) -> None:
    with read_session(seeded) as s:
        task_ids = list(s.execute(sa.select(task_t.c.id).order_by(task_t.c.id).limit(3)).scalars())
    results = run_coordinators(seeded, task_ids, processes=2, updates=40)
    assert len(results) == 80
    check_nothing_lost(seeded, task_ids, results)
