"""Report speed: `tracker overdue --as-of …` at 10k, 100k and 1M tasks, against Taskwarrior.

Each size is the synthetic corpus (bench/corpus.py: 100, 1,000 and 10,000 plans) imported
once into a cached SQLite database, then given a coordinating office's history up to the
as-of day (:func:`simulate_history`): most tasks due before it were completed (some late),
some are under way, ongoing tasks get their quarterly notes, conditions are triggered — so
the report replays History as in real use and lists a realistic share of late tasks. The
same database is copied into PostgreSQL for the second backend.

Taskwarrior gets the same tasks in the state they had on the as-of day (completed ones
completed), with every date moved by (today − as-of day): its ``task overdue`` ("pending,
due before now") then lists the same overdue tasks.

Timed, as whole processes, best of a few runs: ``tracker --db URL overdue --as-of DAY``
(table, piped: the default format), the same with ``--format json``, ``task overdue``, and
``tracker --help``. Targets (issue 7): ≤ 0.7 s at 100k (and ≥ 5× Taskwarrior), ≤ 3 s at 1M
on SQLite; ``tracker --help`` ≤ 0.3 s.

Usage: .venv/bin/python bench/overdue.py [--sizes 10k,100k,1M] [--backends sqlite,postgresql]
                                          [--rounds 3] [--no-taskwarrior]
The first run imports each corpus (1M tasks take minutes); later runs reuse bench/.cache.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import subprocess
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from common import (
    CACHE,
    Taskwarrior,
    best,
    corpus,
    machine,
    pg_version,
    postgres,
    ratio,
    sqlite_version,
    taskwarrior,
    timed,
    tracker_cmd,
    tracker_env,
    verdict,
    write_jsonl,
)

AS_OF = date(2024, 6, 30)
SIZES = {"10k": 100, "100k": 1000, "1M": 10000}
HISTORY_SEED = 11
TABLES = ("plan", "unit", "task", "taskowner", "indicator", "history")


def _instant(d: date, hour: int = 9) -> str:
    """A stored instant (naive UTC text, as SQLAlchemy writes it) on day ``d``."""
    return datetime.combine(d, time(hour, 30), tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def simulate_history(db: Path, as_of: date = AS_OF, seed: int = HISTORY_SEED) -> int:
    """Give every task the changes an office would have recorded up to ``as_of``; return
    the number of History rows. Deterministic: the same database gets the same history.

    * due before the day: 85% completed (most on time, some late), 7% under way, the rest
      untouched (overdue);
    * due later: a quarter under way, some completed early;
    * ongoing (持续推进): 80% have a note in the last 80 days, the others an older one;
    * waiting on a condition: 30% triggered (due 90 days later).
    """
    rng = random.Random(seed)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    tasks = conn.execute(
        "SELECT id, due, ongoing, condition, status, progress, version FROM task WHERE NOT withdrawn ORDER BY id"
    ).fetchall()
    history: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    for tid, due_text, ongoing, condition, status, progress, version in tasks:
        due = date.fromisoformat(due_text) if due_text else None
        triggered: date | None = None
        changes: list[tuple[date, str, Any, Any]] = []  # (effective day, field, old, new)
        if condition and due is None and rng.random() < 0.3:
            triggered = as_of - timedelta(days=rng.randint(30, 700))
            due = triggered + timedelta(days=90)
            changes += [(triggered, "triggered_on", None, triggered.isoformat()), (triggered, "due", None, due.isoformat())]
        r = rng.random()
        if due is not None and due < as_of:
            if r < 0.85:
                late = rng.random() < 0.3 and (as_of - due).days > 2
                day = due + timedelta(days=rng.randint(1, min(90, (as_of - due).days - 1))) if late else \
                    due - timedelta(days=rng.randint(0, 60))
                changes += [(day, "status", status, "done"), (day, "progress", str(progress), "100")]
                status, progress = "done", 100
            elif r < 0.92:
                day = due - timedelta(days=rng.randint(10, 60))
                changes += [(day, "status", status, "doing"), (day, "progress", str(progress), "50")]
                status, progress = "doing", 50
        elif due is not None:
            if r < 0.25:
                day = as_of - timedelta(days=rng.randint(1, 60))
                changes += [(day, "status", status, "doing"), (day, "progress", str(progress), "30")]
                status, progress = "doing", 30
            elif r < 0.3:
                day = as_of - timedelta(days=rng.randint(1, 30))
                changes += [(day, "status", status, "done"), (day, "progress", str(progress), "100")]
                status, progress = "done", 100
        if ongoing:
            recent = rng.random() < 0.8
            changes.append((as_of - timedelta(days=rng.randint(1, 80) if recent else rng.randint(120, 400)), "note", None, "已督办"))
        if not changes:
            continue
        for day, field, old, new in sorted(changes, key=lambda c: c[0]):
            bump = field != "note"
            version += bump
            history.append((tid, "bench", _instant(day, 10), _instant(day), field, old, new, None, version if bump else None))
        updates.append((status, progress, due.isoformat() if due else None,
                        triggered.isoformat() if triggered else None, "trigger" if triggered else None, version, tid))
    conn.executemany(
        "INSERT INTO history (task_id, actor, recorded_at, effective_at, field, old_value, new_value, note, task_version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", history,
    )
    conn.executemany(
        "UPDATE task SET status = ?, progress = ?, due = ?, triggered_on = COALESCE(?, triggered_on), "
        "due_source = COALESCE(?, due_source), version = ? WHERE id = ?", updates,
    )
    conn.execute("COMMIT")
    conn.close()
    return len(history)


def database(size: str) -> tuple[Path, int]:
    """The SQLite database of one size (imported and given its history once); its tasks."""
    plans = SIZES[size]
    db = CACHE / f"overdue-{plans}.db"
    manifest = CACHE / f"overdue-{plans}.json"
    if db.is_file() and manifest.is_file():
        # An older cache gets the current schema now, not inside the first timed run.
        timed([*tracker_cmd(), "db", "upgrade"], env=tracker_env(f"sqlite:///{db}"))
        return db, json.loads(manifest.read_text())["tasks"]
    docs = corpus(plans)
    for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        leftover.unlink(missing_ok=True)
    env = tracker_env(f"sqlite:///{db}", TRACKER_LEXICON=str(docs / "owner-lexicon.toml"))
    print(f"  importing {plans} documents for {size} (once; cached in {db.name}) …", flush=True)
    timed([*tracker_cmd(), "db", "upgrade"], env=env)
    timed([*tracker_cmd(), "import", str(docs)], env=env)
    rows = simulate_history(db)
    conn = sqlite3.connect(db)
    tasks = conn.execute("SELECT COUNT(*) FROM task WHERE NOT withdrawn").fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    manifest.write_text(json.dumps({"tasks": tasks, "history": rows, "as_of": AS_OF.isoformat()}))
    return db, tasks


def copy_to_postgres(db: Path, url: str) -> None:
    """Every row of the SQLite database into the (migrated, empty) PostgreSQL one."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    src = sqlite3.connect(db)
    with psycopg.connect(f"host={u.host} port={u.port} user={u.username} dbname={u.database}") as pg:
        types = dict(pg.execute(
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'"
        ).fetchall())
        for table in TABLES:
            cur = src.execute(f'SELECT * FROM "{table}"')
            names = [d[0] for d in cur.description]
            flags = [types.get(f"{table}.{n}") == "boolean" for n in names]
            with pg.cursor().copy(f'COPY "{table}" ({", ".join(chr(34) + n + chr(34) for n in names)}) FROM STDIN') as copy:
                for row in cur:
                    copy.write_row([bool(v) if f and v is not None else v for v, f in zip(row, flags)])
            pg.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), COALESCE(MAX(id), 1)) FROM \"{table}\"")
        pg.execute("ANALYZE")
    src.close()


def taskwarrior_data(db: Path, size: str, program: str) -> tuple[Taskwarrior, int]:
    """Taskwarrior holding the same tasks as they stood on the as-of day, dates moved so
    that the as-of day is today (built once per size)."""
    folder = CACHE / f"tw-{SIZES[size]}"
    tw = Taskwarrior(program, folder)
    marker = folder / "imported.json"
    shift = date.today() - AS_OF
    if marker.is_file() and json.loads(marker.read_text()).get("shift") == shift.days:
        return tw, json.loads(marker.read_text())["tasks"]
    shutil.rmtree(folder, ignore_errors=True)
    tw = Taskwarrior(program, folder)
    conn = sqlite3.connect(db)
    done = dict(conn.execute(
        "SELECT task_id, MAX(effective_at) FROM history WHERE field = 'status' AND new_value IN ('done', 'cancelled') GROUP BY task_id"
    ).fetchall())
    entry = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")

    def stamp(text: str) -> str:
        day = date.fromisoformat(text[:10]) + shift
        return day.strftime("%Y%m%dT160000Z")  # the end of the day in Asia/Shanghai

    items = []
    for tid, slug, title, due, status in conn.execute(
        "SELECT t.id, p.slug, t.title, t.due, t.status FROM task t JOIN plan p ON p.id = t.plan_id WHERE NOT t.withdrawn ORDER BY t.id"
    ):
        item = {"uuid": str(uuid.UUID(int=tid)), "description": title or str(tid), "project": slug, "entry": entry,
                "status": "pending"}
        if due:
            item["due"] = stamp(due)
        if status in ("done", "cancelled"):
            item["status"] = "completed" if status == "done" else "deleted"
            item["end"] = stamp(done.get(tid) or due or AS_OF.isoformat())
        items.append(item)
    conn.close()
    write_jsonl(folder / "tasks.json", items)
    print(f"  loading {len(items):,} tasks into Taskwarrior for {size} (once) …", flush=True)
    seconds = tw.import_file(folder / "tasks.json")
    (folder / "tasks.json").unlink()
    marker.write_text(json.dumps({"shift": shift.days, "tasks": len(items), "import_seconds": seconds}))
    return tw, len(items)


def tracker_counts(url: str) -> dict[str, int]:
    out = subprocess.run([*tracker_cmd(), "overdue", "--as-of", AS_OF.isoformat(), "--format", "json"],
                         env=tracker_env(url), capture_output=True, check=True)
    totals = json.loads(out.stdout)["totals"]
    return {k: totals[k] for k in ("tasks", "overdue", "review_overdue")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1M")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-taskwarrior", action="store_true")
    args = parser.parse_args()
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    print(f"machine: {machine()}")
    program = None if args.no_taskwarrior else taskwarrior()
    help_s = best(5, lambda: timed([*tracker_cmd(), "--help"]))
    rows: list[dict[str, Any]] = []
    versions = {"sqlite": f"SQLite {sqlite_version()}"}
    pg_ctx = postgres() if "postgresql" in backends else None
    new_database = pg_ctx.__enter__() if pg_ctx else None
    try:
        for size in sizes:
            db, tasks = database(size)
            rounds = 1 if size == "1M" else args.rounds
            urls = {"sqlite": f"sqlite:///{db}"}
            if new_database is not None:
                urls["postgresql"] = new_database(f"bench_overdue_{size.lower()}")
                timed([*tracker_cmd(), "db", "upgrade"], env=tracker_env(urls["postgresql"]))
                copy_to_postgres(db, urls["postgresql"])
                versions["postgresql"] = f"PostgreSQL {pg_version(urls['postgresql'])}"
            tw_s = tw_count = None
            if program is not None:
                tw, _ = taskwarrior_data(db, size, program)
                tw_s = best(rounds, tw.overdue)
                tw_count = tw.count()
            for backend in backends:
                env = tracker_env(urls[backend])
                table = best(rounds, lambda env=env: timed([*tracker_cmd(), "overdue", "--as-of", AS_OF.isoformat()], env=env))
                js = best(rounds, lambda env=env: timed(
                    [*tracker_cmd(), "overdue", "--as-of", AS_OF.isoformat(), "--format", "json"], env=env))
                rows.append({"size": size, "backend": backend, "tasks": tasks, "table": table, "json": js,
                             "tw": tw_s, "tw_overdue": tw_count, **tracker_counts(urls[backend])})
                print(f"  {size} {backend}: {table:.2f} s", flush=True)
    finally:
        if pg_ctx is not None:
            pg_ctx.__exit__(None, None, None)
    if program:
        versions["taskwarrior"] = "Taskwarrior " + subprocess.run([program, "--version"], capture_output=True, text=True).stdout.strip()
    print("versions: " + ", ".join(versions.values()))
    report(rows, help_s)


def report(rows: list[dict[str, Any]], help_s: float) -> None:
    print()
    print(f"as of {AS_OF}; whole processes, best of runs (1 at 1M)")
    print("| size | backend | tasks | overdue / review overdue | tracker overdue (table) | --format json | Taskwarrior `task overdue` (its overdue) | tracker speed vs Taskwarrior |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        tw = f"{r['tw']:.2f} s ({r['tw_overdue']:,})" if r["tw"] else "—"
        print(f"| {r['size']} | {r['backend']} | {r['tasks']:,} | {r['overdue']:,} / {r['review_overdue']:,} | {r['table']:.2f} s | "
              f"{r['json']:.2f} s | {tw} | {ratio(r['tw'], r['table']) if r['tw'] else '—'} |")
    print()
    print(f"tracker --help: {help_s:.2f} s — target ≤ 0.3 s: {verdict(help_s <= 0.3)}")
    for r in rows:
        if r["backend"] != "sqlite":
            continue
        if r["size"] == "100k":
            print(f"target ≤ 0.7 s at 100k (SQLite): {r['table']:.2f} s — {verdict(r['table'] <= 0.7)}")
            if r["tw"]:
                print(f"target ≥ 5× Taskwarrior at 100k: {r['tw'] / r['table']:.1f}× — {verdict(r['tw'] >= 5 * r['table'])}")
        if r["size"] == "1M":
            print(f"target ≤ 3 s at 1M (SQLite): {r['table']:.2f} s — {verdict(r['table'] <= 3)}")


if __name__ == "__main__":
    main()
