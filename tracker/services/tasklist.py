"""Browsing 100,000 tasks fast enough to filter as you type: the TUI's task list.

Rows carry the as-of status, due date and traffic light of :mod:`tracker.asof.lateness` (its
Python rules are the reference: tests/functional/test_tasklist.py checks every row, filter
and order against them), computed in SQL shaped for size:

* the as-of replay reads History once per query, grouped per task and LEFT JOINed, instead
  of several correlated subqueries per task row (which cost seconds at 100k tasks);
* a listing is the ordered list of matching task ids (one scan, a few hundred kilobytes for
  100k tasks), so the table can show any row — the last of 100,000 as cheaply as the
  first — by fetching the details of only the rows on screen (:func:`rows_by_id`);
* :func:`first_rows` gives the top of a listing with ``LIMIT``, so the first page can be
  painted before the whole id list is in.

Search words are matched against ``task.search_text`` (simplified Chinese, number + title +
text) with LIKE; on SQLite, words of three characters or more are looked up in the trigram
full-text index ``task_fts`` (migration 0006) instead, which finds the same tasks.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from tracker.asof.lateness import LIGHTS, day_end, review_window
from tracker.store.db import FTS_TABLE, has_fts, read_session
from tracker.store.models import history_t, owner_t, plan_t, task_t, unit_t

LIGHT_ORDER = {"red": 0, "yellow": 1, "green": 2, "grey": 3}


@dataclass(frozen=True)
class BrowseQuery:
    """What the coordinator asked to see: filters, search words and order, as of a day."""

    as_of: date
    plan: str | None = None
    section: str | None = None  # a section path, or its prefix (a chapter and all below)
    unit: str | None = None  # a unit's label (tracker.store.unit_labels): its name, or name（region） when repeated
    status: str | None = None
    light: str | None = None
    search: str | None = None  # number or words of the text (traditional or simplified)
    sort: str = "number"
    descending: bool = False
    yellow_days: int = 30
    tz: str = "Asia/Shanghai"


@dataclass(frozen=True)
class TaskRow:
    """One row of the listing, as of the query's day."""

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


SORT_KEYS = ("number", "title", "owners", "due", "status", "progress", "light")


@dataclass(frozen=True)
class _Cols:
    """The per-task expressions of one query (as of its date)."""

    status: ColumnElement[Any]
    due: ColumnElement[Any]
    progress: ColumnElement[Any]
    light: ColumnElement[Any]
    froms: Any  # task JOIN plan LEFT JOIN replay LEFT JOIN recorded
    plain: Any  # task JOIN plan: enough when nothing as-of is filtered or sorted on


def _replay(q: BrowseQuery, cutoff: datetime, ids: Sequence[int] | None = None) -> tuple[Any, Any]:
    """Per task with History: status, due date and progress as of ``cutoff``, and its last record.

    The rule (tracker.asof.lateness): a field has the new value of its last change in effect
    before the cutoff; failing that, the old value of its first change; failing that (no
    change at all), the task's current column.
    """
    h = history_t
    only = [] if ids is None else [h.c.task_id.in_(list(ids))]
    before = sa.case((h.c.effective_at < cutoff, 1), else_=0)
    ranked = (
        sa.select(
            h.c.task_id, h.c.field, h.c.old_value, h.c.new_value, before.label("before"),
            sa.func.row_number().over(partition_by=[h.c.task_id, h.c.field, before],
                                      order_by=[h.c.effective_at.desc(), h.c.id.desc()]).label("rn_last"),
            sa.func.row_number().over(partition_by=[h.c.task_id, h.c.field],
                                      order_by=[h.c.effective_at, h.c.id]).label("rn_first"),
        )
        .where(h.c.field.in_(("status", "due", "progress")), *only)
        .subquery("ranked")
    )

    def fields(name: str) -> list[Any]:
        mine = ranked.c.field == name
        in_effect = sa.and_(mine, ranked.c.before == 1)
        return [
            sa.func.max(sa.case((in_effect, 1), else_=0)).label(f"{name}_has_before"),
            sa.func.max(sa.case((sa.and_(in_effect, ranked.c.rn_last == 1), ranked.c.new_value))).label(f"{name}_before"),
            sa.func.max(sa.case((mine, 1), else_=0)).label(f"{name}_has_any"),
            sa.func.max(sa.case((sa.and_(mine, ranked.c.rn_first == 1), ranked.c.old_value))).label(f"{name}_first"),
        ]

    replay = sa.select(ranked.c.task_id, *fields("status"), *fields("due"), *fields("progress")).group_by(ranked.c.task_id).subquery("replay")
    recorded = (
        sa.select(h.c.task_id, sa.func.max(h.c.effective_at).label("last_at"))
        .where(h.c.effective_at < cutoff, *only)
        .group_by(h.c.task_id)
        .subquery("recorded")
    )
    return replay, recorded


def _columns(engine: Engine, session: Any, q: BrowseQuery, ids: Sequence[int] | None = None) -> _Cols:
    cutoff = day_end(q.as_of, q.tz)
    replay, recorded = _replay(q, cutoff, ids)
    t = task_t
    status = sa.case(
        (replay.c.status_has_before == 1, replay.c.status_before),
        (replay.c.status_has_any == 1, replay.c.status_first),
        else_=t.c.status,
    )
    due_before, due_first = replay.c.due_before, replay.c.due_first
    if engine.dialect.name == "postgresql":
        due_before, due_first = sa.cast(due_before, sa.Date), sa.cast(due_first, sa.Date)
    progress = sa.case(
        (replay.c.progress_has_before == 1, sa.cast(replay.c.progress_before, sa.Integer)),
        (replay.c.progress_has_any == 1, sa.cast(replay.c.progress_first, sa.Integer)),
        else_=t.c.progress,
    )
    due = sa.type_coerce(
        sa.case((replay.c.due_has_before == 1, due_before), (replay.c.due_has_any == 1, due_first), else_=t.c.due), sa.Date
    )

    windows = {}
    for pid, start, issued, end, months in session.execute(
        sa.select(plan_t.c.id, plan_t.c.period_start, plan_t.c.issued_on, plan_t.c.period_end, plan_t.c.review_months)
    ):
        windows[pid] = review_window(start or issued or q.as_of, end, months or 3, q.as_of)

    def by_plan(value: Any, type_: Any) -> ColumnElement[Any]:
        whens = [(t.c.plan_id == pid, sa.literal(value(w), type_)) for pid, w in windows.items()]
        return sa.case(*whens, else_=sa.null()) if whens else sa.null()

    last = by_plan(lambda w: w.last, sa.Date)
    nxt = by_plan(lambda w: w.next, sa.Date)
    when_type = history_t.c.effective_at.type
    cycle_end = by_plan(lambda w: day_end(w.cycle_start, q.tz), when_type)
    current_end = by_plan(lambda w: day_end(w.current_start, q.tz), when_type)

    def recorded_after(instant: Any) -> Any:
        return sa.and_(recorded.c.last_at.is_not(None), recorded.c.last_at >= instant)

    as_of = sa.literal(q.as_of, sa.Date)
    yellow_line = sa.literal(q.as_of + timedelta(days=q.yellow_days), sa.Date)
    done = status == "done"
    met = sa.and_(t.c.ongoing.is_(True), due.is_not(None), done)
    waiting = sa.and_(sa.func.coalesce(t.c.condition, "") != "", t.c.triggered_on.is_(None), due.is_(None))
    review_late = sa.and_(t.c.ongoing.is_(True), last.is_not(None), sa.or_(sa.not_(met), due < last),
                          sa.not_(recorded_after(cycle_end)))
    review_soon = sa.and_(t.c.ongoing.is_(True), nxt.is_not(None), sa.or_(sa.not_(met), due < nxt), nxt <= yellow_line,
                          sa.not_(recorded_after(current_end)))
    light = sa.case(
        (sa.or_(status == "cancelled", sa.and_(done, sa.not_(met)), waiting), sa.literal("grey")),
        (sa.and_(due.is_not(None), sa.not_(met), due < as_of), sa.literal("red")),
        (review_late, sa.literal("red")),
        (review_soon, sa.literal("yellow")),
        (sa.and_(due.is_not(None), sa.not_(met), due <= yellow_line), sa.literal("yellow")),
        (t.c.ongoing.is_(True), sa.literal("green")),
        (due.is_not(None), sa.literal("green")),
        else_=sa.literal("grey"),
    )
    plain = t.join(plan_t, plan_t.c.id == t.c.plan_id)
    froms = plain.outerjoin(replay, replay.c.task_id == t.c.id).outerjoin(recorded, recorded.c.task_id == t.c.id)
    return _Cols(status=status, due=due, progress=progress, light=light, froms=froms, plain=plain)


def _needs_as_of(q: BrowseQuery) -> bool:
    """Whether the listing filters or sorts on an as-of value (status, due date, light)."""
    return bool(q.status or q.light) or q.sort in ("due", "status", "light", "progress")


def _where(q: BrowseQuery, cols: _Cols, fts: bool) -> list[Any]:
    t = task_t
    conds: list[Any] = [t.c.withdrawn.is_(False)]
    if q.plan:
        conds.append(plan_t.c.slug == q.plan)
    if q.section:
        conds.append(sa.or_(t.c.section == q.section, t.c.section.startswith(q.section + " / ", autoescape=True)))
    if q.unit:
        from tracker.store.units import label_filter

        uids = sa.select(unit_t.c.id).where(label_filter(q.unit))
        conds.append(t.c.id.in_(sa.select(owner_t.c.task_id).where(owner_t.c.unit_id.in_(uids))))
    if q.status:
        conds.append(cols.status == q.status)
    if q.light:
        conds.append(cols.light == q.light)
    for word in search_words(q.search):
        text_match: Any = t.c.search_text.contains(word, autoescape=True)
        if len(word) >= 3 and fts:
            phrase = '"' + word.replace('"', '""') + '"'
            text_match = t.c.id.in_(sa.text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :phrase").bindparams(phrase=phrase))
        conds.append(sa.or_(t.c.number == word, t.c.key == word, text_match))
    return conds


def search_words(search: str | None) -> list[str]:
    """The words of a search box, simplified (a traditional query finds simplified text).

    >>> search_words(" 知識產權  質押 ")
    ['知识产权', '质押']
    """
    if not search or not search.strip():
        return []
    from tracker.extract.repair import to_simplified

    return to_simplified(search.strip()).split()


def _order(q: BrowseQuery, cols: _Cols) -> list[Any]:
    t = task_t
    rank = sa.case(*[(cols.light == k, v) for k, v in LIGHT_ORDER.items()], else_=9)
    lead = (
        sa.select(sa.func.min(unit_t.c.name)).select_from(owner_t.join(unit_t, unit_t.c.id == owner_t.c.unit_id))
        .where(owner_t.c.task_id == t.c.id, owner_t.c.role == "lead").scalar_subquery()
    )
    keys: dict[str, list[Any]] = {
        "number": [plan_t.c.slug, t.c.seq],
        "title": [t.c.title],
        "owners": [lead.is_(None), lead],  # by lead unit; tasks without one last
        "due": [cols.due.is_(None), cols.due],
        "status": [cols.status],
        "progress": [cols.progress],
        "light": [rank, cols.due.is_(None), cols.due],
    }
    ordered = [c.desc() if q.descending else c.asc() for c in keys.get(q.sort, keys["number"])]
    return [*ordered, t.c.id.desc() if q.descending else t.c.id.asc()]


class Cancelled(Exception):
    """The query was stopped through its :class:`Interrupt` (a newer one replaced it)."""


class Interrupt:
    """Lets another thread stop a listing query while it runs.

    Typing a search word starts a query per keystroke; at 100k tasks one may take longer
    than the pause between two keys. The newer keystroke cancels the older query's
    Interrupt, which stops it in the database (SQLite ``interrupt()``, PostgreSQL cancel),
    so superseded queries stop costing CPU. The stopped call raises :class:`Cancelled`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conn: Any = None
        self.cancelled = False

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            if self._conn is not None:
                _stop(self._conn)

    @contextmanager
    def watching(self, connection: Any) -> Iterator[None]:
        """Run queries on ``connection`` (SQLAlchemy) that :meth:`cancel` may stop."""
        if self.cancelled:
            raise Cancelled()
        dbapi = connection.connection.driver_connection
        with self._lock:
            self._conn = dbapi
        try:
            yield
        except sa.exc.DBAPIError as exc:
            if self.cancelled:
                raise Cancelled() from exc
            raise
        finally:
            with self._lock:
                self._conn = None
        if self.cancelled:
            raise Cancelled()


def _stop(dbapi_connection: Any) -> None:
    for method in ("interrupt", "cancel"):  # sqlite3, psycopg
        stop = getattr(dbapi_connection, method, None)
        if callable(stop):
            try:
                stop()
            except Exception:  # already finished or closed: nothing to stop
                pass
            return


@contextmanager
def _watched(interrupt: Interrupt | None, connection: Any) -> Iterator[None]:
    if interrupt is None:
        yield
    else:
        with interrupt.watching(connection):
            yield


def ordered_ids(engine: Engine, q: BrowseQuery, *, interrupt: Interrupt | None = None) -> list[int]:
    """The ids of every task matching ``q``, in its order: the listing the table pages over."""
    # A Core connection, not an ORM session: building 100k ORM rows costs more than the query.
    with engine.connect() as s, _watched(interrupt, s):
        cols = _columns(engine, s, q)
        froms = cols.froms if _needs_as_of(q) else cols.plain
        query = sa.select(task_t.c.id).select_from(froms).where(*_where(q, cols, has_fts(s))).order_by(*_order(q, cols))
        return list(s.execute(query).scalars())


def _row_query(engine: Engine, session: Any, q: BrowseQuery, ids: Sequence[int] | None = None) -> tuple[Any, _Cols]:
    cols = _columns(engine, session, q, ids)
    t = task_t
    query = sa.select(
        t.c.id, plan_t.c.slug, t.c.key, t.c.number, t.c.title, t.c.section, cols.due.label("due"), t.c.start, t.c.ongoing,
        t.c.condition, cols.status.label("status"), cols.progress.label("progress"), cols.light.label("light"), t.c.version,
    ).select_from(cols.froms)
    return query, cols


def _to_rows(session: Any, q: BrowseQuery, rows: Sequence[Any]) -> list[TaskRow]:
    owners = _owner_text(session, [r.id for r in rows])
    out = []
    for r in rows:
        due = r.due if isinstance(r.due, date) or r.due is None else date.fromisoformat(str(r.due)[:10])
        out.append(TaskRow(
            id=r.id, plan=r.slug, key=r.key, number=r.number, title=r.title, section=r.section,
            owners=owners.get(r.id, ""), due=due, start=r.start, ongoing=r.ongoing, condition=r.condition,
            status=r.status, progress=r.progress, light=r.light, days=None if due is None else (due - q.as_of).days,
            version=r.version,
        ))
    return out


def first_rows(engine: Engine, q: BrowseQuery, limit: int, *, interrupt: Interrupt | None = None) -> list[TaskRow]:
    """The first ``limit`` rows of the listing (what the table shows first)."""
    with engine.connect() as s, _watched(interrupt, s):
        if not _needs_as_of(q):
            # Nothing filtered or sorted on an as-of value: pick the rows from the plain
            # tables, then replay History for those rows only (not for every task).
            cols = _columns(engine, s, q, ids=[])
            return _rows_of(engine, s, q, _first_ids(s, q, cols, limit))
        query, cols = _row_query(engine, s, q)
        rows = s.execute(query.where(*_where(q, cols, has_fts(s))).order_by(*_order(q, cols)).limit(limit)).all()
        return _to_rows(s, q, rows)


def _first_ids(s: Any, q: BrowseQuery, cols: _Cols, limit: int) -> list[int]:
    """The first ``limit`` ids of a listing that needs no as-of value.

    In document order (the default) the plans are walked one by one in slug order, each
    read in ``ix_task_listing`` order with a LIMIT, so a search word found in most tasks
    stops after the first page instead of sorting every match. Other orders take one query.
    """
    where = _where(q, cols, has_fts(s))
    if q.sort != "number":
        query = sa.select(task_t.c.id).select_from(cols.plain).where(*where).order_by(*_order(q, cols)).limit(limit)
        return list(s.execute(query).scalars())
    slugs = sa.select(plan_t.c.id).order_by(plan_t.c.slug.desc() if q.descending else plan_t.c.slug)
    if q.plan:
        slugs = slugs.where(plan_t.c.slug == q.plan)
    order = [task_t.c.seq.desc(), task_t.c.id.desc()] if q.descending else [task_t.c.seq, task_t.c.id]
    ids: list[int] = []
    for pid in s.execute(slugs).scalars():
        query = (
            sa.select(task_t.c.id).select_from(cols.plain).where(task_t.c.plan_id == pid, *where)
            .order_by(*order).limit(limit - len(ids))
        )
        ids += s.execute(query).scalars()
        if len(ids) >= limit:
            break
    return ids


def rows_by_id(engine: Engine, q: BrowseQuery, ids: Sequence[int]) -> list[TaskRow]:
    """The rows of these tasks as of ``q.as_of``, in the order of ``ids`` (a page of a
    listing); filters are not re-applied, so a task just changed stays in view."""
    if not ids:
        return []
    with read_session(engine) as s:
        return _rows_of(engine, s, q, ids)


def _rows_of(engine: Engine, s: Any, q: BrowseQuery, ids: Sequence[int]) -> list[TaskRow]:
    """The rows of these tasks, in the order of ``ids``, History replayed for them only."""
    if not ids:
        return []
    query, _ = _row_query(engine, s, q, ids)
    found = {r.id: r for r in s.execute(query.where(task_t.c.id.in_(list(ids)))).all()}
    return _to_rows(s, q, [found[i] for i in ids if i in found])


def _owner_text(session: Any, ids: list[int]) -> dict[int, str]:
    """Owners per task, lead first, inferred ones marked "?"."""
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


# ------------------------------------------------------------------ sidebar and counts
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


@dataclass(frozen=True)
class Overview:
    """What the sidebar and the header count, as of one date (filters ignored)."""

    sections: list[SectionCount]
    units: list[UnitCount]
    lights: dict[str, int]  # red / yellow / green / grey → tasks
    inferred: int  # tasks with an owner still to confirm

    @property
    def tasks(self) -> int:
        return sum(self.lights.values())


def overview(engine: Engine, q: BrowseQuery) -> Overview:
    """Task and overdue (red) counts per plan section and per unit, the totals per light,
    and how many tasks wait for an inferred owner to be confirmed."""
    with read_session(engine) as s:
        cols = _columns(engine, s, q)
        t = task_t
        base = (
            sa.select(t.c.id, plan_t.c.slug, t.c.section, t.c.seq, cols.light.label("light"))
            .select_from(cols.froms).where(t.c.withdrawn.is_(False)).subquery("base")
        )
        red = sa.func.sum(sa.case((base.c.light == "red", 1), else_=0))
        titles = dict(s.execute(sa.select(plan_t.c.slug, plan_t.c.title)).all())
        sections = [
            SectionCount(slug, titles.get(slug, slug), section, int(n), int(r or 0))
            for slug, section, n, r in s.execute(
                sa.select(base.c.slug, base.c.section, sa.func.count(), red)
                .group_by(base.c.slug, base.c.section).order_by(base.c.slug, sa.func.min(base.c.seq))
            )
        ]
        lights = dict.fromkeys(LIGHTS, 0)
        for light, n in s.execute(sa.select(base.c.light, sa.func.count()).group_by(base.c.light)):
            lights[light] = int(n)
        # Units: count through the owner table, joined to the per-task light; one row per
        # unit (two regions' 省公安厅 are two), shown by its label.
        from tracker.store.unit_labels import unit_labels

        labels = unit_labels(s.execute(sa.select(unit_t.c.id, unit_t.c.name, unit_t.c.region)).all())
        units = [
            UnitCount(labels[uid], bool(grp), int(n), int(r or 0))
            for uid, grp, n, r in s.execute(
                sa.select(owner_t.c.unit_id, unit_t.c.is_group, sa.func.count(), red)
                .select_from(base.join(owner_t, owner_t.c.task_id == base.c.id).join(unit_t, unit_t.c.id == owner_t.c.unit_id))
                .group_by(owner_t.c.unit_id, unit_t.c.is_group).order_by(red.desc(), sa.func.min(unit_t.c.name), owner_t.c.unit_id)
            )
        ]
        inferred = int(s.execute(
            sa.select(sa.func.count(sa.distinct(owner_t.c.task_id)))
            .select_from(owner_t.join(t, t.c.id == owner_t.c.task_id))
            .where(owner_t.c.provenance == "inferred", t.c.withdrawn.is_(False))
        ).scalar_one())
    return Overview(sections=sections, units=units, lights=lights, inferred=inferred)


def due_counts(engine: Engine, q: BrowseQuery) -> list[tuple[str, date, str, int]]:
    """(plan, due date as of ``q.as_of``, light, tasks) for every dated task: the marks of a
    timeline. Grouped by day, so 100k tasks come back as a few thousand rows."""
    with engine.connect() as s:
        cols = _columns(engine, s, q)
        query = (
            sa.select(plan_t.c.slug, cols.due, cols.light, sa.func.count())
            .select_from(cols.froms)
            .where(*_where(q, cols, has_fts(s)), cols.due.is_not(None))
            .group_by(plan_t.c.slug, cols.due, cols.light)
        )
        out = []
        for slug, due, light, n in s.execute(query):
            day = due if isinstance(due, date) else date.fromisoformat(str(due)[:10])
            out.append((str(slug), day, str(light), int(n)))
        return out
