"""How fast the TUI is with a real office's load: 100,000 tasks in SQLite.

Builds a synthetic database (a few plans, sections, owners, some history) with bulk inserts,
then drives the real app with Textual's pilot and prints:

* first paint — from creating the app until the task table shows its first page;
* filter keystroke — from a key typed in the search box until the table shows the new rows,
  timestamped inside the app (``pilot.press`` itself always waits ~60 ms of wall time, so
  timing around it would measure the pilot, not the app);
* the SQL behind the first page (``tracker.services.tasklist.first_rows``), for reference.

Targets (the issue): first paint ≤ 1 s, keystroke → table ≤ 100 ms.
Usage: .venv/bin/python bench/tui.py [TASKS [ROUNDS]]    (default 100000 tasks, 2 rounds)
"""

from __future__ import annotations

import asyncio
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

UNITS = [
    "省市场监管局", "省公安厅", "省法院", "省检察院", "省司法厅", "省商务厅", "省科技厅", "省财政厅",
    "省教育厅", "省文化和旅游厅", "省农业农村厅", "昆明海关", "省版权局", "省林草局", "省药监局", "人行昆明中心支行",
]
GROUPS = ["各州（市）人民政府", "各乡镇（街道）"]
STATUSES = ("todo", "todo", "todo", "doing", "doing", "done", "blocked", "cancelled")


def _seed_sentences() -> list[str]:
    """Sentences of the seed plans: synthetic tasks read (and search) like real ones."""
    from tracker.store.importer import load_source

    out: list[str] = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        text = load_source(path).text.replace("\n", "")
        out += [s.strip() for s in re.split(r"(?<=[。；])", text) if 8 <= len(s.strip()) <= 120]
    return out


def build_database(path: Path, tasks: int, *, plans: int = 8, seed: int = 7) -> None:
    """A database of ``tasks`` synthetic tasks at ``path`` (bulk inserts: a few seconds for
    100k). Deterministic for a given seed, so runs compare."""
    import sqlalchemy as sa

    from tracker.extract.repair import to_simplified
    from tracker.store.db import FTS_TABLE, ensure_schema, has_fts, make_engine
    from tracker.store.models import history_t, owner_t, plan_t, task_t, unit_t

    rnd = random.Random(seed)
    sentences = _seed_sentences()
    engine = make_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    now = datetime(2021, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(sa.insert(unit_t), [{"name": u, "aliases": "", "is_group": False} for u in UNITS]
                     + [{"name": g, "aliases": "", "is_group": True} for g in GROUPS])
        unit_ids = [r[0] for r in conn.execute(sa.select(unit_t.c.id).order_by(unit_t.c.id))]
        conn.execute(sa.insert(plan_t), [
            {"slug": f"bench-{p + 1:02d}", "title": f"第{p + 1}号知识产权实施方案（基准测试）", "issuer": "基准测试",
             "issued_on": date(2020, 1, 1), "period_start": date(2020, 1, 1), "period_end": date(2025, 12, 31),
             "source_file": f"bench-{p + 1:02d}.txt", "source_checksum": "0" * 64, "language": "zh-Hans",
             "review_months": 3, "trigger_days": 90, "created_at": now, "updated_at": now}
            for p in range(plans)
        ])
        plan_ids = [r[0] for r in conn.execute(sa.select(plan_t.c.id).order_by(plan_t.c.id))]
        per_plan = -(-tasks // plans)
        rows, owners, history = [], [], []
        tid = 0
        for pid in plan_ids:
            for seq in range(1, per_plan + 1):
                if tid >= tasks:
                    break
                tid += 1
                chapter = (seq - 1) // 500 + 1
                text = "".join(rnd.sample(sentences, rnd.choice((2, 3, 4, 5))))
                title = text.split("。")[0][:40]
                ongoing = rnd.random() < 0.08
                due = None if ongoing else date(2020, 3, 31) + timedelta(days=rnd.randrange(0, 2100))
                status = rnd.choice(STATUSES)
                rows.append({
                    "id": tid, "plan_id": pid, "key": str(seq), "seq": seq, "number": str(seq),
                    "section": f"第{chapter}章 重点任务{chapter}", "title": title, "text": text, "kind": "task",
                    "due": due, "start": None, "due_text": f"{due.year}年{due.month}月底前完成" if due else "持续推进",
                    "ongoing": ongoing, "condition": None, "triggered_on": None, "milestones": "",
                    "due_source": "stated", "status": status, "progress": 100 if status == "done" else rnd.choice((0, 20, 50, 80)),
                    "needs_review": False, "review_reason": None, "withdrawn": False, "version": 1,
                    "line_start": seq * 2, "line_end": seq * 2, "search_text": to_simplified(f"{seq} {title} {text}"),
                    "created_at": now, "updated_at": now,
                })
                for pos, uid in enumerate(rnd.sample(unit_ids, rnd.choice((1, 1, 2, 3)))):
                    owners.append({"task_id": tid, "unit_id": uid, "role": "lead" if pos == 0 else "support",
                                   "provenance": "stated" if rnd.random() < 0.8 else "inferred", "position": pos})
                if rnd.random() < 0.05:
                    history.append({"task_id": tid, "actor": "bench", "recorded_at": now, "effective_at": now,
                                    "field": "note", "old_value": None, "new_value": "已督办", "note": None, "task_version": None})
        for i in range(0, len(rows), 5000):
            conn.execute(sa.insert(task_t), rows[i : i + 5000])
        for i in range(0, len(owners), 10000):
            conn.execute(sa.insert(owner_t), owners[i : i + 10000])
        if history:
            conn.execute(sa.insert(history_t), history)
        if has_fts(conn):  # rows inserted here, not by the importer: index them as it would
            conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')")
    engine.dispose()


QUERIES = ("知识产权质押", "专利导航", "昆明海关")


async def _drive(path: Path, as_of: date) -> dict[str, list[float]]:
    """One app session: first paint, then every keystroke of QUERIES typed and erased."""
    from tracker.settings import Settings
    from tracker.store.db import make_engine
    from tui.app import make_app
    from tui.widgets.task_table import TaskTable

    out: dict[str, list[float]] = {"first_paint": [], "first_count": [], "key_rows": [], "key_total": [], "end": []}
    t0 = time.perf_counter()
    engine = make_engine(f"sqlite:///{path}")
    app = make_app(engine, Settings.load(), lang="zh", as_of=as_of, actor="bench")
    async with app.run_test(size=(160, 45)) as pilot:
        table = app.screen.query_one(TaskTable)
        while table.first_paint_at is None:
            await asyncio.sleep(0.002)
        out["first_paint"].append(table.first_paint_at - t0)
        while table.ids is None:
            await asyncio.sleep(0.002)
        out["first_count"].append((table.counted_at or 0) - t0)
        await _idle(app)
        await pilot.press("slash")
        for query in QUERIES:
            for key in [*query, *(["backspace"] * len(query))]:
                app.stats.reset()
                await pilot.press(key)
                while app.stats.filter_latency is None or app.stats.count_latency is None:
                    await asyncio.sleep(0.002)
                out["key_rows"].append(app.stats.filter_latency)
                out["key_total"].append(app.stats.count_latency)
                await _idle(app)
        await pilot.press("escape")
        await _idle(app)
        for key in ("end", "home", "end"):  # a row 100,000 rows away: its page is fetched
            await pilot.press(key)
            while table.move_latency is None:
                await asyncio.sleep(0.002)
            out["end"].append(table.move_latency)
    engine.dispose()
    return out


async def _idle(app: object) -> None:
    """Wait until no worker runs (the overview counts included) before the next key."""
    from textual.worker import WorkerCancelled

    for _ in range(1000):
        try:
            await app.workers.wait_for_complete()  # type: ignore[attr-defined]
        except WorkerCancelled:
            continue
        if not any(w.is_running for w in app.workers):  # type: ignore[attr-defined]
            return
        await asyncio.sleep(0.01)


def _ms(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p90 = ms[min(len(ms) - 1, round(0.9 * (len(ms) - 1)))]
    return f"median {statistics.median(ms):.0f} ms, p90 {p90:.0f} ms, max {ms[-1]:.0f} ms (n={len(ms)})"


def _report(label: str, path: Path, as_of: date, rounds: int) -> None:
    figures: dict[str, list[float]] = {}
    for _ in range(rounds):
        for key, values in asyncio.run(_drive(path, as_of)).items():
            figures.setdefault(key, []).extend(values)
    print(f"\n[{label}]")
    print(f"  first paint (app start -> first rows on screen): {_ms(figures['first_paint'])}   target <= 1000 ms")
    print(f"  app start -> full listing counted:                {_ms(figures['first_count'])}")
    print(f"  keystroke in search -> table shows new rows:      {_ms(figures['key_rows'])}   target <= 100 ms")
    print(f"  keystroke in search -> total known (scrollbar):   {_ms(figures['key_total'])}")
    print(f"  End/Home across 100k rows -> row on screen:       {_ms(figures['end'])}")


def cold_start(path: Path, runs: int = 3) -> list[float] | None:
    """`tracker tui` in a real terminal (tmux): seconds from launching the command until the
    first task row is on the screen — interpreter, imports and schema check included."""
    import shutil
    import subprocess

    if shutil.which("tmux") is None:
        return None
    tracker = ROOT / ".venv" / "bin" / "tracker"
    out = []
    for i in range(runs):
        sock = f"plan-tracker-bench-{i}-{time.time_ns()}"
        tmux = ["tmux", "-u", "-L", sock, "-f", "/dev/null"]
        cmd = f"TRACKER_DB={path} TRACKER_LANG=zh {tracker} tui --as-of 2021-01-01"
        t0 = time.perf_counter()
        subprocess.run([*tmux, "new-session", "-d", "-x", "160", "-y", "45", cmd], check=True)
        try:
            while time.perf_counter() - t0 < 30:
                screen = subprocess.run([*tmux, "capture-pane", "-p"], capture_output=True, text=True).stdout
                if "bench-01" in screen and "2020" in screen:
                    out.append(time.perf_counter() - t0)
                    break
                time.sleep(0.01)
        finally:
            subprocess.run([*tmux, "kill-server"], capture_output=True)
    return out


def main() -> None:
    import subprocess

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 100_000
    rounds = int(args[1]) if len(args) > 1 else 2
    as_of = date(2021, 1, 1)
    def wall(code: str) -> float:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
        return time.perf_counter() - t

    imports = min(wall("import tui.app") for _ in range(3)) - min(wall("pass") for _ in range(3))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        build_database(path, n)
        print(f"build: {n:,} tasks in {time.perf_counter() - t0:.1f} s; cold import of tui.app: {imports:.2f} s "
              f"(add to first paint for a cold start)")
        cold = cold_start(path)
        if cold:
            print(f"cold start: `tracker tui` launched in tmux -> first rows on screen: {_ms(cold)}")
        _report("schema as migrated (ix_task_listing, task_fts trigram index)", path, as_of, rounds)

if __name__ == "__main__":
    main()
