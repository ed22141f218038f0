"""Coordinator changes and lateness as of a date, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import SEEDS
from tracker.asof.lateness import StateQuery, summarise, task_states
from tracker.errors import ConflictError, NotFoundError, UsageError
from tracker.services.tasks import get_task, list_tasks, resolve_task
from tracker.store.changes import Change, add_note, assign, confirm, set_due, set_status, trigger, unassign

ALICE = Change(actor="alice")


def _task(engine: Engine, ref: str):  # type: ignore[no-untyped-def]
    return get_task(engine, ref).task


def test_set_status_records_history_with_effective_date(seeded: Engine) -> None:
    tid = resolve_task(seeded, "yunnan-2020-2021:21")
    result = set_status(seeded, tid, Change("alice", Change.on_date(date(2020, 12, 20)), "已发布"), status="done")
    assert result.version == 2 and result.fields == ("status", "progress")
    detail = get_task(seeded, "yunnan-2020-2021:21")
    assert (detail.task.status, detail.task.progress, detail.task.version) == ("done", 100, 2)
    fields = {(h.field, h.old_value, h.new_value, h.actor, h.note) for h in detail.history}
    assert fields == {("status", "todo", "done", "alice", "已发布"), ("progress", "0", "100", "alice", "已发布")}
    assert all(h.effective_at.date() == date(2020, 12, 20) for h in detail.history)
    assert all(h.recorded_at.date() > date(2020, 12, 20) for h in detail.history)


def test_stale_version_is_refused_and_says_what_changed(seeded: Engine) -> None:
    tid = resolve_task(seeded, "yunnan-2020-2021:5")
    seen = _task(seeded, "yunnan-2020-2021:5").version
    set_status(seeded, tid, Change("bob", expected_version=seen), status="doing", progress=30)
    with pytest.raises(ConflictError) as err:
        set_status(seeded, tid, Change("alice", expected_version=seen), status="blocked")
    assert "bob" in str(err.value) and "doing" in str(err.value)
    task = _task(seeded, "yunnan-2020-2021:5")
    assert (task.status, task.progress) == ("doing", 30)  # alice's change did not land
    assert [h.actor for h in get_task(seeded, str(tid)).history] == ["bob", "bob"]


def test_owners_assign_unassign_confirm(seeded: Engine) -> None:
    tid = resolve_task(seeded, "yunnan-2020-2021:33")
    assert _task(seeded, str(tid)).owners[0].provenance == "inferred"
    confirm(seeded, tid, ALICE)
    assert {o.provenance for o in _task(seeded, str(tid)).owners} == {"assigned"}
    assign(seeded, tid, "省检察院", ALICE, role="lead")
    owners = _task(seeded, str(tid)).owners
    assert owners[0].name == "省检察院" and owners[0].role == "lead"
    assert [o.role for o in owners].count("lead") == 1
    unassign(seeded, tid, "省检察院", ALICE)
    owners = _task(seeded, str(tid)).owners
    assert "省检察院" not in {o.name for o in owners} and owners[0].role == "lead"
    assign(seeded, tid, "新成立的专班", ALICE, role="support", create=True)  # a new unit, asked for
    assert "新成立的专班" in {o.name for o in _task(seeded, str(tid)).owners}
    with pytest.raises(NotFoundError):
        unassign(seeded, tid, "不存在的单位", ALICE)
    with pytest.raises(UsageError):
        assign(seeded, tid, "省公安厅", ALICE, role="boss")
    assert sum(h.field == "owner" for h in get_task(seeded, str(tid)).history) >= 4


def test_due_needs_a_reason_and_trigger_gives_a_due_date(seeded: Engine) -> None:
    tid = resolve_task(seeded, "yunnan-2020-2021:4")
    with pytest.raises(UsageError):
        set_due(seeded, tid, date(2021, 9, 30), ALICE)
    set_due(seeded, tid, date(2021, 9, 30), Change("alice", note="联席会议同意延期"))
    task = _task(seeded, str(tid))
    assert (task.due, task.due_source) == (date(2021, 9, 30), "coordinator")
    one = resolve_task(seeded, "yunnan-2020-2021:1")  # (上位法出台后及时启动修订工作)
    states = {s.id: s for s in task_states(seeded, StateQuery(as_of=date(2021, 7, 1)))}
    assert states[one].light == "grey"  # waiting on its condition
    trigger(seeded, one, date(2021, 6, 1), ALICE, days=60)
    task = _task(seeded, str(one))
    assert (task.due, task.due_source) == (date(2021, 7, 31), "trigger")
    states = {s.id: s for s in task_states(seeded, StateQuery(as_of=date(2021, 8, 2)))}
    assert (states[one].lateness, states[one].days_late) == ("overdue", 2)
    with pytest.raises(UsageError):  # no condition on this one
        trigger(seeded, tid, date(2021, 6, 1), ALICE)


TRIGGERED_PLAN = """某省知识产权地方立法工作方案（2021—2022年）
一、重点任务
1.修订专利促进条例。（上位法出台后30日内完成修订）（责任单位：省知识产权局）
2.报送专题会议纪要落实情况。（会后7个工作日内上报）（责任单位：省政府办公厅）
3.制定配套办法。（新法施行后三个月内出台）（责任单位：省司法厅）
4.清理不符合规定的文件。（上位法修订后及时清理）（责任单位：省司法厅）
"""


@pytest.mark.parametrize(
    ("number", "met_on", "due"),
    [
        ("1", date(2021, 6, 1), date(2021, 7, 1)),  # 30 days
        ("2", date(2021, 9, 28), date(2021, 10, 13)),  # 7 working days over 国庆 and its make-up Saturday
        ("3", date(2021, 11, 30), date(2022, 2, 28)),  # three calendar months, to the month's last day
    ],
)
def test_a_trigger_takes_the_span_the_deadline_prints(engine: Engine, tmp_path, number: str, met_on: date, due: date) -> None:  # type: ignore[no-untyped-def]
    from tracker.store.importer import import_paths

    doc = tmp_path / "legislation.txt"
    doc.write_text(TRIGGERED_PLAN, encoding="utf-8")
    assert not import_paths(engine, [doc]).errors
    [slug] = {t.plan for t in list_tasks(engine)}
    tid = resolve_task(engine, f"{slug}:{number}")
    trigger(engine, tid, met_on, ALICE)
    task = _task(engine, str(tid))
    assert (task.due, task.due_source) == (due, "trigger")


def test_a_trigger_without_a_printed_span_takes_the_plans_days(engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tracker.store.importer import import_paths

    doc = tmp_path / "legislation.txt"
    doc.write_text(TRIGGERED_PLAN, encoding="utf-8")
    assert not import_paths(engine, [doc]).errors
    [slug] = {t.plan for t in list_tasks(engine)}
    tid = resolve_task(engine, f"{slug}:4")
    trigger(engine, tid, date(2021, 6, 1), ALICE)
    assert _task(engine, str(tid)).due == date(2021, 8, 30)  # the plan's default 90 days


def test_notes_never_conflict(seeded: Engine) -> None:
    tid = resolve_task(seeded, "yunnan-2020-2021:6")
    add_note(seeded, tid, Change("alice", note="已电话督办"))
    add_note(seeded, tid, Change("bob", note="已书面督办", expected_version=0))
    task = _task(seeded, str(tid))
    assert task.version == 1
    assert [h.new_value for h in get_task(seeded, str(tid)).history] == ["已书面督办", "已电话督办"]


def _overdue_json(engine: Engine, as_of: date) -> dict[str, list[str]]:
    from tracker.services.reports import summary_json

    data = summary_json(summarise(task_states(engine, StateQuery(as_of=as_of)), as_of))
    return {g["name"]: sorted(i["task"] for i in g["overdue"]) for g in data["groups"] if g["overdue"]}


def test_overdue_as_of_is_exactly_the_tasks_due_before_and_not_done(seeded: Engine) -> None:
    due_2020 = {t.ref for t in list_tasks(seeded) if t.due == date(2020, 12, 31)}
    text = (SEEDS / "yunnan-2020-ip-protection-opinions.txt").read_text(encoding="utf-8")
    assert len(due_2020) == text[text.index("附件"):].count("(2020年12月底前完成")
    late = _overdue_json(seeded, date(2021, 1, 1))
    assert set().union(*late.values()) == due_2020
    # each task under each of its owners
    for t in list_tasks(seeded):
        if t.ref in due_2020:
            for o in t.owners:
                assert t.ref in late[o.name]
    done = sorted(due_2020)[:3]
    for ref in done:
        set_status(seeded, resolve_task(seeded, ref), Change("alice", Change.on_date(date(2020, 12, 20))), status="done")
    late = _overdue_json(seeded, date(2021, 1, 1))
    assert set().union(*late.values()) == due_2020 - set(done)


def test_report_as_of_a_date_ignores_later_changes(seeded: Engine) -> None:
    ref = "yunnan-2020-2021:2"
    set_status(seeded, resolve_task(seeded, ref), Change("alice", Change.on_date(date(2021, 3, 1))), status="done")
    as_of_jan = {s.ref: s for s in task_states(seeded, StateQuery(as_of=date(2021, 1, 15)))}
    as_of_apr = {s.ref: s for s in task_states(seeded, StateQuery(as_of=date(2021, 4, 1)))}
    assert (as_of_jan[ref].status, as_of_jan[ref].lateness, as_of_jan[ref].days_late) == ("todo", "overdue", 15)
    assert (as_of_apr[ref].status, as_of_apr[ref].light) == ("done", "grey")


def test_lights_and_reviews_of_ongoing_tasks(seeded: Engine) -> None:
    states = {s.ref: s for s in task_states(seeded, StateQuery(as_of=date(2020, 12, 10)))}
    assert states["yunnan-2020-2021:2"].light == "yellow"  # due 2020-12-31, within 30 days
    assert states["yunnan-2020-2021:4"].light == "green"  # due 2021-06-30
    ongoing = states["yunnan-2020-2021:10"]  # (持续推进): nothing recorded since the plan began
    assert (ongoing.lateness, ongoing.light) == ("review_overdue", "red")
    tid = resolve_task(seeded, "yunnan-2020-2021:10")
    add_note(seeded, tid, Change("alice", Change.on_date(date(2020, 10, 15)), note="三季度进展已报送"))
    after = {s.ref: s for s in task_states(seeded, StateQuery(as_of=date(2020, 12, 10)))}["yunnan-2020-2021:10"]
    assert after.lateness is None and after.next_review == date(2020, 12, 31)
    # … 并持续推进 tasks are dated first, then reviewed once met
    s17 = task_states(seeded, StateQuery(as_of=date(2022, 1, 5), plan="yunnan-2020-2021"))
    item17 = next(s for s in s17 if s.key == "17")
    assert item17.lateness == "overdue"


def test_summary_by_plan_and_section_and_unknown_by(seeded: Engine) -> None:
    states = task_states(seeded, StateQuery(as_of=date(2021, 1, 1)))
    by_plan = summarise(states, date(2021, 1, 1), "plan")
    late = sum(1 for s in states if s.lateness == "overdue")
    assert by_plan.groups[0].name == "yunnan-2020-2021" and len(by_plan.groups[0].overdue) == late
    by_section = summarise(states, date(2021, 1, 1), "section")
    assert sum(len(g.overdue) for g in by_section.groups) == late
    with pytest.raises(UsageError):
        summarise(states, date(2021, 1, 1), "colour")


def test_plan_review_interval_is_configurable(seeded: Engine) -> None:
    from tracker.store.changes import configure_plan

    as_of = date(2020, 5, 15)  # quarterly: the 2020-03-31 review was missed
    ref = "yunnan-2020-2021:10"
    quarterly = {s.ref: s for s in task_states(seeded, StateQuery(as_of=as_of))}[ref]
    assert (quarterly.lateness, quarterly.next_review) == ("review_overdue", date(2020, 6, 30))
    assert configure_plan(seeded, "yunnan-2020-2021", review_months=6) == {"review_months": 6, "trigger_days": 90}
    half_yearly = {s.ref: s for s in task_states(seeded, StateQuery(as_of=as_of))}[ref]
    assert (half_yearly.lateness, half_yearly.next_review) == (None, date(2020, 6, 30))
    assert configure_plan(seeded, "yunnan-2020-2021", trigger_days=30)["trigger_days"] == 30
    trigger(seeded, resolve_task(seeded, "yunnan-2020-2021:1"), date(2021, 6, 1), ALICE)
    assert _task(seeded, "yunnan-2020-2021:1").due == date(2021, 7, 1)
    with pytest.raises(UsageError):
        configure_plan(seeded, "yunnan-2020-2021", review_months=0)
    with pytest.raises(NotFoundError):
        configure_plan(seeded, "nowhere", review_months=3)
