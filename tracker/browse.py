"""Browsing tasks at any size: filter, search, sort and page in SQL.

The TUI shows a page of a few hundred rows around the cursor out of 100,000 tasks or more,
so nothing here loads a whole plan into Python. The traffic light is therefore also an SQL
expression, built from the same rules as :mod:`tracker.lateness` (status and due date
replayed from History to the as-of day; the plan's review calendar computed per plan in
Python and passed in as constants); a test checks both give the same light for every task.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from tracker.db import read_session
from tracker.lateness import day_end, review_window
from tracker.models import history_t, owner_t, plan_t, task_t, unit_t

SORT_KEYS = ("number", "title", "due", "status", "progress", "light")
LIGHT_ORDER = {"red": 0, "yellow": 1, "green": 2, "grey": 3}


@dataclass(frozen=True)
class BrowseQuery:
    as_of: date
    plan: str | None = None
    section: str | None = None  # a section path, or its prefix (a chapter and all below)
    unit: str | None = None  # exact unit name
    status: str | None = None
    light: str | None = None
    search: str | None = None  # number or words of the text (traditional or simplified)
    sort: str = "number"
    descending: bool = False
    yellow_days: int = 30
    tz: str = "Asia/Shanghai"


@dataclass(frozen=True)
class TaskRow:
    id: int
    plan: str
    key: str
    number: str
    title: str
    section: str
    owners: str  # lead first, "、"-joined; inferred ones marked "?"
    due: date | None
    start: date | None
    ongoing: bool
    condition: str | None
    status: str
    progress: int
    light: str
    days: int | None  # negative: days late; positive: days left
    version: int

    @property
    def ref(self) -> str:
        return f"{self.plan}:{self.key}"


def _latest(field: str, cutoff: Any) -> Any:
    """The value of ``field`` as of the cutoff: the last change in effect, else the old
    value of the first change (a change not yet in effect), else the current column."""
    h = history_t
    before = (
        sa.select(h.c.new_value).where(h.c.task_id == task_t.c.id, h.c.field == field, h.c.effective_at < cutoff)
        .order_by(h.c.effective_at.desc(), h.c.id.desc()).limit(1).scalar_subquery()
    )
    first = (
        sa.select(h.c.old_value).where(h.c.task_id == task_t.c.id, h.c.field == field)
        .order_by(h.c.effective_at, h.c.id).limit(1).scalar_subquery()
    )
    has_before = sa.exists().where(h.c.task_id == task_t.c.id, h.c.field == field, h.c.effective_at < cutoff)
    has_any = sa.exists().where(h.c.task_id == task_t.c.id, h.c.field == field)
    return has_before, before, has_any, first


def _as_of_columns(engine: Engine, q: BrowseQuery) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    cutoff = day_end(q.as_of, q.tz)
    hb, before, ha, first = _latest("status", cutoff)
    status = sa.case((hb, before), (ha, first), else_=task_t.c.status)
    dhb, dbefore, dha, dfirst = _latest("due", cutoff)
    if engine.dialect.name == "postgresql":
        dbefore, dfirst = sa.cast(dbefore, sa.Date), sa.cast(dfirst, sa.Date)
    due = sa.case((dhb, dbefore), (dha, dfirst), else_=task_t.c.due)
    return status, due


def _plan_windows(session: Any, q: BrowseQuery) -> dict[int, Any]:
    windows = {}
    for pid, start, issued, end, months in session.execute(
        sa.select(plan_t.c.id, plan_t.c.period_start, plan_t.c.issued_on, plan_t.c.period_end, plan_t.c.review_months)
    ):
        windows[pid] = review_window(start or issued or q.as_of, end, months or 3, q.as_of)
    return windows


def _by_plan(windows: dict[int, Any], value: Any) -> ColumnElement[Any]:
    """A per-plan constant as an SQL CASE on plan_id."""
    whens = [(task_t.c.plan_id == pid, sa.literal(value(w))) for pid, w in windows.items()]
    return sa.case(*whens, else_=sa.null()) if whens else sa.null()


def light_expression(engine: Engine, session: Any, q: BrowseQuery) -> tuple[ColumnElement[str], ColumnElement[Any], ColumnElement[Any]]:
    """(light, status as of, due as of) as SQL expressions; the rules of tracker.lateness."""
    status, due = _as_of_columns(engine, q)
    cutoff = day_end(q.as_of, q.tz)
    windows = _plan_windows(session, q)
    last = _by_plan(windows, lambda w: w.last)
    nxt = _by_plan(windows, lambda w: w.next)
    cycle_end = _by_plan(windows, lambda w: day_end(w.cycle_start, q.tz))
    current_end = _by_plan(windows, lambda w: day_end(w.current_start, q.tz))
    h = history_t

    def recorded_after(instant: Any) -> Any:
        return sa.exists().where(h.c.task_id == task_t.c.id, h.c.effective_at >= instant, h.c.effective_at < cutoff)

    closed_done = status == "done"
    met = sa.and_(task_t.c.ongoing.is_(True), due.is_not(None), closed_done)
    waiting = sa.and_(sa.func.coalesce(task_t.c.condition, "") != "", task_t.c.triggered_on.is_(None), due.is_(None))
    review_late = sa.and_(
        task_t.c.ongoing.is_(True), last.is_not(None), sa.or_(sa.not_(met), due < last), sa.not_(recorded_after(cycle_end))
    )
    review_soon = sa.and_(
        task_t.c.ongoing.is_(True), nxt.is_not(None), sa.or_(sa.not_(met), due < nxt),
        nxt <= q.as_of + timedelta(days=q.yellow_days), sa.not_(recorded_after(current_end)),
    )
    yellow_line = q.as_of + timedelta(days=q.yellow_days)
    light = sa.case(
        (sa.or_(status == "cancelled", sa.and_(closed_done, sa.not_(met)), waiting), sa.literal("grey")),
        (sa.and_(due.is_not(None), sa.not_(met), due < q.as_of), sa.literal("red")),
        (review_late, sa.literal("red")),
        (review_soon, sa.literal("yellow")),
        (sa.and_(due.is_not(None), sa.not_(met), due <= yellow_line), sa.literal("yellow")),
        (task_t.c.ongoing.is_(True), sa.literal("green")),
        (due.is_not(None), sa.literal("green")),
        else_=sa.literal("grey"),
    )
    return light, status, due


def _filtered(engine: Engine, session: Any, q: BrowseQuery) -> tuple[Any, dict[str, Any]]:
    light, status, due = light_expression(engine, session, q)
    query = (
        sa.select(
            task_t.c.id, plan_t.c.slug, task_t.c.key, task_t.c.number, task_t.c.title, task_t.c.section,
            due.label("due"), task_t.c.start, task_t.c.ongoing, task_t.c.condition, status.label("status"),
            task_t.c.progress, light.label("light"), task_t.c.version, task_t.c.seq,
        )
        .join(plan_t, plan_t.c.id == task_t.c.plan_id)
        .where(task_t.c.withdrawn.is_(False))
    )
    if q.plan:
        query = query.where(plan_t.c.slug == q.plan)
    if q.section:
        query = query.where(sa.or_(task_t.c.section == q.section, task_t.c.section.startswith(q.section + " / ", autoescape=True)))
    if q.unit:
        uid = sa.select(unit_t.c.id).where(unit_t.c.name == q.unit).scalar_subquery()
        query = query.where(task_t.c.id.in_(sa.select(owner_t.c.task_id).where(owner_t.c.unit_id == uid)))
    if q.status:
        query = query.where(status == q.status)
    if q.search and q.search.strip():
        from tracker.extract.repair import to_simplified

        words = to_simplified(q.search.strip()).split()
        for w in words:
            query = query.where(sa.or_(task_t.c.number == w, task_t.c.key == w, task_t.c.search_text.contains(w, autoescape=True)))
    inner = query.subquery()
    if q.light:
        return sa.select(inner).where(inner.c.light == q.light).subquery(), {}
    return inner, {}


def count(engine: Engine, q: BrowseQuery) -> int:
    with read_session(engine) as s:
        inner, _ = _filtered(engine, s, q)
        return int(s.execute(sa.select(sa.func.count()).select_from(inner)).scalar_one())


def _order(inner: Any, q: BrowseQuery) -> list[Any]:
    desc = q.descending
    light_rank = sa.case(*[(inner.c.light == k, v) for k, v in LIGHT_ORDER.items()], else_=9)
    keys = {
        "number": [inner.c.slug, inner.c.seq],
        "title": [inner.c.title],
        "due": [inner.c.due.is_(None), inner.c.due],
        "status": [inner.c.status],
        "progress": [inner.c.progress],
        "light": [light_rank, inner.c.due.is_(None), inner.c.due],
    }
    cols = keys.get(q.sort, keys["number"])
    ordered = [c.desc() if desc else c.asc() for c in cols]
    return [*ordered, inner.c.id.desc() if desc else inner.c.id.asc()]


def page(engine: Engine, q: BrowseQuery, offset: int, limit: int) -> tuple[int, list[TaskRow]]:
    """(total matching, the rows offset..offset+limit) in one read transaction."""
    with read_session(engine) as s:
        inner, _ = _filtered(engine, s, q)
        total = int(s.execute(sa.select(sa.func.count()).select_from(inner)).scalar_one())
        rows = s.execute(sa.select(inner).order_by(*_order(inner, q)).offset(max(0, offset)).limit(limit)).all()
        owners = _owner_text(s, [r.id for r in rows])
    out = []
    for r in rows:
        days = None
        if r.due is not None:
            d = r.due if isinstance(r.due, date) else date.fromisoformat(str(r.due)[:10])
            days = (d - q.as_of).days
        else:
            d = None
        out.append(TaskRow(
            id=r.id, plan=r.slug, key=r.key, number=r.number, title=r.title, section=r.section,
            owners=owners.get(r.id, ""), due=d, start=r.start, ongoing=r.ongoing, condition=r.condition,
            status=r.status, progress=r.progress, light=r.light, days=days, version=r.version,
        ))
    return total, out


def _owner_text(session: Any, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    out: dict[int, list[str]] = {}
    for tid, name, prov in session.execute(
        sa.select(owner_t.c.task_id, unit_t.c.name, owner_t.c.provenance)
        .join(unit_t, unit_t.c.id == owner_t.c.unit_id)
        .where(owner_t.c.task_id.in_(ids))
        .order_by(owner_t.c.task_id, sa.case((owner_t.c.role == "lead", 0), else_=1), owner_t.c.position)
    ):
        out.setdefault(tid, []).append(name + ("?" if prov == "inferred" else ""))
    return {k: "、".join(v) for k, v in out.items()}


@dataclass(frozen=True)
class SectionCount:
    plan: str
    plan_title: str
    section: str
    tasks: int
    red: int


@dataclass(frozen=True)
class UnitCount:
    name: str
    is_group: bool
    tasks: int
    red: int


def sidebar(engine: Engine, q: BrowseQuery) -> tuple[list[SectionCount], list[UnitCount]]:
    """Task and overdue (red) counts per plan section and per unit, for the sidebar."""
    base = replace(q, plan=None, section=None, unit=None, status=None, light=None, search=None)
    with read_session(engine) as s:
        inner, _ = _filtered(engine, s, base)
        red = sa.func.sum(sa.case((inner.c.light == "red", 1), else_=0))
        titles = dict(s.execute(sa.select(plan_t.c.slug, plan_t.c.title)).all())
        sections = [
            SectionCount(slug, titles.get(slug, slug), section, int(n), int(r or 0))
            for slug, section, n, r in s.execute(
                sa.select(inner.c.slug, inner.c.section, sa.func.count(), red)
                .group_by(inner.c.slug, inner.c.section)
                .order_by(inner.c.slug, sa.func.min(inner.c.seq))
            )
        ]
        units = [
            UnitCount(name, bool(grp), int(n), int(r or 0))
            for name, grp, n, r in s.execute(
                sa.select(unit_t.c.name, unit_t.c.is_group, sa.func.count(), red)
                .select_from(inner.join(owner_t, owner_t.c.task_id == inner.c.id).join(unit_t, unit_t.c.id == owner_t.c.unit_id))
                .group_by(unit_t.c.name, unit_t.c.is_group)
                .order_by(red.desc(), unit_t.c.name)
            )
        ]
    return sections, units


def position_of(engine: Engine, q: BrowseQuery, task_id: int) -> int | None:
    """The row index of a task in the current order (to jump to it), or None if filtered out."""
    with read_session(engine) as s:
        inner, _ = _filtered(engine, s, q)
        ranked = sa.select(inner.c.id, sa.func.row_number().over(order_by=_order(inner, q)).label("n")).subquery()
        n = s.execute(sa.select(ranked.c.n).where(ranked.c.id == task_id)).scalar_one_or_none()
    return None if n is None else int(n) - 1
