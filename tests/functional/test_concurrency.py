"""Coordinators in separate processes updating the same tasks: nothing is lost silently.

Each worker reads a task and writes with the version it read (optimistic locking). After
the run, History must hold exactly the accepted changes, each version once, and the
final state must be the last accepted change; every refused update was reported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.conftest import ROOT
from tracker.db import read_session
from tracker.models import history_t, task_t

WORKER = ROOT / "tests" / "concurrency_worker.py"


def run_coordinators(engine: Engine, task_ids: list[int], processes: int, updates: int) -> list[dict[str, object]]:
    url = engine.url.render_as_string(hide_password=False)
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), url, f"coordinator-{i}", str(i), str(updates), *map(str, task_ids)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for i in range(processes)
    ]
    results: list[dict[str, object]] = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
        results.extend(json.loads(line) for line in out.splitlines())
    return results


def check_nothing_lost(engine: Engine, task_ids: list[int], results: list[dict[str, object]]) -> None:
    accepted = [r for r in results if r["ok"]]
    refused = [r for r in results if not r["ok"]]
    assert all("changed meanwhile" in str(r["message"]) or "concurrently" in str(r["message"]) for r in refused)
    with read_session(engine) as s:
        rows = s.execute(
            sa.select(history_t.c.task_id, history_t.c.task_version, history_t.c.new_value, history_t.c.actor)
            .where(history_t.c.task_id.in_(task_ids), history_t.c.field == "progress")
            .order_by(history_t.c.task_id, history_t.c.task_version)
        ).all()
        final = dict(s.execute(sa.select(task_t.c.id, task_t.c.progress).where(task_t.c.id.in_(task_ids))).all())
        versions = dict(s.execute(sa.select(task_t.c.id, task_t.c.version).where(task_t.c.id.in_(task_ids))).all())
    assert len(rows) == len(accepted)  # History holds exactly the accepted changes
    by_task: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for tid, version, value, _actor in rows:
        by_task[tid].append((version, value))
    accepted_by_task: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for r in accepted:
        accepted_by_task[int(str(r["task"]))].add((int(str(r["version"])), str(r["progress"])))
    for tid in task_ids:
        history = by_task.get(tid, [])
        assert [v for v, _ in history] == list(range(2, versions[tid] + 1))  # each version once, no gap
        assert set(history) == accepted_by_task.get(tid, set())
        if history:
            assert str(final[tid]) == history[-1][1]  # final state = last accepted change


def test_two_coordinators_never_overwrite_each_other(seeded: Engine) -> None:
    with read_session(seeded) as s:
        task_ids = list(s.execute(sa.select(task_t.c.id).order_by(task_t.c.id).limit(3)).scalars())
    results = run_coordinators(seeded, task_ids, processes=2, updates=40)
    assert len(results) == 80
    check_nothing_lost(seeded, task_ids, results)
