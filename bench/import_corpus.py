"""Import speed: `tracker import` on the 100k-task corpus, against the floor and Taskwarrior.

For each backend (SQLite, PostgreSQL):

* **tracker import** — the whole command, as a user runs it (``tracker --db URL import
  CORPUS``), on an empty database whose schema exists (``tracker db upgrade`` first,
  untimed), with the corpus's owner lexicon;
* **floor** — the rows that import wrote (plans, units, tasks, owners, indicators), read
  back and inserted into another empty database with plain DBAPI ``executemany`` in one
  transaction: what storing alone costs, with no reading, extraction or bookkeeping;
* **Taskwarrior** — ``task import`` of the same tasks as JSON (description, project, due).

Targets (issue 7): ≥ 50,000 tasks/s end to end on SQLite (100k in ≤ 2 s), within 3× of the
floor, and ≥ 2× Taskwarrior's speed.

Usage: .venv/bin/python bench/import_corpus.py [--plans 1000] [--backends sqlite,postgresql]
                                                [--rounds 1] [--no-taskwarrior]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import (
    Taskwarrior,
    corpus,
    machine,
    pg_version,
    postgres,
    ratio,
    scratch,
    sqlite_version,
    taskwarrior,
    timed,
    tracker_cmd,
    tracker_env,
    verdict,
    write_jsonl,
)

TABLES = ("plan", "unit", "task", "taskowner", "indicator", "history")  # in foreign-key order


def tracker_import(docs: Path, rounds: int, fresh: Callable[[int], str]) -> tuple[float, int, str]:
    """Best wall time of `tracker import` into an empty database, the tasks imported, and
    the URL of the last database imported into."""
    times, tasks, url = [], 0, ""
    for r in range(rounds):
        url = fresh(r)
        env = tracker_env(url, TRACKER_LEXICON=str(docs / "owner-lexicon.toml"))
        timed([*tracker_cmd(), "db", "upgrade"], env=env)
        with tempfile.TemporaryFile() as out:
            times.append(timed([*tracker_cmd(), "import", str(docs), "--format", "json"], env=env, stdout=out))
            out.seek(0)
            tasks = sum(p["tasks"] for p in json.load(out)["plans"])
    return min(times), tasks, url


# --------------------------------------------------------------------------- the floor


def _dbapi(url: str) -> Any:
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url[len("sqlite:///"):], isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return psycopg.connect(f"host={u.host} port={u.port} user={u.username} dbname={u.database}")


def read_rows(url: str) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    conn = _dbapi(url)
    try:
        out = {}
        for table in TABLES:
            cur = conn.cursor()
            cur.execute(f'SELECT * FROM "{table}" ORDER BY id')
            out[table] = ([d[0] for d in cur.description], cur.fetchall())
        return out
    finally:
        conn.close()


def floor(url: str, rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> float:
    """Seconds to insert ``rows`` into the empty database at ``url`` with executemany."""
    conn = _dbapi(url)
    sqlite = isinstance(conn, sqlite3.Connection)
    mark = "?" if sqlite else "%s"
    try:
        start = time.perf_counter()
        cur = conn.cursor()
        if sqlite:
            cur.execute("BEGIN IMMEDIATE")
        for table in TABLES:
            names, data = rows[table]
            if data:
                cols = ", ".join(f'"{n}"' for n in names)
                cur.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join([mark] * len(names))})', data)
        cur.execute("COMMIT") if sqlite else conn.commit()
        return time.perf_counter() - start
    finally:
        conn.close()


# --------------------------------------------------------------------------- Taskwarrior


def taskwarrior_json(rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]], path: Path) -> int:
    """The imported tasks as Taskwarrior JSON: title, plan as project, due date."""
    plan_names, plans = rows["plan"]
    slug_of = {p[plan_names.index("id")]: p[plan_names.index("slug")] for p in plans}
    names, tasks = rows["task"]
    col = {n: i for i, n in enumerate(names)}
    entry = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = []
    for t in tasks:
        item = {
            "uuid": str(uuid.UUID(int=t[col["id"]])), "description": t[col["title"]] or t[col["number"]],
            "project": slug_of[t[col["plan_id"]]], "status": "pending", "entry": entry,
        }
        due = t[col["due"]]
        if due:
            item["due"] = str(due).replace("-", "")[:8] + "T160000Z"
        out.append(item)
    write_jsonl(path, out)
    return len(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--no-taskwarrior", action="store_true")
    args = parser.parse_args()
    docs = corpus(args.plans)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    print(f"machine: {machine()}")
    print(f"corpus: {len(list(docs.glob('*.txt')))} documents ({docs})")
    results: dict[str, dict[str, float]] = {}
    versions: dict[str, str] = {}
    tw_seconds = tw_tasks = None
    rows: dict[str, Any] | None = None
    with scratch() as tmp_name:
        tmp = Path(tmp_name)
        for backend in backends:
            if backend == "sqlite":
                seconds, tasks, imported = tracker_import(docs, args.rounds, lambda r: f"sqlite:///{tmp / f'import-{r}.db'}")
                rows = read_rows(imported)
                empty = f"sqlite:///{tmp / 'floor.db'}"
                timed([*tracker_cmd(), "db", "upgrade"], env=tracker_env(empty))
                results[backend] = {"tracker": seconds, "tasks": tasks, "floor": floor(empty, rows)}
                versions[backend] = f"SQLite {sqlite_version()}"
            elif backend == "postgresql":
                with postgres() as new_database:
                    seconds, tasks, imported = tracker_import(docs, args.rounds, lambda r: new_database(f"bench_import_{r}"))
                    pg_rows = read_rows(imported)
                    empty = new_database("bench_floor")
                    timed([*tracker_cmd(), "db", "upgrade"], env=tracker_env(empty))
                    results[backend] = {"tracker": seconds, "tasks": tasks, "floor": floor(empty, pg_rows)}
                    versions[backend] = f"PostgreSQL {pg_version(empty)}"
                    rows = rows or pg_rows
            else:
                raise SystemExit(f"unknown backend {backend!r}")
            print(f"  {versions[backend]}: {results[backend]['tracker']:.2f} s", flush=True)
        if not args.no_taskwarrior and rows is not None:
            program = taskwarrior()
            if program is None:
                print("Taskwarrior not found (apt-get install taskwarrior): comparison skipped")
            else:
                tw = Taskwarrior(program, tmp / "tw")
                tw_tasks = taskwarrior_json(rows, tmp / "tasks.json")
                tw_seconds = tw.import_file(tmp / "tasks.json")
                versions["taskwarrior"] = "Taskwarrior " + subprocess.run(
                    [program, "--version"], capture_output=True, text=True).stdout.strip()
    print("versions: " + ", ".join(versions.values()))
    report(results, tw_seconds, tw_tasks)


def report(results: dict[str, dict[str, float]], tw_seconds: float | None, tw_tasks: int | None) -> None:
    print()
    print("| backend | tasks | tracker import | tasks/s | floor (executemany) | import ÷ floor | Taskwarrior import | speed vs Taskwarrior |")
    print("|---|---|---|---|---|---|---|---|")
    for backend, r in results.items():
        tasks, seconds, fl = int(r["tasks"]), r["tracker"], r["floor"]
        tw = f"{tw_seconds:.2f} s ({tw_tasks} tasks)" if tw_seconds else "—"
        vs = ratio(tw_seconds * tasks / (tw_tasks or tasks), seconds) if tw_seconds else "—"
        print(f"| {backend} | {tasks:,} | {seconds:.2f} s | {tasks / seconds:,.0f} | {fl:.2f} s | {ratio(seconds, fl)} | {tw} | {vs} |")
    sqlite = results.get("sqlite")
    if sqlite:
        tasks, seconds = sqlite["tasks"], sqlite["tracker"]
        print()
        print(f"target ≥ 50,000 tasks/s on SQLite: {tasks / seconds:,.0f} tasks/s — {verdict(tasks / seconds >= 50_000)}")
        print(f"target within 3× of the floor: {seconds / sqlite['floor']:.2f}× — {verdict(seconds <= 3 * sqlite['floor'])}")
        if tw_seconds and tw_tasks:
            speed = (tw_seconds / tw_tasks) / (seconds / tasks)
            print(f"target ≥ 2× Taskwarrior: {speed:.2f}× — {verdict(speed >= 2)}")


if __name__ == "__main__":
    main()
