"""Coordinator changes to tasks: status, progress, owners, due dates, triggers, notes.

Every change is one write transaction that (1) checks the version the coordinator read,
(2) updates the task with compare-and-swap on that version, and (3) appends History rows
saying who, when it was recorded, when it took effect, old → new, and why. Two
coordinators editing the same task therefore never silently overwrite each other: the
second gets a :class:`~tracker.errors.ConflictError` naming what changed meanwhile.
History is append-only; nothing here updates or deletes it.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.dates import MAX_ID, check_count, check_date
from tracker.errors import ConflictError, NotFoundError, UsageError, WithdrawnTaskError
from tracker.labels import STATUS_CODES
from tracker.store.db import write_session
from tracker.store.models import history_t, owner_t, plan_t, task_t, unit_t, utcnow
from tracker.store.units import normalise_unit_name, resolve_unit, task_region
from tracker.textsafe import clean_line, clean_text


def default_actor() -> str:
    """Who is making the change: TRACKER_ACTOR, else the login name."""
    env = os.environ.get("TRACKER_ACTOR")
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


@dataclass(frozen=True)
class Change:
    """Who makes a change, and when it took effect.

    ``expected_version`` is the task version the coordinator saw; None means "whatever
    is current" (a one-shot CLI command reading and writing in one transaction).
    ``force`` allows changing a task its document withdrew (otherwise refused).
    """

    actor: str
    effective: datetime | None = None  # default: now
    note: str | None = None
    expected_version: int | None = None
    force: bool = False

    def __post_init__(self) -> None:
        # Stored as typed, they would reach every terminal that prints the history: control
        # characters go, and a line break in the actor would print as a forged history row.
        object.__setattr__(self, "actor", clean_line(self.actor) or "unknown")
        if self.note is not None:
            object.__setattr__(self, "note", clean_text(self.note))
        if self.expected_version is not None:
            check_count(self.expected_version, "--expect-version", high=MAX_ID)

    @staticmethod
    def on_date(d: date | None) -> datetime | None:
        """An effective date given as a day: the end of that day is when it counts, so a
        completion recorded `--on 2020-12-20` counts for every report as of 2020-12-21."""
        if d is None:
            return None
        return datetime.combine(d, time(12, 0), tzinfo=UTC)


@dataclass(frozen=True)
class ChangeResult:
    task_id: int
    version: int
    fields: tuple[str, ...]


def _now_or(effective: datetime | None) -> datetime:
    return effective or utcnow()


def _load(session: Session, task_id: int) -> dict[str, Any]:
    row = session.execute(sa.select(task_t).where(task_t.c.id == task_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"没有编号为 {task_id} 的任务 / no task with id {task_id}")
    return dict(row)


def _load_editable(session: Session, task_id: int, change: Change) -> dict[str, Any]:
    """The task, refused when its document withdrew it: a status set on a task that is no
    longer in the plan would go unseen by every listing and report (issue 17)."""
    row = _load(session, task_id)
    if row["withdrawn"] and not change.force:
        raise WithdrawnTaskError(
            f"任务 {row['number']} 已从原文删除（撤销），不能修改；确需修改请加 --force / "
            f"task {row['number']} was withdrawn from its document; use --force to change it anyway"
        )
    return row


def _conflict_message(session: Session, task_id: int, seen: int, current: int) -> str:
    rows = session.execute(
        sa.select(history_t.c.actor, history_t.c.field, history_t.c.old_value, history_t.c.new_value, history_t.c.recorded_at)
        .where(history_t.c.task_id == task_id, history_t.c.task_version > seen)
        .order_by(history_t.c.id)
    ).all()
    changes = "；".join(f"{a} 于 {r:%Y-%m-%d %H:%M} 将 {f} 由“{o or ''}”改为“{n or ''}”" for a, f, o, n, r in rows)
    return (
        f"任务已被他人修改（您看到的是第 {seen} 版，现为第 {current} 版）：{changes or '（无明细）'}。"
        f"请刷新后重试 / task changed meanwhile (you saw version {seen}, now {current}); reload and retry"
    )


def _write(
    session: Session,
    task_id: int,
    change: Change,
    updates: dict[str, Any],
    history: list[tuple[str, Any, Any]],
) -> ChangeResult:
    """Compare-and-swap the task row and append History, in the caller's transaction."""
    current = _load(session, task_id)
    seen = change.expected_version if change.expected_version is not None else current["version"]
    if current["version"] != seen:
        raise ConflictError(_conflict_message(session, task_id, seen, current["version"]))
    new_version = seen + 1
    now = utcnow()
    result = session.connection().execute(
        sa.update(task_t)
        .where(task_t.c.id == task_id, task_t.c.version == seen)
        .values(**updates, version=new_version, updated_at=now)
    )
    if result.rowcount != 1:  # another transaction won the race after our read; ours rolls back
        raise ConflictError(f"任务已被他人同时修改，请刷新后重试 / task {task_id} was changed concurrently; reload and retry")
    rows = [
        {
            "task_id": task_id, "actor": change.actor, "recorded_at": now,
            "effective_at": _now_or(change.effective), "field": field,
            "old_value": _text(old), "new_value": _text(new), "note": change.note,
            "task_version": new_version,
        }
        for field, old, new in history
    ]
    if rows:
        session.execute(sa.insert(history_t), rows)
    return ChangeResult(task_id, new_version, tuple(f for f, _, _ in history))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _validate_progress(progress: int) -> int:
    if not 0 <= progress <= 100:
        raise UsageError(f"进度须在 0–100 之间 / progress must be 0–100, got {progress}")
    return progress


def set_status(
    engine: Engine, task_id: int, change: Change, *, status: str | None = None, progress: int | None = None
) -> ChangeResult:
    """Set status and/or progress. Completing a task sets progress to 100 unless given."""
    if status is not None and status not in STATUS_CODES:
        raise UsageError(f"未知状态 / unknown status {status!r}")
    if status is None and progress is None:
        raise UsageError("请指定状态或进度 / give a status or a progress")
    with write_session(engine) as s:
        cur = _load_editable(s, task_id, change)
        updates: dict[str, Any] = {}
        history: list[tuple[str, Any, Any]] = []
        if status is not None and status != cur["status"]:
            updates["status"] = status
            history.append(("status", cur["status"], status))
            if status == "done" and progress is None and cur["progress"] != 100:
                progress = 100
        if progress is not None and _validate_progress(progress) != cur["progress"]:
            updates["progress"] = progress
            history.append(("progress", cur["progress"], progress))
        if not history:
            if change.note:  # nothing changed, but the coordinator said something: keep it
                return _note(s, task_id, change, cur)
            return ChangeResult(task_id, cur["version"], ())
        return _write(s, task_id, change, updates, history)


def set_due(engine: Engine, task_id: int, due: date, change: Change) -> ChangeResult:
    """Override the due date; a reason is required (it goes to History)."""
    if not (change.note or "").strip():
        raise UsageError("修改期限须说明理由（--reason）/ a reason is required to change a due date")
    check_date(due, what="期限 / due date")
    with write_session(engine) as s:
        cur = _load_editable(s, task_id, change)
        history: list[tuple[str, Any, Any]] = [("due", cur["due"], due)]
        if cur["due_source"] != "coordinator":
            history.append(("due_source", cur["due_source"], "coordinator"))
        return _write(s, task_id, change, {"due": due, "due_source": "coordinator"}, history)


def trigger(engine: Engine, task_id: int, met_on: date, change: Change, *, days: int | None = None) -> ChangeResult:
    """Record that a task's condition was met (e.g. the higher-level law was issued, the
    meeting of `会后7个工作日内` held): the task gets a due date ``days`` later and enters
    reports and feeds.

    Without ``days``, the span its deadline prints decides (`上位法出台后30日内` → 30 days,
    `会后7个工作日内` → 7 working days, `3个月内` → 3 calendar months); failing that, the
    plan's trigger_days. A working-day count past the last published holiday schedule is
    an estimate, and the History note says so."""
    with write_session(engine) as s:
        cur = _load_editable(s, task_id, change)
        printed, estimate = _printed_span_due(cur["due_text"], met_on)
        if not cur["condition"] and printed is None:
            # `会后7个工作日内`, `收到通知之日起30日内`: a span from an event is a condition too
            raise UsageError("该任务没有触发条件 / this task has no condition to trigger")
        check_date(met_on)
        due: date | None = None
        if days is None:
            due = printed
            if estimate:
                note = "工作日按法定节假日估算（调休安排未公布） / working days estimated: holiday schedule not published"
                change = Change(change.actor, change.effective, f"{change.note}；{note}" if change.note else note,
                                change.expected_version)
        if due is None:
            if days is None:
                days = int(s.execute(sa.select(plan_t.c.trigger_days).where(plan_t.c.id == cur["plan_id"])).scalar_one())
            if days < 0:
                raise UsageError("天数不能为负 / days must not be negative")
            check_count(days, "--days", high=36500)
            due = met_on + timedelta(days=days)
        due = check_date(due, what="期限 / due date")
        updates = {"triggered_on": met_on, "due": due, "due_source": "trigger"}
        history = [("triggered_on", cur["triggered_on"], met_on), ("due", cur["due"], due)]
        effective = change.effective or Change.on_date(met_on)
        return _write(s, task_id, Change(change.actor, effective, change.note, change.expected_version), updates, history)


def _printed_span_due(due_text: str | None, met_on: date) -> tuple[date | None, bool]:
    """The due date the deadline's own span gives after ``met_on``, and whether it is an
    estimate; (None, False) when the phrase prints no span."""
    if not due_text:
        return None, False
    from tracker.extract.deadlines import parse_deadline, span_after

    span = parse_deadline(due_text).relative
    ends = span_after(met_on, span) if span else None
    if ends is None:
        return None, False
    return ends[0], not ends[1]


def add_note(engine: Engine, task_id: int, change: Change) -> ChangeResult:
    """A note never conflicts and does not bump the version: it changes no state."""
    if not (change.note or "").strip():
        raise UsageError("备注不能为空 / the note is empty")
    with write_session(engine) as s:
        return _note(s, task_id, change, _load(s, task_id))


def _note(session: Session, task_id: int, change: Change, cur: dict[str, Any]) -> ChangeResult:
    session.execute(sa.insert(history_t).values(
        task_id=task_id, actor=change.actor, recorded_at=utcnow(), effective_at=_now_or(change.effective),
        field="note", old_value=None, new_value=change.note, note=None, task_version=None,
    ))
    return ChangeResult(task_id, cur["version"], ("note",))


# ------------------------------------------------------------------ owners
def _owner_of(session: Session, task_id: int, unit: str) -> dict[str, Any] | None:
    """The owner row of ``unit`` among the task's owners, by name or alias (normalised)."""
    wanted = normalise_unit_name(unit)
    if not wanted:
        raise UsageError("单位名称不能为空 / unit name is empty")
    owners = _owners(session, task_id)
    for o in owners:
        if o["name"] == wanted:
            return o
    for o in owners:
        if wanted in {normalise_unit_name(a) for a in (o["aliases"] or "").split("\n") if a}:
            return o
    return None


def _owners(session: Session, task_id: int) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in session.execute(
            sa.select(owner_t, unit_t.c.name, unit_t.c.aliases).join(unit_t, unit_t.c.id == owner_t.c.unit_id)
            .where(owner_t.c.task_id == task_id).order_by(owner_t.c.position)
        ).mappings()
    ]


def _owner_label(name: str, role: str, provenance: str) -> str:
    return f"{name}（{role}/{provenance}）"


def assign(
    engine: Engine, task_id: int, unit: str, change: Change, *, role: str = "lead", create: bool = False, is_group: bool = False
) -> ChangeResult:
    """Make ``unit`` an owner (lead or support), set by a coordinator. Assigning a new
    lead makes the previous lead a supporting unit: a task has one lead.

    ``unit`` is looked up among the units of the task's region, normalised as the importer
    normalises names; an unknown name is refused with the closest ones (NotFoundError)
    unless ``create`` (``--new-unit``) makes it a new unit of that region."""
    if role not in ("lead", "support"):
        raise UsageError(f"角色须为 lead 或 support / role must be lead or support, got {role!r}")
    with write_session(engine) as s:
        _load_editable(s, task_id, change)
        unit_id = resolve_unit(s, unit, task_region(s, task_id), create=create, is_group=is_group)
        owners = _owners(s, task_id)
        history: list[tuple[str, Any, Any]] = []
        mine = next((o for o in owners if o["unit_id"] == unit_id), None)
        if role == "lead":
            for o in owners:
                if o["role"] == "lead" and o["unit_id"] != unit_id:
                    s.execute(sa.update(owner_t).where(owner_t.c.id == o["id"]).values(role="support"))
                    history.append(("owner", _owner_label(o["name"], "lead", o["provenance"]), _owner_label(o["name"], "support", o["provenance"])))
        if mine is None:
            position = 0 if role == "lead" else len(owners) + 1
            s.execute(sa.insert(owner_t).values(task_id=task_id, unit_id=unit_id, role=role, provenance="assigned", position=position))
            name = s.execute(sa.select(unit_t.c.name).where(unit_t.c.id == unit_id)).scalar_one()
            history.append(("owner", None, _owner_label(name, role, "assigned")))
        elif (mine["role"], mine["provenance"]) != (role, "assigned"):
            s.execute(sa.update(owner_t).where(owner_t.c.id == mine["id"]).values(role=role, provenance="assigned"))
            history.append(("owner", _owner_label(mine["name"], mine["role"], mine["provenance"]), _owner_label(mine["name"], role, "assigned")))
        if not history:
            return ChangeResult(task_id, _load(s, task_id)["version"], ())
        return _write(s, task_id, change, {}, history)


def unassign(engine: Engine, task_id: int, unit: str, change: Change) -> ChangeResult:
    """Remove an owner (also how an inferred owner is rejected). The removal is in History,
    so a re-import never brings it back."""
    with write_session(engine) as s:
        _load_editable(s, task_id, change)
        owners = _owners(s, task_id)
        mine = _owner_of(s, task_id, unit)
        if mine is None:
            raise NotFoundError(f"“{unit}”不是该任务的责任单位 / {unit!r} is not an owner of this task")
        s.execute(sa.delete(owner_t).where(owner_t.c.id == mine["id"]))
        history: list[tuple[str, Any, Any]] = [("owner", _owner_label(mine["name"], mine["role"], mine["provenance"]), None)]
        if mine["role"] == "lead":  # the next owner in line leads
            rest = [o for o in owners if o["id"] != mine["id"]]
            if rest:
                s.execute(sa.update(owner_t).where(owner_t.c.id == rest[0]["id"]).values(role="lead"))
                history.append(("owner", _owner_label(rest[0]["name"], rest[0]["role"], rest[0]["provenance"]),
                                _owner_label(rest[0]["name"], "lead", rest[0]["provenance"])))
        return _write(s, task_id, change, {}, history)


def confirm(engine: Engine, task_id: int, change: Change, *, unit: str | None = None) -> ChangeResult:
    """Confirm inferred owners (all of them, or one unit): they become assigned."""
    with write_session(engine) as s:
        _load_editable(s, task_id, change)
        owners = [o for o in _owners(s, task_id) if o["provenance"] == "inferred"]
        if unit is not None:
            mine = _owner_of(s, task_id, unit)
            if mine is None:
                raise NotFoundError(f"“{unit}”不是该任务的责任单位 / {unit!r} is not an owner of this task")
            owners = [o for o in owners if o["unit_id"] == mine["unit_id"]]
        if not owners:
            raise UsageError("没有待确认的推断责任单位 / no inferred owner to confirm")
        history: list[tuple[str, Any, Any]] = []
        for o in owners:
            s.execute(sa.update(owner_t).where(owner_t.c.id == o["id"]).values(provenance="assigned"))
            history.append(("owner", _owner_label(o["name"], o["role"], "inferred"), _owner_label(o["name"], o["role"], "assigned")))
        return _write(s, task_id, change, {}, history)


def configure_plan(engine: Engine, slug: str, *, review_months: int | None = None, trigger_days: int | None = None) -> dict[str, int]:
    """Per-plan settings: how often ongoing tasks are reviewed (months; quarterly = 3) and
    how many days after a condition is met its task falls due. Returns the settings now."""
    if review_months is not None and not 1 <= review_months <= 12:
        raise UsageError(f"督办周期须为 1–12 个月 / review interval must be 1–12 months, got {review_months}")
    if trigger_days is not None and not 0 <= trigger_days <= 3650:
        raise UsageError(f"触发期限须为 0–3650 天 / trigger days must be 0–3650, got {trigger_days}")
    with write_session(engine) as s:
        row = s.execute(sa.select(plan_t.c.id, plan_t.c.review_months, plan_t.c.trigger_days).where(plan_t.c.slug == slug)).first()
        if row is None:
            raise NotFoundError(f"没有代号为“{slug}”的规划 / no plan {slug!r} (see: tracker plans)")
        values = {k: v for k, v in (("review_months", review_months), ("trigger_days", trigger_days)) if v is not None}
        if values:
            s.execute(sa.update(plan_t).where(plan_t.c.id == row.id).values(**values, updated_at=utcnow()))
        return {"review_months": values.get("review_months", row.review_months), "trigger_days": values.get("trigger_days", row.trigger_days)}
