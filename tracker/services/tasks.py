"""The service API: what the CLI and the TUI both call. No printing, no UI imports.

Functions take an engine (or a session) explicitly; they return plain dataclasses whose
``to_json()`` is the stable JSON contract documented in the README.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tracker.dates import (
    MAX_ID,
    parse_date,  # noqa: F401  (part of the service API; lives apart to load fast)
)
from tracker.errors import NotFoundError, UsageError
from tracker.extract.numerals import cn_to_int, fold_width
from tracker.store.db import read_session
from tracker.store.models import History, Plan, Task, history_t, owner_t, plan_t, task_t, unit_t


@dataclass(frozen=True)
class OwnerView:
    name: str
    role: str
    provenance: str
    is_group: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "provenance": self.provenance}


# Where a due date came from, as scripts see it: printed with the item, inherited from the
# plan (its main phase, its target year or period), or assigned by a coordinator (a date
# set by hand, or the day a condition was met plus the plan's trigger days).
DUE_SOURCE_CONTRACT = {
    "stated": "stated", "phase": "inherited", "plan": "inherited", "coordinator": "assigned", "trigger": "assigned",
}


@dataclass(frozen=True)
class TaskView:
    id: int
    plan: str
    source_file: str
    number: str
    key: str
    section: str
    title: str
    text: str
    kind: str
    due: date | None
    start: date | None
    due_text: str | None
    due_source: str | None
    ongoing: bool
    condition: str | None
    status: str
    progress: int
    needs_review: bool
    review_reason: str | None
    line_start: int
    line_end: int
    version: int
    owners: tuple[OwnerView, ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.plan}:{self.key}"

    def to_json(self) -> dict[str, Any]:
        """The `tracker tasks --format json` contract (README: JSON contracts)."""
        return {
            "id": self.id,
            "plan": self.plan,
            "source_file": self.source_file,
            "number": self.number,
            "section": self.section,
            "title": self.title,
            "text": self.text,
            "kind": self.kind,
            "due": _iso(self.due),
            "start": _iso(self.start),
            "due_text": self.due_text,
            "due_source": DUE_SOURCE_CONTRACT.get(self.due_source or "", None),
            "ongoing": self.ongoing,
            "condition": self.condition,
            "status": self.status,
            "progress": self.progress,
            "owners": [o.to_json() for o in self.owners],
            "needs_review": self.needs_review,
            "version": self.version,
        }


@dataclass(frozen=True)
class HistoryEntry:
    actor: str
    recorded_at: datetime
    effective_at: datetime
    field: str
    old_value: str | None
    new_value: str | None
    note: str | None


@dataclass(frozen=True)
class TaskDetail:
    task: TaskView
    plan_title: str
    source_lines: list[tuple[int, str]]  # (line number, text) from the stored source text
    history: list[HistoryEntry] = field(default_factory=list)


@dataclass(frozen=True)
class PlanView:
    slug: str
    title: str
    issuer: str | None
    issued_on: date | None
    period_start: date | None
    period_end: date | None
    source_file: str
    language: str
    tasks: int
    doc_number: str | None = None  # 文号
    region: str = ""  # the issuing jurisdiction: 云南省, 云阳县

    def to_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "issuer": self.issuer,
            "doc_number": self.doc_number,
            "region": self.region or None,
            "issued_on": _iso(self.issued_on),
            "period_start": _iso(self.period_start),
            "period_end": _iso(self.period_end),
            "source_file": self.source_file,
            "language": self.language,
            "tasks": self.tasks,
        }


@dataclass
class TaskFilter:
    plan: str | None = None
    owner: str | None = None
    status: str | None = None
    due_before: date | None = None
    overdue: bool = False
    as_of: date | None = None
    include_withdrawn: bool = False
    ids: list[int] | None = None  # restrict to these tasks (e.g. the overdue ones as of a date)


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None




def has_plans(engine: Engine) -> bool:
    with read_session(engine) as s:
        return s.execute(sa.select(sa.func.count()).select_from(plan_t)).scalar_one() > 0


def list_plans(engine: Engine) -> list[PlanView]:
    with read_session(engine) as s:
        counts = dict(
            s.execute(
                sa.select(task_t.c.plan_id, sa.func.count()).where(task_t.c.withdrawn.is_(False)).group_by(task_t.c.plan_id)
            ).all()
        )
        plans = s.execute(sa.select(Plan).order_by(plan_t.c.slug)).scalars().all()
        return [
            PlanView(p.slug, p.title, p.issuer, p.issued_on, p.period_start, p.period_end,
                     p.source_file, p.language, counts.get(p.id, 0), p.doc_number, p.region)
            for p in plans
        ]


def _owner_filter(owner: str) -> Any:
    """Tasks with a unit whose name or alias contains ``owner``."""
    unit_ids = sa.select(unit_t.c.id).where(sa.or_(
        # autoescape: `--owner %` looks for a % in a name; unescaped it matched every unit.
        unit_t.c.name.contains(owner, autoescape=True), unit_t.c.aliases.contains(owner, autoescape=True),
        (unit_t.c.name + "（" + unit_t.c.region + "）").contains(owner, autoescape=True),  # 省公安厅（四川省）, as reports show it
    ))
    return task_t.c.id.in_(sa.select(owner_t.c.task_id).where(owner_t.c.unit_id.in_(unit_ids)))


def list_tasks(engine: Engine, flt: TaskFilter | None = None) -> list[TaskView]:
    flt = flt or TaskFilter()
    query = (
        sa.select(Task, plan_t.c.slug, plan_t.c.source_file)
        .join(Plan, plan_t.c.id == task_t.c.plan_id)
        .order_by(plan_t.c.slug, task_t.c.seq, task_t.c.id)
    )
    if not flt.include_withdrawn:
        query = query.where(task_t.c.withdrawn.is_(False))
    if flt.plan:
        query = query.where(plan_t.c.slug == flt.plan)
    if flt.status:
        query = query.where(task_t.c.status == flt.status)
    if flt.due_before:
        query = query.where(task_t.c.due < flt.due_before)
    if flt.overdue:
        from tracker.asof.lateness import StateQuery, task_states

        states = task_states(engine, StateQuery(as_of=flt.as_of or date.today(), plan=flt.plan, owner=flt.owner))
        late = [t.id for t in states if t.lateness == "overdue"]
        flt.ids = late if flt.ids is None else [i for i in flt.ids if i in set(late)]
    if flt.ids is not None:
        query = query.where(task_t.c.id.in_(flt.ids))
    if flt.owner:
        query = query.where(_owner_filter(flt.owner))
    with read_session(engine) as s:
        if flt.plan and s.execute(sa.select(plan_t.c.id).where(plan_t.c.slug == flt.plan)).first() is None:
            raise NotFoundError(f"没有代号为“{flt.plan}”的规划 / no plan {flt.plan!r} (see: tracker plans)")
        rows = s.execute(query).all()
        owners = _owners_for(s, [r[0].id for r in rows])
        return [_view(task, slug, src, owners.get(task.id, ())) for task, slug, src in rows]


def _owners_for(session: Any, task_ids: list[int]) -> dict[int, tuple[OwnerView, ...]]:
    result: dict[int, list[OwnerView]] = {}
    if not task_ids:
        return {}
    q = (
        sa.select(owner_t.c.task_id, unit_t.c.name, owner_t.c.role, owner_t.c.provenance, unit_t.c.is_group)
        .join(unit_t, unit_t.c.id == owner_t.c.unit_id)
        .order_by(owner_t.c.task_id, sa.case((owner_t.c.role == "lead", 0), else_=1), owner_t.c.position)
    )
    # Chunked IN lists keep PostgreSQL and SQLite parameter limits happy at any size.
    for i in range(0, len(task_ids), 5000):
        chunk = task_ids[i : i + 5000]
        for tid, name, role, prov, grp in session.execute(q.where(owner_t.c.task_id.in_(chunk))):
            result.setdefault(tid, []).append(OwnerView(name, role, prov, bool(grp)))
    return {k: tuple(v) for k, v in result.items()}


def _view(task: Task, slug: str, source_file: str, owners: tuple[OwnerView, ...]) -> TaskView:
    assert task.id is not None
    return TaskView(
        id=task.id, plan=slug, source_file=source_file, number=task.number, key=task.key,
        section=task.section, title=task.title, text=task.text, kind=task.kind, due=task.due,
        start=task.start, due_text=task.due_text, due_source=task.due_source, ongoing=task.ongoing,
        condition=task.condition, status=task.status, progress=task.progress,
        needs_review=task.needs_review, review_reason=task.review_reason,
        line_start=task.line_start, line_end=task.line_end, version=task.version, owners=owners,
    )


def resolve_task(engine: Engine, ref: str) -> int:
    """The id of the task named by ``ref``: `slug:number` (as printed or its value, so
    `yunyang-2022-2025:17` and `yunyang-2022-2025:（十七）` agree) or a numeric id."""
    ref = ref.strip()
    with read_session(engine) as s:
        if ref.isdigit():
            if not ref.isdecimal() or int(ref) > MAX_ID:  # SQL integers stop at 2**63 - 1 (and ² is no digit)
                raise UsageError(f"任务编号无效或超出范围 / task id invalid or out of range: {ref}")
            found = s.execute(sa.select(task_t.c.id).where(task_t.c.id == int(ref))).scalar_one_or_none()
            if found is None:
                raise NotFoundError(f"没有编号为 {ref} 的任务 / no task with id {ref}")
            return int(found)
        if ":" not in ref:
            raise UsageError(f"任务引用应为“规划代号:序号”或数字编号 / task reference must be SLUG:NUMBER or an id, got {ref!r}")
        slug, number = ref.rsplit(":", 1)
        plan_id = s.execute(sa.select(plan_t.c.id).where(plan_t.c.slug == slug)).scalar_one_or_none()
        if plan_id is None:
            raise NotFoundError(f"没有代号为“{slug}”的规划 / no plan {slug!r} (see: tracker plans)")
        candidates = [number.strip()]
        inner = re.sub(r"^[（(]|[）)]$|[、.．]$", "", fold_width(number.strip()))
        value = cn_to_int(inner)
        if value is not None:
            candidates.append(str(value))
        for cand in candidates:
            # A withdrawn task may share the printed number of a live one: the live one wins.
            found = s.execute(
                sa.select(task_t.c.id)
                .where(task_t.c.plan_id == plan_id, sa.or_(task_t.c.key == cand, task_t.c.number == cand))
                .order_by(task_t.c.withdrawn, task_t.c.key != cand, task_t.c.id)
            ).scalars().first()
            if found is not None:
                return int(found)
        raise NotFoundError(f"规划“{slug}”中没有序号为“{number}”的任务 / no task {number!r} in plan {slug!r}")


def get_task(engine: Engine, ref: str, *, source_dirs: list[Path] | None = None) -> TaskDetail:
    task_id = resolve_task(engine, ref)
    with read_session(engine) as s:
        task, slug, src, title = s.execute(
            sa.select(Task, plan_t.c.slug, plan_t.c.source_file, plan_t.c.title)
            .join(Plan, plan_t.c.id == task_t.c.plan_id)
            .where(task_t.c.id == task_id)
        ).one()
        owners = _owners_for(s, [task_id]).get(task_id, ())
        history = [
            HistoryEntry(h.actor, h.recorded_at, h.effective_at, h.field, h.old_value, h.new_value, h.note)
            for h in s.execute(
                sa.select(History).where(history_t.c.task_id == task_id).order_by(history_t.c.recorded_at.desc(), history_t.c.id.desc())
            ).scalars()
        ]
    view = _view(task, slug, src, owners)
    return TaskDetail(task=view, plan_title=title, source_lines=_source_lines(view, source_dirs), history=history)


def _source_lines(view: TaskView, source_dirs: list[Path] | None) -> list[tuple[int, str]]:
    """The item's lines as printed, read back from the source file when it is at hand,
    else rebuilt from the stored text (which is the same text, line numbers preserved)."""
    texts = view.text.split("\n")
    stored = list(zip(range(view.line_start, view.line_start + len(texts)), texts))
    for folder in source_dirs or []:
        path = folder / view.source_file
        if path.is_file() and path.suffix.lower() in (".txt", ".text"):
            try:
                from tracker.store.importer import load_source

                lines = load_source(path).text.split("\n")
            except Exception:
                break
            if 0 < view.line_start <= view.line_end <= len(lines):
                return [(n, lines[n - 1]) for n in range(view.line_start, view.line_end + 1) if lines[n - 1].strip()]
    return stored
