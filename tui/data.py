"""The TUI's one door to the database: a thin facade over the service functions in tracker/.

Every method is synchronous and blocking, and is called only from thread workers (never
on the UI thread). Each one opens its own session through the services, so workers never
share one. There is no SQL and no rule here: the facade only binds the engine, the
settings and the actor that every call needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.services.tasklist import BrowseQuery, TaskRow

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tracker.asof.lateness import Summary
    from tracker.services.tasklist import Interrupt, Overview
    from tracker.services.tasks import TaskDetail
    from tracker.services.timeline import Timeline
    from tracker.settings import Settings
    from tracker.store.changes import Change, ChangeResult
    from tracker.store.units import UnitView


@dataclass
class Source:
    """The engine and settings every service call needs, and who is making changes."""

    engine: Engine
    settings: Settings
    actor: str
    source_dirs: list[Path] = field(default_factory=list)

    # ------------------------------------------------------------ reading
    def first_rows(self, q: BrowseQuery, limit: int, interrupt: Interrupt | None = None) -> list[TaskRow]:
        from tracker.services.tasklist import first_rows

        return first_rows(self.engine, q, limit, interrupt=interrupt)

    def ordered_ids(self, q: BrowseQuery, interrupt: Interrupt | None = None) -> list[int]:
        from tracker.services.tasklist import ordered_ids

        return ordered_ids(self.engine, q, interrupt=interrupt)

    def rows_by_id(self, q: BrowseQuery, ids: Sequence[int]) -> list[TaskRow]:
        from tracker.services.tasklist import rows_by_id

        return rows_by_id(self.engine, q, ids)

    def overview(self, q: BrowseQuery) -> Overview:
        from tracker.services.tasklist import overview

        return overview(self.engine, q)

    def task(self, task_id: int) -> TaskDetail:
        from tracker.services.tasks import get_task

        return get_task(self.engine, str(task_id), source_dirs=self.source_dirs)

    def resolve(self, ref: str) -> int:
        from tracker.services.tasks import resolve_task

        return resolve_task(self.engine, ref)

    def plans(self) -> list[Any]:
        from tracker.services.tasks import list_plans

        return list_plans(self.engine)

    def units(self, search: str | None = None, task_id: int | None = None) -> list[UnitView]:
        """Units matching ``search``; those of the task's region only when a task is given
        (a task's owners are units of its plan's region)."""
        from tracker.store.units import list_units

        region = None
        if task_id is not None:
            from tracker.store.db import read_session
            from tracker.store.units import task_region

            with read_session(self.engine) as s:
                region = task_region(s, task_id)
        return list_units(self.engine, search, region=region)

    def summary(self, as_of: date) -> Summary:
        from tracker.asof.lateness import StateQuery, summarise, task_states

        states = task_states(self.engine, StateQuery(as_of=as_of, tz=self.settings.timezone))
        return summarise(states, as_of, "owner")

    def indicators(self) -> list[Any]:
        from tracker.store.indicators import list_indicators

        return list_indicators(self.engine)

    def timeline(self, as_of: date) -> Timeline:
        from tracker.services.timeline import timeline

        return timeline(self.engine, as_of, tz=self.settings.timezone)

    # ------------------------------------------------------------ changing
    def change(self, note: str | None = None, expected_version: int | None = None, effective: date | None = None) -> Change:
        from tracker.store.changes import Change

        return Change(actor=self.actor, effective=Change.on_date(effective), note=note or None, expected_version=expected_version)

    def apply(self, edit: Edit, version: int | None) -> ChangeResult:
        """Apply a coordinator's edit, refusing it when the task is no longer at ``version``."""
        from tracker.store import changes

        c = self.change(edit.note, version, edit.effective)
        tid = edit.task_id
        if edit.kind == "status":
            return changes.set_status(self.engine, tid, c, status=edit.status, progress=edit.progress)
        if edit.kind == "progress":
            return changes.set_status(self.engine, tid, c, progress=edit.progress)
        if edit.kind == "assign":
            assert edit.unit is not None
            return changes.assign(self.engine, tid, edit.unit, c, role=edit.role, create=edit.new_unit, is_group=edit.is_group)
        if edit.kind == "unassign":
            assert edit.unit is not None
            return changes.unassign(self.engine, tid, edit.unit, c)
        if edit.kind == "confirm":
            return changes.confirm(self.engine, tid, c, unit=edit.unit)
        if edit.kind == "due":
            assert edit.day is not None
            return changes.set_due(self.engine, tid, edit.day, c)
        if edit.kind == "trigger":
            assert edit.day is not None
            return changes.trigger(self.engine, tid, edit.day, c, days=edit.days)
        if edit.kind == "note":
            return changes.add_note(self.engine, tid, c)
        raise ValueError(f"unknown edit {edit.kind!r}")

    # ------------------------------------------------------------ writing files
    def write_notice(self, as_of: date, lang: str, fmt: str) -> Path:
        """The overdue notice (通报) as of ``as_of``, as Word or Markdown, in the exports folder."""
        summary = self.summary(as_of)
        out_dir = self.settings.exports_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"overdue-{as_of.isoformat()}.{fmt}"
        if fmt == "docx":
            from tracker.output.notice import write_docx

            write_docx(summary, path, lang=lang)
        else:
            from tracker.atomic import write_atomic
            from tracker.output.notice import render_markdown

            write_atomic(path, render_markdown(summary, lang=lang).encode("utf-8"))
        return path

    def export_feeds(self, as_of: date, lang: str) -> Any:
        """Every calendar feed (per unit, per plan, everything) and index.html, as of ``as_of``."""
        from tracker.feeds.export import export_ics
        from tracker.feeds.ical import FeedOptions

        out = self.settings.exports_dir
        return export_ics(self.engine, out, as_of=as_of, opts=FeedOptions(lang=lang, tz=self.settings.timezone))


@dataclass(frozen=True)
class Edit:
    """One coordinator action, as a modal returns it, before it is applied.

    Kept as data so that a refused edit (a conflict) can be shown, reapplied or discarded.
    """

    kind: str  # status | progress | assign | unassign | confirm | due | trigger | note
    task_id: int
    status: str | None = None
    progress: int | None = None
    unit: str | None = None
    role: str = "lead"
    is_group: bool = False
    new_unit: bool = False  # assign: the coordinator chose to create the unit (else an unknown name is refused)
    day: date | None = None  # due date (due) or the date a condition was met (trigger)
    days: int | None = None
    note: str | None = None
    effective: date | None = None
