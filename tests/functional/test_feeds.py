"""Calendar feed export on the seed plans (SQLite and PostgreSQL): every feed is accepted by
independent parsers, UIDs are stable and SEQUENCE grows, bytes are deterministic, file
names are safe, and the feed's overdue marks are the office's rules (tracker.asof.lateness)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import SEEDS, run_cli
from tests.ics import check_feed, check_raw, events, occurrences, parse, strict
from tracker.asof.lateness import StateQuery, task_states
from tracker.errors import NotFoundError
from tracker.feeds.export import export_ics, feed_filename, load_snapshot
from tracker.feeds.ical import FeedOptions
from tracker.services.tasks import resolve_task
from tracker.store.changes import Change, add_note, assign, set_status, trigger
from tracker.store.db import read_session

AS_OF = date(2021, 7, 1)
SAFE_NAME = re.compile(r"[a-z0-9-]+(\.todo)?\.ics")


def _units(engine: Engine) -> list[str]:
    import sqlalchemy as sa

    from tracker.store.models import unit_t

    with read_session(engine) as s:
        return list(s.execute(sa.select(unit_t.c.name)).scalars())


def _sequences(folder: Path, name: str) -> dict[str, int]:
    return {uid: int(e["SEQUENCE"]) for uid, e in events((folder / name).read_bytes()).items()}


# ------------------------------------------------------------------ the whole export
def test_export_writes_a_feed_per_unit_and_plan_that_parsers_accept(seeded: Engine, tmp_path: Path) -> None:
    tmp_path = tmp_path / "exports"
    report = export_ics(seeded, tmp_path, as_of=AS_OF, todo=True)
    names = {f.name for f in report.files}
    units = _units(seeded)
    assert {feed_filename("unit", u) + ".ics" for u in units} <= names
    assert {"all.ics", "all.todo.ics", "plan-yunnan-2020-2021.ics", "plan-yunyang-2022-2025.ics"} <= names
    assert len(names) == 2 * (1 + 6 + len(units))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names, "index.html"])
    everything = events((tmp_path / "all.ics").read_bytes())
    for f in report.files:
        data = (tmp_path / f.name).read_bytes()
        cal = check_feed(data)
        kind = "VTODO" if f.name.endswith(".todo.ics") else "VEVENT"
        assert len(cal.walk(kind)) == f.events and len(data) == f.size < 1_000_000
        if kind == "VEVENT":
            assert set(events(data)) <= set(everything)
    # The task waiting on its condition (上位法出台后…) is in no feed; nor are tasks with no
    # date at all (a heading-like measure of a work plan); every other task is in all.ics.
    assert report.waiting == ["yunnan-2020-2021:1"]
    assert "yunnan-2020-2021-1@plan-tracker" not in everything
    states = task_states(seeded, StateQuery(as_of=AS_OF))
    undated = {s.ref for s in states if s.due is None and not s.ongoing and not s.condition}
    assert {f"{r.split(':')[0]}:{resolve_task(seeded, r)}" for r in report.undated} == {
        f"{r.split(':')[0]}:{resolve_task(seeded, r)}" for r in undated}
    all_tasks = next(f for f in report.files if f.name == "all.ics").tasks
    assert all_tasks == len(states) - 1 - len(undated)
    # index.html lists every feed with its task count.
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    for f in report.files:
        assert f'<a href="{f.name}">' in index
    police = next(f for f in report.files if f.target == "省公安厅" and f.name.endswith(".ics") and ".todo" not in f.name)
    assert f"<td>省公安厅 · 任务期限</td><td class=n>{police.tasks}</td>" in index


def test_seed_events_dates_uids_and_alarms(seeded: Engine, tmp_path: Path) -> None:
    export_ics(seeded, tmp_path, as_of=AS_OF, plan="yunnan-2020-2021")
    data = (tmp_path / "plan-yunnan-2020-2021.ics").read_bytes()
    ev = events(data)
    two = ev["yunnan-2020-2021-2@plan-tracker"]  # 2020年12月底前完成 → overdue on 2021-07-01
    assert two.decoded("DTSTART") == date(2020, 12, 31) and two.decoded("DTEND") == date(2021, 1, 1)
    assert str(two["SUMMARY"]) == "【逾期】2 修订《昆明海关知识产权海关保护操作规程》"
    assert len(two.walk("VALARM")) == 2
    # Ongoing tasks (持续推进) recur quarterly from the period start to its end.
    review = ev["yunnan-2020-2021-10-review@plan-tracker"]
    rule = review["RRULE"]
    assert (rule["FREQ"], rule["INTERVAL"], rule["BYMONTHDAY"], rule["UNTIL"]) == (["MONTHLY"], [3], [-1], [date(2021, 12, 31)])
    ongoing = [uid for uid in ev if uid.endswith("-review@plan-tracker")]
    states = task_states(seeded, StateQuery(as_of=AS_OF, plan="yunnan-2020-2021"))
    assert len(ongoing) == sum(s.ongoing for s in states) > 50
    expanded = occurrences(data, date(2019, 1, 1), date(2023, 1, 1))
    reviews = [o for o in expanded if str(o["UID"]).endswith("-review@plan-tracker")]
    assert len(reviews) == len(ongoing) * 8
    assert {o.decoded("DTSTART") for o in reviews} == {
        date(2020, 3, 31), date(2020, 6, 30), date(2020, 9, 30), date(2020, 12, 31),
        date(2021, 3, 31), date(2021, 6, 30), date(2021, 9, 30), date(2021, 12, 31),
    }


def test_phases_span_their_window(seeded: Engine, tmp_path: Path) -> None:
    export_ics(seeded, tmp_path, as_of=AS_OF, plan="yunyang-2022-2025")
    ev = events((tmp_path / "plan-yunyang-2022-2025.ics").read_bytes())
    build = ev["yunyang-2022-2025-18@plan-tracker"]  # 建设阶段 2022年11月—2025年3月
    assert (build.decoded("DTSTART"), build.decoded("DTEND")) == (date(2022, 11, 1), date(2025, 4, 1))
    assert str(build["SUMMARY"]) == "（十八）建设阶段"


# ------------------------------------------------------------------ stability
def test_uids_stable_and_sequence_grows_for_the_changed_task_only(seeded: Engine, tmp_path: Path) -> None:
    from tracker.extract.owners import Lexicon, default_lexicon_path
    from tracker.store.importer import import_paths

    before, after = tmp_path / "before", tmp_path / "after"
    export_ics(seeded, before, as_of=AS_OF)
    report = import_paths(seeded, [SEEDS], lexicon=Lexicon.load(default_lexicon_path()))  # re-import: nothing new
    assert not report.errors
    changed = resolve_task(seeded, "yunnan-2020-2021:21")
    set_status(seeded, changed, Change("alice", Change.on_date(date(2020, 12, 20))), status="done")
    export_ics(seeded, after, as_of=AS_OF)
    for name in ("all.ics", "plan-yunnan-2020-2021.ics", feed_filename("unit", "省公安厅") + ".ics"):
        old, new = _sequences(before, name), _sequences(after, name)
        assert set(old) == set(new)
        grew = {uid for uid in new if new[uid] > old[uid]}
        assert all(new[uid] >= old[uid] for uid in new)
        assert grew <= {"yunnan-2020-2021-21@plan-tracker"}
    old, new = _sequences(before, "all.ics"), _sequences(after, "all.ics")
    assert new["yunnan-2020-2021-21@plan-tracker"] > old["yunnan-2020-2021-21@plan-tracker"]
    done = events((after / "all.ics").read_bytes())["yunnan-2020-2021-21@plan-tracker"]
    assert str(done["SUMMARY"]).startswith("✓ ")
    assert done.decoded("LAST-MODIFIED") >= events((before / "all.ics").read_bytes())["yunnan-2020-2021-21@plan-tracker"].decoded("LAST-MODIFIED")


def test_another_machine_writes_the_same_feeds(seeded: Engine, tmp_path: Path) -> None:
    """A second office importing the same documents into its own database (SQLite, while
    ``seeded`` is SQLite or PostgreSQL) gets the same UIDs, SEQUENCEs and bytes — all but
    the import time in DTSTAMP/LAST-MODIFIED."""
    from tracker.extract.owners import Lexicon, default_lexicon_path
    from tracker.store.db import ensure_schema, make_engine
    from tracker.store.importer import import_paths

    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    ensure_schema(other)
    import_paths(other, [SEEDS], lexicon=Lexicon.load(default_lexicon_path()))
    export_ics(seeded, tmp_path / "here", as_of=AS_OF)
    export_ics(other, tmp_path / "there", as_of=AS_OF)
    other.dispose()
    stamp = re.compile(rb"^(DTSTAMP|LAST-MODIFIED):\d{8}T\d{6}Z\r$", re.M)
    here = sorted(p.name for p in (tmp_path / "here").iterdir())
    assert here == sorted(p.name for p in (tmp_path / "there").iterdir())
    for name in here:
        a, b = (tmp_path / "here" / name).read_bytes(), (tmp_path / "there" / name).read_bytes()
        assert stamp.sub(b"", a) == stamp.sub(b"", b), name


def test_same_database_same_bytes_and_unchanged_files_are_not_rewritten(seeded: Engine, tmp_path: Path) -> None:
    other = tmp_path / "other"
    tmp_path = tmp_path / "exports"
    export_ics(seeded, tmp_path, as_of=AS_OF)
    first = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    again = export_ics(seeded, tmp_path, as_of=AS_OF)
    assert not any(f.changed for f in again.files)
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()} == first
    # The date only matters through the overdue marks: a day without a deadline passing
    # gives the same bytes.
    export_ics(seeded, other, as_of=AS_OF + timedelta(days=1))
    assert (other / "plan-yunyang-2022-2025.ics").read_bytes() == first["plan-yunyang-2022-2025.ics"][0]


def test_two_processes_write_the_same_bytes_as_one(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tracker.feeds.export
    from tracker.extract.owners import Lexicon, default_lexicon_path
    from tracker.store.importer import import_paths

    merged: list[int] = []
    real_merge = tracker.feeds.export.merge_sets
    monkeypatch.setattr(tracker.feeds.export, "merge_sets", lambda parts: merged.append(len(parts)) or real_merge(parts))
    # Idle threads left by earlier tests (a TUI's workers) would make the export stay in one
    # process, as it must in a real multi-threaded program; here forking is safe.
    monkeypatch.setattr(tracker.feeds.export.threading, "active_count", lambda: 1)

    import_paths(engine, [SEEDS], lexicon=Lexicon.load(default_lexicon_path()))
    set_status(engine, resolve_task(engine, "yunnan-2020-2021:5"), Change("bob"), status="doing", progress=30)
    one, two = tmp_path / "one", tmp_path / "two"
    a = export_ics(engine, one, as_of=AS_OF, todo=True, workers=1)
    b = export_ics(engine, two, as_of=AS_OF, todo=True, workers=2)
    assert merged == [2], "the export did not fork"
    assert a.to_json()["feeds"] == b.to_json()["feeds"] and (a.waiting, a.undated) == (b.waiting, b.undated)
    for p in one.iterdir():
        assert p.read_bytes() == (two / p.name).read_bytes(), p.name


# ------------------------------------------------------------------ the office's rules
def test_overdue_marks_agree_with_lateness(seeded: Engine) -> None:
    ref = lambda r: resolve_task(seeded, r)  # noqa: E731
    set_status(seeded, ref("yunnan-2020-2021:2"), Change("a", Change.on_date(date(2020, 12, 20))), status="done")
    set_status(seeded, ref("yunnan-2020-2021:3"), Change("a", Change.on_date(date(2021, 8, 1))), status="done")
    set_status(seeded, ref("yunnan-2020-2021:10"), Change("a", Change.on_date(date(2021, 2, 1))), status="doing", progress=20)
    add_note(seeded, ref("yunnan-2020-2021:12"), Change("a", Change.on_date(date(2021, 5, 1)), note="已报送"))
    set_status(seeded, ref("yunnan-2020-2021:17"), Change("a", Change.on_date(date(2021, 3, 1))), status="done")
    set_status(seeded, ref("yunyang-2022-2025:5"), Change("a"), status="cancelled")
    trigger(seeded, ref("yunnan-2020-2021:1"), date(2021, 6, 1), Change("a"), days=20)
    opts = FeedOptions(done_window_days=None)
    for as_of in (date(2020, 6, 1), date(2021, 1, 1), date(2021, 5, 15), date(2021, 7, 1), date(2022, 3, 1), date(2026, 1, 1)):
        snap = load_snapshot(seeded, as_of, opts)
        items = {(i.plan, i.key): i for i in snap.items}
        for s in task_states(seeded, StateQuery(as_of=as_of)):
            item = items.get((s.plan, s.key))
            waiting = bool(s.condition) and s.triggered_on is None and s.due is None
            if waiting:
                assert item is None and f"{s.plan}:{s.number}" in snap.waiting
                continue
            if s.due is None and not s.ongoing:
                assert item is None and f"{s.plan}:{s.number}" in snap.undated
                continue
            assert item is not None, s.ref
            assert (item.status, item.due, item.done_on) == (s.status, s.due, s.done_on), (as_of, s.ref)
            assert (item.overdue_since is not None) == (s.lateness == "overdue"), (as_of, s.ref)
            assert (item.review_overdue_since is not None) == (s.lateness == "review_overdue"), (as_of, s.ref)
    after = {(i.plan, i.key): i for i in load_snapshot(seeded, date(2021, 7, 1), opts).items}
    assert after[("yunnan-2020-2021", "1")].due == date(2021, 6, 21)  # triggered: in the feeds now


def test_hide_done_and_the_done_window(seeded: Engine, tmp_path: Path) -> None:
    tid = resolve_task(seeded, "yunnan-2020-2021:21")
    set_status(seeded, tid, Change("a", Change.on_date(date(2020, 12, 20))), status="done")
    uid = "yunnan-2020-2021-21@plan-tracker"
    export_ics(seeded, tmp_path / "a", as_of=AS_OF, plan="yunnan-2020-2021")
    assert uid in events((tmp_path / "a" / "plan-yunnan-2020-2021.ics").read_bytes())
    export_ics(seeded, tmp_path / "b", as_of=AS_OF, plan="yunnan-2020-2021", opts=FeedOptions(hide_done=True))
    assert uid not in events((tmp_path / "b" / "plan-yunnan-2020-2021.ics").read_bytes())
    export_ics(seeded, tmp_path / "c", as_of=date(2022, 1, 1), plan="yunnan-2020-2021", opts=FeedOptions(done_window_days=365))
    assert uid not in events((tmp_path / "c" / "plan-yunnan-2020-2021.ics").read_bytes())  # done over a year ago


def test_a_large_unit_feed_is_kept_under_the_limit(seeded: Engine, tmp_path: Path) -> None:
    unit = "省市场监管局（省知识产权局）"  # 75 tasks, ~140 kB
    opts = FeedOptions(max_bytes=60_000)
    report = export_ics(seeded, tmp_path, as_of=AS_OF, owner=unit, opts=opts)
    (f,) = report.files
    data = (tmp_path / f.name).read_bytes()
    assert len(data) == f.size <= 60_000 and f.shortened
    check_feed(data)
    assert f.tasks + len(f.dropped) == len(load_snapshot(seeded, AS_OF, opts, scope="unit", target=unit).items)
    assert any("全文见原文" in str(e["DESCRIPTION"]) for e in events(data).values()) or f.dropped


# ------------------------------------------------------------------ names
def test_file_names_are_safe_and_stable(seeded: Engine, tmp_path: Path) -> None:
    tid = resolve_task(seeded, "yunnan-2020-2021:30")
    odd = ["../../etc/passwd", "a/b", "..", "C:\\Windows\\x", "省公安厅/../../x", "CON", "新成立的专班"]
    for name in odd:
        assign(seeded, tid, name, Change("a"), role="support", create=True)
    out = tmp_path / "exports"
    report = export_ics(seeded, out, as_of=AS_OF)
    assert all(SAFE_NAME.fullmatch(f.name) for f in report.files)
    assert all(p.parent == out for p in out.rglob("*"))
    assert not (tmp_path / "etc").exists() and not (tmp_path / "x").exists()
    assert {p.name for p in tmp_path.iterdir()} <= {"exports", "tracker.db", "tracker.db-wal", "tracker.db-shm"}
    assert len({f.name for f in report.files}) == len(report.files)
    for name in odd:
        assert feed_filename("unit", name) in {f.name[:-4] for f in report.files}
    assert feed_filename("unit", "省公安厅") == feed_filename("unit", "省公安厅")
    assert feed_filename("unit", "省市場監管局") != feed_filename("unit", "省市场监管局")


# ------------------------------------------------------------------ the command
def test_export_command(cli_env: dict[str, str], tmp_path: Path) -> None:
    run_cli(cli_env, "import")
    proc = run_cli(cli_env, "export", "ics", "--as-of", "2021-07-01", "--format", "json")
    data = json.loads(proc.stdout)
    exports = Path(cli_env["TRACKER_EXPORTS"])
    assert data["out_dir"] == str(exports) and data["index"] is True and len(data["feeds"]) == 55
    assert "已写入 55 个日历" in proc.stderr
    for feed in data["feeds"]:
        check_raw((exports / feed["file"]).read_bytes())
    one = run_cli(cli_env, "export", "ics", "--owner", "省公安厅", "--out", str(tmp_path / "one"), "--todo", "--hide-done",
                  "--alarm", "3", "--format", "json")
    files = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert files == sorted([feed_filename("unit", "省公安厅") + ".ics", feed_filename("unit", "省公安厅") + ".todo.ics"])
    assert json.loads(one.stdout)["index"] is False
    todo = (tmp_path / "one" / files[1] if files[1].endswith(".todo.ics") else tmp_path / "one" / files[0]).read_bytes()
    strict(todo)
    assert all(len(t.walk("VALARM")) == 1 for t in parse(todo).walk("VTODO"))
    missing = run_cli(cli_env, "export", "ics", "--owner", "不存在的单位", check=False)
    assert missing.returncode == 3 and "不存在的单位" in missing.stderr
    bad = run_cli(cli_env, "export", "ics", "--plan", "nope", check=False)
    assert bad.returncode == 3
    for command in (["export", "ics"], ["serve"], ["feeds", "list"], ["feeds", "rotate"]):
        assert "Example:" in run_cli(cli_env, *command, "--help").stdout


def test_unknown_unit_raises(seeded: Engine, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        export_ics(seeded, tmp_path, as_of=AS_OF, owner="没有这个单位")
