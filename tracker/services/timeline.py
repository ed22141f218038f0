"""A plan's time line: its period, its phases and its deadlines, month by month.

The TUI draws months across and plans (with their phases) down. The counts are as of a
date — due dates replayed from History and traffic lights by the rules of tracker.asof.lateness
(through tracker.services.tasklist) — so the timeline of any past day can be reviewed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tracker.services.tasklist import BrowseQuery
from tracker.store.db import read_session
from tracker.store.models import plan_t, task_t


@dataclass(frozen=True)
class Phase:
    """A phase of a plan (启动阶段 / 建设阶段 / 验收阶段): a window of months."""

    number: str
    title: str
    start: date | None
    due: date | None


@dataclass
class MonthMarks:
    """Deadlines falling in one month: how many, and how many of them are red/yellow/etc."""

    tasks: int = 0
    lights: dict[str, int] = field(default_factory=dict)

    @property
    def worst(self) -> str:
        for light in ("red", "yellow", "green", "grey"):
            if self.lights.get(light):
                return light
        return "grey"


@dataclass(frozen=True)
class PlanLine:
    slug: str
    title: str
    start: date | None
    end: date | None
    phases: list[Phase]
    months: dict[date, MonthMarks]  # first day of month → deadlines in it


@dataclass(frozen=True)
class Timeline:
    as_of: date
    first: date  # first day of the first month shown
    last: date  # first day of the last month shown
    plans: list[PlanLine]

    def months(self) -> list[date]:
        """Every month from ``first`` to ``last``, as first days."""
        out, m = [], self.first
        while m <= self.last:
            out.append(m)
            m = add_months(m, 1)
        return out


def month_of(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, n: int) -> date:
    """The first day of the month ``n`` months after ``d``'s.

    >>> add_months(date(2021, 11, 30), 3)
    datetime.date(2022, 2, 1)
    """
    index = d.year * 12 + d.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def timeline(engine: Engine, as_of: date, *, tz: str = "Asia/Shanghai") -> Timeline:
    """Every plan's period, phases and monthly deadline marks, as of ``as_of``."""
    from tracker.services.tasklist import due_counts

    marks: dict[str, dict[date, MonthMarks]] = defaultdict(dict)
    for slug, due, light, n in due_counts(engine, BrowseQuery(as_of=as_of, tz=tz)):
        m = marks[slug].setdefault(month_of(due), MonthMarks())
        m.tasks += n
        m.lights[light] = m.lights.get(light, 0) + n
    with read_session(engine) as s:
        plans = s.execute(
            sa.select(plan_t.c.id, plan_t.c.slug, plan_t.c.title, plan_t.c.period_start, plan_t.c.period_end, plan_t.c.issued_on)
            .order_by(plan_t.c.slug)
        ).all()
        phases: dict[int, list[Phase]] = defaultdict(list)
        for pid, number, title, start, due in s.execute(
            sa.select(task_t.c.plan_id, task_t.c.number, task_t.c.title, task_t.c.start, task_t.c.due)
            .where(task_t.c.kind == "phase", task_t.c.withdrawn.is_(False))
            .order_by(task_t.c.plan_id, task_t.c.seq)
        ):
            phases[pid].append(Phase(number, title, start, due))
    lines = [
        PlanLine(slug, title, start or issued, end, phases.get(pid, []), marks.get(slug, {}))
        for pid, slug, title, start, end, issued in plans
    ]
    days = [as_of]
    for line in lines:
        days += [d for d in (line.start, line.end) if d]
        days += list(line.months)
        days += [d for p in line.phases for d in (p.start, p.due) if d]
    return Timeline(as_of=as_of, first=month_of(min(days)), last=month_of(max(days)), plans=lines)
