"""Issue 17, terminal and log injection: what coordinators type is printed later, so it is
cleaned on input and escaped on output; `--owner %` is no SQL wildcard.

Escape sequences reached the terminal raw from `history`, `tasks`, `overdue` (table, md,
csv), `scorecard` and `feeds list`, and a line break in ``--actor`` forged a history row.
On SQLite and PostgreSQL: every listing is run as a real process and its stdout searched
for ESC, BEL and the C1 CSI (0x9b).
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from tests.conftest import SEEDS
from tests.faults.support import run_tracker, tracker_env

SEED = SEEDS / "yunyang-2022-ip-county-plan.txt"
TASK = "yunyang-2022-2025:5"
LATE = "2026-06-01"  # every task of the county plan (due 2025-12-31) is overdue then
RAW = ("\x1b", "\x07", "\x9b", "\x00")


def _env(db_url: str, tmp_path: Path) -> dict[str, str]:
    env = tracker_env(tmp_path, db_url)
    done = run_tracker(env, "import", str(SEED), timeout=120)
    assert done.returncode == 0, done.stderr
    return env


def _ok(env: dict[str, str], *args: str) -> str:
    proc = run_tracker(env, *args, timeout=120)
    assert proc.returncode == 0, f"{args}: {proc.stderr}"
    return proc.stdout


def _listings(env: dict[str, str]) -> dict[str, str]:
    """Every listing that prints stored names, notes or actors, by command."""
    out = {}
    for fmt in ("table", "csv"):
        out[f"history {fmt}"] = _ok(env, "history", TASK, "--format", fmt)
        out[f"tasks {fmt}"] = _ok(env, "tasks", "--format", fmt)
        out[f"scorecard {fmt}"] = _ok(env, "scorecard", "--as-of", LATE, "--format", fmt)
        out[f"feeds list {fmt}"] = _ok(env, "feeds", "list", "--format", fmt)
    for fmt in ("table", "md", "csv"):
        out[f"overdue {fmt}"] = _ok(env, "overdue", "--as-of", LATE, "--format", fmt)
    out["show"] = _ok(env, "show", TASK)
    return out


def _no_raw_controls(listings: dict[str, str]) -> None:
    for name, text in listings.items():
        for ch in RAW:
            assert ch not in text, f"{name} printed {ch!r}"


def test_control_characters_are_cleaned_on_input(db_url: str, tmp_path: Path) -> None:
    env = _env(db_url, tmp_path)
    forged = "alice\n2020-01-01 00:00  2020-01-01 00:00  mallory  status  todo  done"
    _ok(env, "set", TASK, "--progress", "30", "--actor", forged)
    _ok(env, "note", TASK, "已督办\x1b]0;owned\x07\r\n第二行\x1b[2J\x9b31m", "--actor", "bob\x1b[8m")
    _ok(env, "assign", TASK, "恶意\x1b]8;;http://x/\x1b\\单位", "--role", "support", "--new-unit")
    history = json.loads(_ok(env, "history", TASK, "--format", "json"))
    actors = {h["actor"] for h in history}
    assert forged.replace("\n", " ") in actors and "bob[8m" in actors
    assert all("\n" not in a and "\x1b" not in a for a in actors)
    [note] = [h["new_value"] for h in history if h["field"] == "note"]
    assert note == "已督办]0;owned\n第二行[2J31m"  # the line break stays, the controls go
    shown = json.loads(_ok(env, "show", TASK, "--format", "json"))
    assert "恶意]8;;http://x/\\单位" in {o["name"] for o in shown["owners"]}
    listings = _listings(env)
    _no_raw_controls(listings)
    # The forged row is no row: in the table, the actor is one cell of the real row.
    assert not any(line.lstrip("│ ").startswith("2020-01-01") for line in listings["history table"].splitlines())


def test_control_characters_already_stored_are_escaped_on_output(db_url: str, tmp_path: Path) -> None:
    """A database written by an older version (or another program) holds them raw: every
    listing prints them escaped, visibly, and still lists the rows."""
    from tracker.services.tasks import resolve_task
    from tracker.store.db import make_engine
    from tracker.store.models import history_t, owner_t, task_t, unit_t

    env = _env(db_url, tmp_path)
    engine = make_engine(db_url)
    try:
        tid = resolve_task(engine, TASK)
        with engine.begin() as conn:
            uid = conn.execute(sa.insert(unit_t).values(name="恶意\x1b]0;x\x07单位", aliases="", is_group=False)
                               .returning(unit_t.c.id)).scalar_one()
            conn.execute(sa.insert(owner_t).values(task_id=tid, unit_id=uid, role="support", provenance="assigned", position=9))
            now = conn.execute(sa.select(task_t.c.updated_at).where(task_t.c.id == tid)).scalar_one()
            conn.execute(sa.insert(history_t).values(
                task_id=tid, actor="bob\nmallory\x1b[2J", recorded_at=now, effective_at=now, field="note",
                old_value=None, new_value="清屏\x1b[2J\x9b", note=None, task_version=None,
            ))
    finally:
        engine.dispose()
    listings = _listings(env)
    _no_raw_controls(listings)
    assert "\\x1b" in listings["history table"] and "bob\\nmallory" in listings["history table"]
    for name in ("tasks csv", "overdue table", "overdue md", "overdue csv", "scorecard table", "feeds list table"):
        assert "恶意\\x1b]0;x\\x07单位" in listings[name], name


def test_owner_percent_and_underscore_are_not_wildcards(db_url: str, tmp_path: Path) -> None:
    env = _env(db_url, tmp_path)
    for pattern in ("%", "_", "县%院"):
        assert json.loads(_ok(env, "tasks", "--owner", pattern, "--format", "json")) == []
        summary = json.loads(_ok(env, "overdue", "--as-of", LATE, "--owner", pattern, "--format", "json"))
        assert summary["totals"]["tasks"] == 0, pattern
    _ok(env, "assign", TASK, "百分之百%单位", "--role", "support", "--new-unit")
    found = json.loads(_ok(env, "tasks", "--owner", "%", "--format", "json"))
    assert [t["number"] for t in found] == ["（五）"]
    summary = json.loads(_ok(env, "overdue", "--as-of", LATE, "--owner", "%", "--format", "json"))
    assert summary["totals"]["tasks"] == 1
    assert json.loads(_ok(env, "tasks", "--owner", "县法", "--format", "json"))  # a plain substring still matches
