"""Coordinators in separate processes (tests/concurrency_worker.py) and the check that no
update was lost. Shared by tests/functional/test_concurrency.py (2 coordinators) and
tests/faults/test_concurrent_coordinators.py (8 coordinators × 200 updates).

Each worker reads a task and writes with the version it read (optimistic locking), printing
one JSON line per attempt. Afterwards History must hold exactly the accepted changes, each
version once, the final state must be the last accepted change, and every refused update
must have been reported as a conflict.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.conftest import ROOT
from tracker.store.db import read_session
from tracker.store.models import history_t, task_t

WORKER = ROOT / "tests" / "concurrency_worker.py"


def run_coordinators(engine: Engine, task_ids: list[int], processes: int, updates: int) -> list[dict[str, object]]:
    """Run ``processes`` workers at once, ``updates`` attempts each; every attempt's outcome.

    Output goes to files, not pipes: a worker blocked on a full pipe while the test reads
    another would stop contending, and contention is the point.
    """
    url = engine.url.render_as_string(hide_password=False)
    outs = [(tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")) for _ in range(processes)]
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), url, f"coordinator-{i}", str(i), str(updates), *map(str, task_ids)],
            stdout=out, stderr=err, text=True,
        )
        for i, (out, err) in enumerate(outs)
    ]
    results: list[dict[str, object]] = []
    for p, (out, err) in zip(procs, outs):
        p.wait(timeout=600)
        out.seek(0)
        err.seek(0)
        assert p.returncode == 0, err.read()
        results.extend(json.loads(line) for line in out.read().splitlines())
        out.close()
        err.close()
    return results


def check_nothing_lost(engine: Engine, task_ids: list[int], results: list[dict[str, object]]) -> None:
    """History holds exactly the accepted changes; refusals were conflicts; no-ops were true.

    A *no-op* is an attempt whose value another coordinator had set meanwhile: set_status
    writes nothing and returns the current version. It is no lost update provided the task
    really held that value at that version, which is checked against History.
    """
    accepted = [r for r in results if r["ok"] and r.get("changed", True)]
    no_ops = [r for r in results if r["ok"] and not r.get("changed", True)]
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
    for r in no_ops:
        assert (int(str(r["version"])), str(r["progress"])) in by_task[int(str(r["task"]))], r
    for tid in task_ids:
        history = by_task.get(tid, [])
        assert [v for v, _ in history] == list(range(2, versions[tid] + 1))  # each version once, no gap
        assert set(history) == accepted_by_task.get(tid, set())
        if history:
            assert str(final[tid]) == history[-1][1]  # final state = last accepted change
