"""Calendar feeds at scale: export of 100,000 tasks, and the feed server's request rate.

Builds a synthetic SQLite database (20 plans, 200 units, N tasks with 1–3 owners each, a mix
of deadlines, phases, ongoing, conditional and done tasks, some history), then measures:

* ``export``: ``tracker.feeds.export.export_ics`` writing every feed (one per unit, per plan, the
  feed with everything) and index.html to an empty folder — the issue's target is ≤ 2 s;
* ``serve``: ``tracker serve`` in a subprocess on loopback, hit by client threads over
  keep-alive connections, then by ``wrk`` (50 connections): revalidations (``If-None-Match``
  → 304, target ≥ 2,000/s) and full downloads (200) of a unit's feed.

Usage: .venv/bin/python bench/feeds.py [--tasks 100000] [--seconds 3] [--clients 4] [--db PATH]
Everything happens on 127.0.0.1 and in a temporary folder; the server is stopped at the end.

The latest figures, the machine and the profile are in bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from tracker.store.db import ensure_schema, make_engine, write_session  # noqa: E402
from tracker.store.models import history_t, owner_t, plan_t, task_t, unit_t  # noqa: E402

AS_OF = date(2024, 6, 1)
TEXT = "加强知识产权保护，完善行政执法和司法保护衔接机制，推进跨部门、跨区域协作；建立健全“双随机、一公开”监管制度, 定期通报进展。"


def make_synthetic(engine: sa.Engine, n_tasks: int, *, plans: int = 20, units: int = 200, seed: int = 1) -> None:
    """Bulk-insert a plausible office database (Core inserts: ~100,000 rows/s)."""
    rnd = random.Random(seed)
    now = datetime(2024, 1, 1, tzinfo=UTC)
    with write_session(engine) as s:
        plan_rows = [
            {"slug": f"bench-{i:02d}", "title": f"基准实施方案{i}（2021—2025年）", "source_file": f"bench-{i:02d}.txt",
             "source_checksum": "0" * 64, "period_start": date(2021, 1, 1), "period_end": date(2025, 12, 31),
             "issued_on": date(2021, 3, 1), "review_months": 3, "trigger_days": 90, "language": "zh-Hans",
             "created_at": now, "updated_at": now}
            for i in range(plans)
        ]
        pids = s.execute(sa.insert(plan_t).returning(plan_t.c.id, sort_by_parameter_order=True), plan_rows).scalars().all()
        unit_rows = [{"name": f"省第{i}厅（局）", "aliases": "", "is_group": False} for i in range(units)]
        uids = s.execute(sa.insert(unit_t).returning(unit_t.c.id, sort_by_parameter_order=True), unit_rows).scalars().all()
        rows = []
        for i in range(n_tasks):
            r = rnd.random()
            due = date(2021, 1, 1) + timedelta(days=rnd.randrange(5 * 365))
            ongoing, condition, start, kind, status = False, None, None, "task", "todo"
            if r < 0.10:
                ongoing, due = True, None
            elif r < 0.12:
                condition, due = "上位法出台后及时启动修订工作", None
            elif r < 0.14:
                kind, start = "phase", due - timedelta(days=120)
            elif r < 0.30:
                status = "done"
            elif r < 0.45:
                status = "doing"
            rows.append({
                "plan_id": pids[i % plans], "key": str(i // plans + 1), "seq": i // plans, "number": str(i // plans + 1),
                "section": f"{'一二三四五六'[i % 6]}、强化知识产权全链条保护 / （{i % 9 + 1}）完善制度", "title": f"开展第{i}项知识产权保护专项行动",
                "text": f"{i // plans + 1}. {TEXT}", "kind": kind, "due": due, "start": start, "due_text": "2023年底前完成",
                "ongoing": ongoing, "condition": condition, "triggered_on": None, "milestones": "", "due_source": "stated",
                "status": status, "progress": 100 if status == "done" else (50 if status == "doing" else 0), "needs_review": False,
                "review_reason": None, "withdrawn": False, "version": 1, "line_start": 10 + i // plans,
                "line_end": 11 + i // plans, "search_text": "", "created_at": now, "updated_at": now,
            })
        tids: list[int] = []
        for c in range(0, n_tasks, 10_000):
            tids += s.execute(sa.insert(task_t).returning(task_t.c.id, sort_by_parameter_order=True), rows[c : c + 10_000]).scalars().all()
        owners, history = [], []
        for tid in tids:
            for pos, u in enumerate(rnd.sample(uids, rnd.choice((1, 1, 2, 3)))):
                owners.append({"task_id": tid, "unit_id": u, "role": "lead" if pos == 0 else "support",
                               "provenance": "stated", "position": pos})
            if rnd.random() < 0.2:
                when = now + timedelta(days=rnd.randrange(150))
                history.append({"task_id": tid, "actor": "bench", "recorded_at": when, "effective_at": when, "field": "note",
                                "old_value": None, "new_value": "已报送进展", "note": None, "task_version": None})
        for c in range(0, len(owners), 20_000):
            s.execute(sa.insert(owner_t), owners[c : c + 20_000])
        for c in range(0, len(history), 20_000):
            s.execute(sa.insert(history_t), history[c : c + 20_000])


def bench_export(engine: sa.Engine, out: Path, rounds: int, workers: int | None = None) -> float:
    import resource

    from tracker.feeds.export import export_ics
    from tracker.feeds.ical import FeedOptions

    best, cpu = float("inf"), 0.0
    for _ in range(rounds):
        for f in out.glob("*"):
            f.unlink()
        before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        report = export_ics(engine, out, as_of=AS_OF, opts=FeedOptions(), workers=workers)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        used = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before))
        if wall < best:
            best, cpu = wall, used
    size = sum(f.size for f in report.files)
    units = sum(f.scope == "unit" for f in report.files)
    largest_unit = max(f.size for f in report.files if f.scope == "unit")
    print(f"export (workers={workers or 'auto'}): {len(report.files)} feeds ({units} units, largest unit feed "
          f"{largest_unit / 1e6:.2f} MB), {size / 1e6:.0f} MB in {best:.2f} s wall, {cpu:.2f} s CPU (best of {rounds}; "
          f"load average {os.getloadavg()[0]:.1f})")
    return best


def _serve(db: Path, home: Path) -> tuple[subprocess.Popen[str], int]:
    env = {**os.environ, "TRACKER_DB": str(db), "TRACKER_HOME": str(home), "TRACKER_TZ": "Asia/Shanghai"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracker", "serve", "--port", "0", "--as-of", AS_OF.isoformat()],
        cwd=ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if "http://127.0.0.1:" in line:
            port = int(line.split("http://127.0.0.1:", 1)[1].split("/", 1)[0])
            threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep draining
            return proc, port
    raise RuntimeError(f"tracker serve did not start (exit {proc.wait()})")


def _hammer(port: int, path: str, headers: dict[str, str], seconds: float, clients: int) -> tuple[int, dict[int, int]]:
    stop = time.perf_counter() + seconds
    counts: list[int] = [0] * clients
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def run(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        seen: dict[int, int] = {}
        while time.perf_counter() < stop:
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            seen[resp.status] = seen.get(resp.status, 0) + 1
            counts[k] += 1
        conn.close()
        with lock:
            for code, n in seen.items():
                statuses[code] = statuses.get(code, 0) + n

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts), statuses


WRK_CONNECTIONS = 50


def _wrk(port: int, path: str, headers: dict[str, str], seconds: float) -> float | None:
    """Requests per second that ``wrk`` (Debian package wrk, installed if missing and root)
    gets from the server: a C client, so the figure is the server's, not the client's.
    None when wrk is not available; an error when any request failed."""
    from common import debian_program

    program = debian_program("wrk", "wrk")
    if program is None:
        print("serve: wrk not available (apt-get install wrk); the Python clients' figures stand")
        return None
    args = [program, "-t2", f"-c{WRK_CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--latency"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    if "Socket errors" in out or "Non-2xx or 3xx" in out:
        raise RuntimeError(f"wrk saw failed requests:\n{out}")
    return float(out.split("Requests/sec:", 1)[1].split()[0])


def bench_serve(engine: sa.Engine, db: Path, home: Path, seconds: float, clients: int) -> tuple[float, float]:
    from tracker.feeds.export import ensure_addresses, load_secret, rotate

    secret = load_secret(home)
    assert secret is not None
    addresses = {(a.scope, a.target): a for a in ensure_addresses(engine, secret)}
    unit = addresses[("unit", "省第7厅（局）")]
    if unit.token is None:  # a reused database whose address was made with another key
        unit = rotate(engine, secret, "unit", unit.target)
    path = f"/feeds/{unit.token}.ics"
    proc, port = _serve(db, home)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        t0 = time.perf_counter()
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        first = time.perf_counter() - t0
        etag = resp.getheader("ETag") or ""
        conn.close()
        print(f"serve: first request (builds the unit's feed from 100k tasks' database): {first * 1000:.0f} ms, "
              f"{len(body) / 1e3:.0f} kB, status {resp.status}")
        assert resp.status == 200, resp.status
        n, codes = _hammer(port, path, {"If-None-Match": etag}, seconds, clients)
        rate_304 = n / seconds
        print(f"serve: {rate_304:,.0f} revalidations/s (304) with {clients} keep-alive clients, statuses {codes}")
        n, codes = _hammer(port, path, {}, seconds, clients)
        rate_200 = n / seconds
        print(f"serve: {rate_200:,.0f} full downloads/s (200, {len(body) / 1e3:.0f} kB each), statuses {codes}")
        n, codes = _hammer(port, path, {"Accept-Encoding": "gzip"}, seconds, clients)
        print(f"serve: {n / seconds:,.0f} gzip downloads/s (200), statuses {codes}")
        wrk_304 = _wrk(port, path, {"If-None-Match": etag}, seconds)
        wrk_200 = _wrk(port, path, {}, seconds)
        if wrk_304 is not None and wrk_200 is not None:
            print(f"serve under wrk ({WRK_CONNECTIONS} connections, 2 threads): {wrk_304:,.0f} revalidations/s (304), "
                  f"{wrk_200:,.0f} full downloads/s (200)")
            rate_304, rate_200 = wrk_304, wrk_200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return rate_304, rate_200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--db", type=Path, help="reuse (or create) this SQLite file")
    parser.add_argument("--skip-serve", action="store_true")
    parser.add_argument("--workers", type=int, help="export processes (default: automatic; 1 also measured)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-feeds-") as tmp:
        db = args.db or Path(tmp) / "bench.db"
        fresh = not db.exists()
        engine = make_engine(f"sqlite:///{db}")
        ensure_schema(engine)
        if fresh:
            t0 = time.perf_counter()
            make_synthetic(engine, args.tasks)
            print(f"synthetic database: {args.tasks:,} tasks in {time.perf_counter() - t0:.1f} s")
        if args.workers is None:
            bench_export(engine, Path(tmp) / "exports", args.rounds, workers=1)
        export = bench_export(engine, Path(tmp) / "exports", args.rounds, workers=args.workers)
        print(f"RESULT export {args.tasks} tasks: {export:.2f} s (target ≤ 2 s)")
        if not args.skip_serve:
            r304, r200 = bench_serve(engine, db, Path(tmp) / "home", args.seconds, args.clients)
            print(f"RESULT serve: {r304:,.0f} 304/s (target ≥ 2,000), {r200:,.0f} 200/s")
        engine.dispose()


if __name__ == "__main__":
    main()
