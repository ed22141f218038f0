"""Helpers for the fault tests: generated plan documents, a look into SQLite files that does
not go through the code under test, and running `tracker` as a separate process.

Why generated documents: a crash or backup test needs an import that takes seconds and
writes many independent transactions, and a check that each plan is whole needs plans that
cannot collide; 200 real seeds do not exist, so one small seed is stamped with 200 regions.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import ROOT, SEEDS

# Seed stamped with other regions. Its region name appears in the title, so replacing it
# gives each copy its own slug (`jiayi-2022-2025`); the first seven items keep copies small.
TEMPLATE_SEED = SEEDS / "yunyang-2022-ip-county-plan.txt"
TEMPLATE_REGION = "云阳"
TEMPLATE_CUT = "（八）"  # the copy ends before this item
# Characters whose pinyin syllables never run together ambiguously, so every two-character
# name gives a distinct slug (checked by test_generated_documents_are_distinct_plans).
REGION_CHARS = "甲乙丙丁庚辛壬癸子丑寅卯辰午未申酉亥"


def region_names(count: int) -> list[str]:
    """``count`` made-up two-character county names: 甲甲, 甲乙, …"""
    names = ["".join(pair) for pair in itertools.product(REGION_CHARS, repeat=2)]
    assert count <= len(names), f"at most {len(names)} generated plans"
    return names[:count]


def template_text() -> str:
    lines = TEMPLATE_SEED.read_text(encoding="utf-8").split("\n")
    cut = next(i for i, line in enumerate(lines) if line.startswith(TEMPLATE_CUT))
    return "\n".join(lines[:cut]) + "\n"


def plan_documents(folder: Path, count: int) -> list[Path]:
    """Write ``count`` small county plans (7 numbered items each) into ``folder``; each is a
    distinct plan. Names sort in generation order, the order `tracker import DIR` uses."""
    folder.mkdir(parents=True, exist_ok=True)
    text = template_text()
    paths = []
    for i, name in enumerate(region_names(count)):
        path = folder / f"plan-{i:03d}.txt"
        path.write_text(text.replace(TEMPLATE_REGION, name), encoding="utf-8")
        paths.append(path)
    return paths


# ------------------------------------------------------------------ looking into a file
@contextmanager
def sqlite_connection(db: Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection, as any later process would open the file (it replays a
    WAL left by a killed writer), closed on exit."""
    conn = sqlite3.connect(db, timeout=30)
    try:
        yield conn
    finally:
        conn.close()


def integrity(db: Path) -> str:
    """``PRAGMA integrity_check`` and ``foreign_key_check`` in one word: "ok" or the problems."""
    with sqlite_connection(db) as conn:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
        if problems != ["ok"]:
            return "; ".join(problems)
        orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
        return "ok" if not orphans else f"foreign keys broken: {orphans[:5]}"


def tables(db: Path) -> set[str]:
    with sqlite_connection(db) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def schema_revision(db: Path) -> str | None:
    """The Alembic revision stored in the file, None when there is none (no schema yet)."""
    if "alembic_version" not in tables(db):
        return None
    with sqlite_connection(db) as conn:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return None if row is None else str(row[0])


def plan_prints(db: Path) -> dict[str, tuple[int, int, int, str]]:
    """For each stored plan: (tasks, owners, history rows, digest of every task's fields).

    Two files holding the same plan identically give equal prints; a plan cut short by a
    crash (fewer tasks, a task without its owners) gives a different one.
    """
    present = tables(db)
    if "plan" not in present:
        return {}
    with sqlite_connection(db) as conn:
        plans = dict(conn.execute("SELECT id, slug FROM plan").fetchall())
        prints: dict[str, tuple[int, int, int, str]] = {}
        for plan_id, slug in plans.items():
            tasks = conn.execute(
                "SELECT key, number, title, due, due_text, status, progress, version, withdrawn FROM task"
                " WHERE plan_id = ? ORDER BY key", (plan_id,),
            ).fetchall()
            owners = conn.execute(
                "SELECT t.key, u.name, o.role, o.provenance FROM taskowner o JOIN task t ON t.id = o.task_id"
                " JOIN unit u ON u.id = o.unit_id WHERE t.plan_id = ? ORDER BY t.key, o.position", (plan_id,),
            ).fetchall() if "taskowner" in present else []
            history = conn.execute(
                "SELECT count(*) FROM history h JOIN task t ON t.id = h.task_id WHERE t.plan_id = ?", (plan_id,)
            ).fetchone()[0]
            digest = hashlib.sha256(repr((tasks, owners)).encode()).hexdigest()[:16]
            prints[str(slug)] = (len(tasks), len(owners), int(history), digest)
    return prints


def active_task_counts(db: Path) -> dict[str, int]:
    """Tasks still in each plan's document (withdrawn ones excluded), by plan slug."""
    if "plan" not in tables(db):
        return {}
    with sqlite_connection(db) as conn:
        rows = conn.execute(
            "SELECT p.slug, count(t.id) FROM plan p LEFT JOIN task t ON t.plan_id = p.id AND NOT t.withdrawn GROUP BY p.slug"
        ).fetchall()
    return {str(slug): int(n) for slug, n in rows}


# ------------------------------------------------------------------ running the CLI
def tracker_env(tmp_path: Path, db: str | Path, **extra: str) -> dict[str, str]:
    """Environment for `python -m tracker` on database ``db`` (a path or a URL)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update({
        "TRACKER_HOME": str(tmp_path / "home"),
        "TRACKER_DB": str(db),
        "TRACKER_SEEDS": str(SEEDS),
        "TRACKER_EXPORTS": str(tmp_path / "exports"),
        "COLUMNS": "200",
        "PYTHONDONTWRITEBYTECODE": "1",  # no .pyc writes: they would eat a file-size limit
    })
    env.update(extra)
    return env


def tracker_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "tracker", *args]


def run_tracker(
    env: dict[str, str], *args: str, timeout: float = 300, preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m tracker ARGS` to the end; never raises on a non-zero exit."""
    return subprocess.run(
        tracker_cmd(*args), env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, preexec_fn=preexec_fn,
    )


def assert_one_line_error(proc: subprocess.CompletedProcess[str], code: int, *phrases: str) -> str:
    """The error contract (README, "Errors"): exit ``code``, one line on stderr, no traceback."""
    err = proc.stderr.strip()
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == code, f"exit {proc.returncode}, wanted {code}: {proc.stderr}"
    assert len(err.splitlines()) == 1, f"not one line:\n{proc.stderr}"
    assert err.startswith("错误 / error: "), err
    for phrase in phrases:
        assert phrase in err, f"{phrase!r} not in {err!r}"
    return err


@contextmanager
def held_write_lock(db: Path) -> Iterator[None]:
    """Another process holds the database's write lock (BEGIN EXCLUSIVE) until the block ends.

    In WAL mode that locks out writers only; in rollback-journal mode readers too.
    """
    holder = subprocess.Popen(
        [sys.executable, "-c", (
            "import sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN EXCLUSIVE')\n"
            "print('held', flush=True)\n"
            "sys.stdin.read()\n"
            "c.execute('ROLLBACK')\n"
        ), str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline().strip() == "held"  # wait for the lock, not a sleep
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
        holder.stdout.close()
