"""Who is late, as of any date: task state rebuilt from History, traffic lights, reviews.

A report "as of 2021-07-01" must be the same whenever it is run, so nothing here reads the
current status of a task: status, progress, due date and trigger date are replayed from
History (changes effective up to the end of the as-of day, Asia/Shanghai by default), and
the value a task had before its first recorded change is that change's old value.

Rules (the joint-conference office's):

* **overdue** — a due date before the as-of date and not 已完成/已取消 then; late by
  ``as_of - due`` days;
* **review overdue** — an ongoing task (持续推进, or 并持续推进 once its deadline is met) is
  reviewed every ``plan.review_months`` months (quarterly by default) from the plan period's
  start until its end; it is review-overdue when nothing was recorded for it in the review
  cycle that ended last, nor since;
* **light** — red: overdue or review-overdue; yellow: due (or a review falls due, with
  nothing recorded this cycle) within ``yellow_days`` (30 by default); green: otherwise;
  grey: done, cancelled, waiting on a condition, or with no date at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # SQLAlchemy and the models load only when tasks are read (tracker.asof.overdue needs neither)
    from sqlalchemy.engine import Engine

CLOSED = ("done", "cancelled")
STATE_FIELDS = ("status", "progress", "due", "triggered_on")
LIGHTS = ("red", "yellow", "green", "grey")


@dataclass(frozen=True)
class Owner:
    name: str  # the unit's label (tracker.store.unit_labels): its name, with its region when the name repeats
    role: str
    provenance: str
    is_group: bool
    region: str = ""  # the unit's jurisdiction (云南省)


@dataclass(frozen=True)
class TaskState:
    """A task as it stood on ``as_of``."""

    id: int
    plan: str
    number: str
    key: str
    section: str
    title: str
    kind: str
    due: date | None
    start: date | None
    ongoing: bool
    condition: str | None
    triggered_on: date | None
    status: str
    progress: int
    done_on: date | None  # effective date of the change that closed it
    last_update: date | None
    owners: tuple[Owner, ...]
    light: str
    lateness: str | None  # "overdue" | "review_overdue" | None
    days_late: int | None
    days_left: int | None  # to the due date (or the next review), when not late
    next_review: date | None

    @property
    def ref(self) -> str:
        return f"{self.plan}:{self.key}"


@dataclass
class StateQuery:
    as_of: date
    plan: str | None = None
    owner: str | None = None
    yellow_days: int = 30
    tz: str = "Asia/Shanghai"
    task_ids: list[int] | None = None


def day_end(d: date, tz: str) -> datetime:
    """The instant a day ends in the office's time zone, as aware UTC."""
    return datetime.combine(d + timedelta(days=1), time(0, 0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _local_date(dt: datetime, tz: str) -> date:
    return _aware(dt).astimezone(ZoneInfo(tz)).date()


def parse_state(field_name: str, value: str | None) -> Any:
    """A History value back to the field's type (the inverse of tracker.store.changes._text)."""
    if value is None:
        return None
    if field_name in ("due", "triggered_on"):
        return date.fromisoformat(value[:10])
    if field_name == "progress":
        return int(value)
    return value


def month_end(year: int, month: int) -> date:
    """Last day of a month (month may run past 12)."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def review_dates(start: date, end: date | None, months: int, upto: date) -> list[date]:
    """Review dates every ``months`` months from ``start`` (the last day of each cycle),
    up to the first one after ``upto`` (the next review), and never past ``end``.

    >>> review_dates(date(2020, 1, 1), date(2021, 12, 31), 3, date(2020, 11, 15))
    [datetime.date(2020, 3, 31), datetime.date(2020, 6, 30), datetime.date(2020, 9, 30), datetime.date(2020, 12, 31)]
    """
    months = max(1, months)
    out: list[date] = []
    k = 1
    while True:
        d = month_end(start.year, start.month + k * months - 1)
        if (end is not None and d > end) or d > upto + timedelta(days=400 * months):
            break
        out.append(d)
        k += 1
        if d > upto:  # one past as-of is enough to know the next review
            break
    return out


@dataclass(frozen=True)
class ReviewWindow:
    """Where an ongoing task stands in its plan's review calendar on ``as_of``.

    Reviews fall on the plan's fixed dates (quarter ends from the period start, by
    default), the same for every task of the plan, as offices report on fixed dates. The
    review that fell due last (``last``) is satisfied by any record after ``cycle_start``
    (the review before it); the next one (``next``) by any record after ``current_start``.
    """

    last: date | None
    cycle_start: date
    next: date | None
    current_start: date


def review_window(anchor: date, end: date | None, months: int, as_of: date) -> ReviewWindow:
    reviews = review_dates(anchor, end, months, as_of)
    past = [d for d in reviews if d < as_of]
    upcoming = [d for d in reviews if d >= as_of]
    floor = anchor - timedelta(days=1)
    return ReviewWindow(
        last=past[-1] if past else None,
        cycle_start=past[-2] if len(past) >= 2 else floor,
        next=upcoming[0] if upcoming else None,
        current_start=past[-1] if past else floor,
    )


def task_states(engine: Engine, q: StateQuery) -> list[TaskState]:
    import sqlalchemy as sa

    from tracker.store.db import read_session
    from tracker.store.models import owner_t, plan_t, task_t, unit_t

    cutoff = day_end(q.as_of, q.tz)
    query = (
        sa.select(
            task_t.c.id, plan_t.c.slug, task_t.c.number, task_t.c.key, task_t.c.section, task_t.c.title,
            task_t.c.kind, task_t.c.due, task_t.c.start, task_t.c.ongoing, task_t.c.condition,
            task_t.c.triggered_on, task_t.c.status, task_t.c.progress, task_t.c.due_source,
            plan_t.c.period_start, plan_t.c.period_end, plan_t.c.review_months, plan_t.c.issued_on,
        )
        .join(plan_t, plan_t.c.id == task_t.c.plan_id)
        .where(task_t.c.withdrawn.is_(False))
        .order_by(plan_t.c.slug, task_t.c.seq, task_t.c.id)
    )
    if q.plan:
        query = query.where(plan_t.c.slug == q.plan)
    if q.owner:
        units = sa.select(unit_t.c.id).where(sa.or_(
            unit_t.c.name.contains(q.owner, autoescape=True), unit_t.c.aliases.contains(q.owner, autoescape=True),
            (unit_t.c.name + "（" + unit_t.c.region + "）").contains(q.owner, autoescape=True),  # 省公安厅（四川省）, as reports show it
        ))
        query = query.where(task_t.c.id.in_(sa.select(owner_t.c.task_id).where(owner_t.c.unit_id.in_(units))))
    if q.task_ids is not None:
        query = query.where(task_t.c.id.in_(q.task_ids))
    with read_session(engine) as s:
        rows = s.execute(query).all()
        ids = [r.id for r in rows]
        history = _history(s, ids if (q.plan or q.owner or q.task_ids is not None) else None)
        owners = _owners(s, ids if (q.plan or q.owner or q.task_ids is not None) else None)
    return [_state(r, history.get(r.id, []), owners.get(r.id, ()), q, cutoff) for r in rows]


def _history(session: Any, ids: list[int] | None) -> dict[int, list[tuple[str, str | None, str | None, datetime]]]:
    import sqlalchemy as sa

    from tracker.store.models import history_t

    query = sa.select(
        history_t.c.task_id, history_t.c.field, history_t.c.old_value, history_t.c.new_value, history_t.c.effective_at
    ).order_by(history_t.c.task_id, history_t.c.effective_at, history_t.c.id)
    out: dict[int, list[tuple[str, str | None, str | None, datetime]]] = defaultdict(list)
    for chunk in _chunks(ids):
        q = query if chunk is None else query.where(history_t.c.task_id.in_(chunk))
        for tid, fld, old, new, eff in session.execute(q):
            out[tid].append((fld, old, new, _aware(eff)))
    return out


def _owners(session: Any, ids: list[int] | None) -> dict[int, tuple[Owner, ...]]:
    import sqlalchemy as sa

    from tracker.store.models import owner_t, unit_t
    from tracker.store.unit_labels import unit_labels

    units = {uid: (name, region, bool(grp)) for uid, name, region, grp in session.execute(
        sa.select(unit_t.c.id, unit_t.c.name, unit_t.c.region, unit_t.c.is_group))}
    labels = unit_labels((uid, name, region) for uid, (name, region, _) in units.items())
    query = (
        sa.select(owner_t.c.task_id, owner_t.c.unit_id, owner_t.c.role, owner_t.c.provenance)
        .order_by(owner_t.c.task_id, sa.case((owner_t.c.role == "lead", 0), else_=1), owner_t.c.position, owner_t.c.id)
    )
    out: dict[int, list[Owner]] = defaultdict(list)
    for chunk in _chunks(ids):
        q = query if chunk is None else query.where(owner_t.c.task_id.in_(chunk))
        for tid, uid, role, prov in session.execute(q):
            out[tid].append(Owner(labels[uid], role, prov, units[uid][2], units[uid][1]))
    return {k: tuple(v) for k, v in out.items()}


def _chunks(ids: list[int] | None, size: int = 5000) -> Iterable[list[int] | None]:
    if ids is None:
        yield None
        return
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _state(
    row: Any,
    history: list[tuple[str, str | None, str | None, datetime]],
    owners: tuple[Owner, ...],
    q: StateQuery,
    cutoff: datetime,
) -> TaskState:
    values: dict[str, Any] = {
        "status": row.status, "progress": row.progress, "due": row.due, "triggered_on": row.triggered_on,
    }
    seen: set[str] = set()
    last_update: datetime | None = None
    done_on: date | None = None
    record_dates: list[date] = []
    for fld, old, new, eff in history:
        if eff >= cutoff:
            # A change not yet in effect: before it, the field had its old value.
            if fld in STATE_FIELDS and fld not in seen:
                values[fld] = parse_state(fld, old)
                seen.add(fld)
            continue
        record_dates.append(_local_date(eff, q.tz))
        last_update = eff
        if fld in STATE_FIELDS:
            values[fld] = parse_state(fld, new)
            if fld == "status":
                done_on = _local_date(eff, q.tz) if new in CLOSED else None
    # Fields whose every change lies after the cutoff took the earliest old value above;
    # fields changed before the cutoff ended at their latest new value. A field changed
    # both before and after keeps the before value: later rows were skipped once seen.
    status = values["status"]
    due: date | None = values["due"]
    as_of = q.as_of
    light, lateness, days_late, days_left, next_review = "green", None, None, None, None
    waiting = bool(row.condition) and values["triggered_on"] is None and due is None
    met_then_ongoing = row.ongoing and due is not None and status == "done"
    if status == "cancelled" or (status == "done" and not met_then_ongoing) or waiting:
        light = "grey"
    elif due is not None and not met_then_ongoing and due < as_of:
        light, lateness, days_late = "red", "overdue", (as_of - due).days
    elif row.ongoing:
        win = review_window(row.period_start or row.issued_on or as_of, row.period_end, row.review_months or 3, as_of)
        after_met = (lambda d: d is not None and due is not None and d > due) if met_then_ongoing else (lambda d: d is not None)
        if after_met(win.last) and not any(d > win.cycle_start for d in record_dates):
            light, lateness, days_late = "red", "review_overdue", (as_of - win.last).days  # type: ignore[operator]
        if after_met(win.next):
            next_review = win.next
        if lateness is None and after_met(win.next):
            days_left = (win.next - as_of).days  # type: ignore[operator]
            if days_left <= q.yellow_days and not any(d > win.current_start for d in record_dates):
                light = "yellow"
        if lateness is None and due is not None and not met_then_ongoing:
            days_left = (due - as_of).days
            if days_left <= q.yellow_days:
                light = "yellow"
    elif due is not None:
        days_left = (due - as_of).days
        light = "yellow" if days_left <= q.yellow_days else "green"
    else:
        light = "grey"
    return TaskState(
        id=row.id, plan=row.slug, number=row.number, key=row.key, section=row.section, title=row.title,
        kind=row.kind, due=due, start=row.start, ongoing=row.ongoing, condition=row.condition,
        triggered_on=values["triggered_on"], status=status, progress=values["progress"], done_on=done_on,
        last_update=_local_date(last_update, q.tz) if last_update else None, owners=owners, light=light,
        lateness=lateness, days_late=days_late, days_left=days_left, next_review=next_review,
    )


def worst_first(states: Iterable[TaskState]) -> list[TaskState]:
    return sorted(states, key=lambda t: (-(t.days_late or 0), t.due or date.max, t.plan, t.key))


@dataclass
class Counts:
    red: int = 0
    yellow: int = 0
    green: int = 0
    grey: int = 0

    def add(self, light: str) -> None:
        setattr(self, light, getattr(self, light) + 1)

    @property
    def total(self) -> int:
        return self.red + self.yellow + self.green + self.grey

    def to_json(self) -> dict[str, int]:
        return {"red": self.red, "yellow": self.yellow, "green": self.green, "grey": self.grey, "total": self.total}


@dataclass
class Group:
    """One row of the summary: a unit (or a plan, or a section) and its late tasks."""

    name: str
    is_group: bool = False
    counts: Counts = field(default_factory=Counts)
    region: str | None = None  # a unit's jurisdiction (groups by owner); None for plans and sections
    lead: Counts = field(default_factory=Counts)
    support: Counts = field(default_factory=Counts)
    overdue: list[tuple[TaskState, str]] = field(default_factory=list)  # (task, role)
    review_overdue: list[tuple[TaskState, str]] = field(default_factory=list)


@dataclass
class Summary:
    as_of: date
    by: str
    totals: Counts
    overdue: int
    review_overdue: int
    tasks: int
    groups: list[Group]
    unowned: Group | None = None


NO_OWNER = "（未明确责任单位）"


def summarise(states: list[TaskState], as_of: date, by: str = "owner") -> Summary:
    """Counts by light and late tasks, per unit (each owner counts a task, lead and
    support apart), per plan or per section; groups with the most overdue first."""
    if by not in ("owner", "plan", "section"):
        from tracker.errors import UsageError

        raise UsageError(f"--by 须为 owner、plan 或 section / --by must be owner, plan or section, got {by!r}")
    totals = Counts()
    groups: dict[str, Group] = {}
    keys: list[tuple[str, str, bool, str | None]]
    for t in states:
        totals.add(t.light)
        if by == "owner":
            keys = [(o.name, o.role, o.is_group, o.region) for o in t.owners] or [(NO_OWNER, "lead", False, None)]
        elif by == "plan":
            keys = [(t.plan, "lead", False, None)]
        else:
            keys = [(f"{t.plan} / {t.section}" if t.section else t.plan, "lead", False, None)]
        for name, role, is_group, region in keys:
            g = groups.get(name)
            if g is None:
                g = groups[name] = Group(name=name, is_group=is_group, region=region)
            g.counts.add(t.light)
            (g.lead if role == "lead" else g.support).add(t.light)
            if t.lateness == "overdue":
                g.overdue.append((t, role))
            elif t.lateness == "review_overdue":
                g.review_overdue.append((t, role))
    for g in groups.values():
        g.overdue.sort(key=lambda tr: (tr[1] != "lead", -(tr[0].days_late or 0), tr[0].plan, tr[0].key))
        g.review_overdue.sort(key=lambda tr: (tr[1] != "lead", -(tr[0].days_late or 0), tr[0].plan, tr[0].key))
    ordered = sorted(groups.values(), key=lambda g: (-len(g.overdue), -g.counts.red, -g.counts.total, g.name))
    return Summary(
        as_of=as_of, by=by, totals=totals, tasks=len(states),
        overdue=sum(1 for t in states if t.lateness == "overdue"),
        review_overdue=sum(1 for t in states if t.lateness == "review_overdue"),
        groups=ordered,
    )
