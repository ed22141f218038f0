"""kill -9 in the middle of a large import, 20 times: whole plans or nothing, never damage.

`tracker import DIR` stores each document all or nothing (tracker.store.importer: batches of
files in one transaction, each file in a savepoint), so after a SIGKILL at any instant
(while Python starts, in the middle of a document, during a commit) the file must pass
``PRAGMA integrity_check``, every plan in it must be exactly what a complete import stores
(same tasks, owners, fields), what was there before must be untouched, and running the
import again must complete and give the reference result.

The runs are chained the way an office would live through crashes: in each of two rounds
the same database is killed ten times at random instants (seeded RNG: a failure replays),
each run picking up where the last left off, then imported to the end. One round starts
from an empty file, the other from a database that already holds a plan with a
coordinator's change (which must survive every kill). The schema migration a new file
goes through first lasts milliseconds, so random instants almost never hit it: a second
test kills it after each of a spread of its SQL statements instead.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS
from tests.faults.support import (
    integrity,
    plan_documents,
    plan_prints,
    run_tracker,
    schema_revision,
    tables,
    tracker_cmd,
    tracker_env,
)
from tracker.store.db import head_revision

DOCUMENTS = 100
ROUNDS = 2
KILLS_PER_ROUND = 10
RNG_SEED = 20240607
BASELINE_SEED = SEEDS / "qinghai-2021-ip-power-opinions.txt"


def _start_import(env: dict[str, str], folder: Path) -> subprocess.Popen[str]:
    """`tracker import FOLDER` in a session of its own, so that its extraction workers can be
    found (and cleaned up) by process group once the importer itself is killed."""
    return subprocess.Popen(
        tracker_cmd("import", str(folder)), env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def _kill_at(env: dict[str, str], folder: Path, delay: float) -> bool:
    """Start `tracker import FOLDER`, SIGKILL it after ``delay`` s; False if it had finished.

    Only the importer is killed (as the OOM killer or ``kill -9 PID`` would); its orphaned
    workers, if any, are then removed so they do not pile up (see test_kill_9_leaves_no_orphan_workers).
    """
    proc = _start_import(env, folder)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        _kill_group(proc.pid)
        assert proc.stderr is not None
        proc.stderr.close()
        return True
    _, err = proc.communicate()
    assert proc.returncode == 0, err
    return False


def _check_whole(db: Path, reference: dict[str, tuple[int, int, int, str]], before: dict[str, tuple[int, int, int, str]]) -> None:
    """The database after a kill: sound, what it held intact, every new plan complete."""
    assert integrity(db) == "ok"
    revision = schema_revision(db)
    assert revision in (None, head_revision())  # the migration is all or nothing too
    prints = plan_prints(db)
    for slug, held in before.items():
        assert prints.get(slug) == held, f"{slug} changed by a killed import"
    for slug, got in prints.items():
        if slug in before:
            continue
        assert slug in reference, f"unexpected plan {slug}"
        assert got == reference[slug], f"{slug} is half-written: {got} != {reference[slug]}"


@pytest.mark.slow
def test_kill_9_during_import_leaves_whole_plans(tmp_path: Path) -> None:
    rng = random.Random(RNG_SEED)
    folder = tmp_path / "docs"
    plan_documents(folder, DOCUMENTS)

    # Reference: a complete import, uninterrupted; its duration scales the kill instants.
    ref_db = tmp_path / "reference.db"
    started = time.monotonic()
    done = run_tracker(tracker_env(tmp_path, ref_db), "import", str(folder))
    first_run = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    started = time.monotonic()  # a re-import (most runs below) may be quicker than the first
    again = run_tracker(tracker_env(tmp_path, ref_db), "import", str(folder))
    full_run = min(first_run, time.monotonic() - started)
    assert again.returncode == 0, again.stderr
    reference = plan_prints(ref_db)
    assert len(reference) == DOCUMENTS  # every generated document is a distinct plan

    # Baseline for odd rounds: one other plan, changed by a coordinator.
    baseline = tmp_path / "baseline.db"
    base_env = tracker_env(tmp_path, baseline)
    assert run_tracker(base_env, "import", str(BASELINE_SEED)).returncode == 0
    slug = next(iter(plan_prints(baseline)))
    changed = run_tracker(base_env, "set", f"{slug}:1", "--progress", "40", "--actor", "alice")
    assert changed.returncode == 0, changed.stderr
    baseline_prints = plan_prints(baseline)
    assert baseline_prints[slug][2] == 1  # the coordinator's change is in History

    kills = 0
    for round_no in range(ROUNDS):
        db = tmp_path / f"round{round_no}.db"
        if round_no % 2:
            shutil.copy(baseline, db)
            before = dict(baseline_prints)
        else:
            before = {}
        env = tracker_env(tmp_path, db)
        for _ in range(KILLS_PER_ROUND):
            # Uniform over a whole run: early instants land in start-up and migration.
            killed = _kill_at(env, folder, rng.uniform(0.05, 0.95 * full_run))
            kills += killed
            _check_whole(db, reference, before)
            before = plan_prints(db)  # the next kill must keep what this run committed
        rerun = run_tracker(env, "import", str(folder))
        assert rerun.returncode == 0, rerun.stderr
        assert integrity(db) == "ok"
        final = plan_prints(db)
        assert {s: p for s, p in final.items() if s in reference} == reference
        if round_no % 2:
            assert final[slug] == baseline_prints[slug]  # the coordinator's change survived
    assert kills >= ROUNDS * KILLS_PER_ROUND * 0.75, f"only {kills} runs were killed mid-way"


def _tables_by_revision(tmp_path: Path) -> dict[str | None, set[str]]:
    """The tables a file holds at each schema revision, from upgrading one step at a time."""
    from alembic.script import ScriptDirectory

    from tracker.store.db import MIGRATIONS_DIR, make_engine, upgrade

    db = tmp_path / "steps.db"
    engine = make_engine(f"sqlite:///{db}")
    found: dict[str | None, set[str]] = {None: set()}
    try:
        for script in reversed(list(ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions())):
            upgrade(engine, script.revision)
            found[script.revision] = tables(db)
    finally:
        engine.dispose()
    return found


# Runs the schema migration of a new file, as every command's start does (ensure_schema),
# and SIGKILLs itself right after its N-th SQL statement (N = 0: never); prints how many
# statements ran. A kill placed by statement, not by clock: the whole migration lasts a few
# milliseconds after a second of start-up, which random instants almost always miss.
_KILL_AFTER_STATEMENT = """
import os, signal, sys
from sqlalchemy import event
from tracker.store.db import ensure_schema, make_engine
engine = make_engine(sys.argv[1])
count = 0
def after(*_args):
    global count
    count += 1
    if count == int(sys.argv[2]):
        os.kill(os.getpid(), signal.SIGKILL)
event.listen(engine, "after_cursor_execute", after)
ensure_schema(engine)
print(count)
"""


def _migrate_killed_at(db: Path, statement: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _KILL_AFTER_STATEMENT, f"sqlite:///{db}", str(statement)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_kill_9_during_the_first_migration(tmp_path: Path) -> None:
    """The first command on a new file creates the schema: every migration in one
    transaction (tracker/store/migrations/env.py). Killed after any of its SQL statements, the
    file has no schema at all (never a revision in between), and the next command creates
    it whole."""
    expected = _tables_by_revision(tmp_path)
    done = _migrate_killed_at(tmp_path / "complete.db", 0)
    assert done.returncode == 0, done.stderr
    statements = int(done.stdout)
    reached = set()
    for k in sorted({max(1, round(statements * j / 9)) for j in range(1, 9)}):
        db = tmp_path / f"new{k}.db"
        assert _migrate_killed_at(db, k).returncode == -signal.SIGKILL
        assert integrity(db) == "ok"
        revision = schema_revision(db)
        assert revision in expected and tables(db) == expected[revision], (k, revision, tables(db))
        reached.add(revision)
        again = _migrate_killed_at(db, 0)  # the next command's start: it completes the schema
        assert again.returncode == 0, again.stderr
        assert schema_revision(db) == head_revision() and tables(db) == expected[head_revision()]
    assert reached == {None}, f"a killed upgrade left the file at {reached}"
    # And the command a coordinator would run next works on such a file.
    assert run_tracker(tracker_env(tmp_path, db), "plans", "--format", "json").stdout.strip() == "[]"


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def test_kill_9_leaves_no_orphan_workers(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    plan_documents(folder, 60)
    proc = _start_import(tracker_env(tmp_path, tmp_path / "t.db"), folder)
    try:
        deadline = time.monotonic() + 60
        while not _children(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if not _children(proc.pid):
            proc.communicate(timeout=60)
            pytest.skip("!!! the import ran without worker processes here (one core?): nothing to orphan !!!")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 5
        while _group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _group_alive(proc.pid), "extraction workers still running after the importer was killed"
    finally:
        _kill_group(proc.pid)
        if proc.stderr:
            proc.stderr.close()
