"""The overdue summary of `tracker overdue`, read lean: tuples, not objects.

:func:`tracker.asof.lateness.summarise` over :func:`tracker.asof.lateness.task_states` builds a
:class:`~tracker.asof.lateness.TaskState` (and its owners) for every task: 100,000 tasks take
seconds. The summary needs far less — a light for every task, to count, and the details of
the late ones, to list — so here the same rules run over plain rows: History is replayed in
one ordered pass, every task is classified from a handful of columns, counts are kept per
owner, plan or section, and only the late tasks are read in full and built into TaskState.
``tests/functional/test_overdue_sql.py`` checks that the result equals
``summarise(task_states(...))`` on both backends, with back-dated history.

(Classifying in SQL was tried: SQLite evaluates the window-and-CASE form of these rules
four to five times slower than this Python pass over the same rows.)

Dates are compared as text — days as ``YYYY-MM-DD``, instants as naive UTC
``YYYY-MM-DD HH:MM:SS.ffffff`` — which is how SQLite stores them (through SQLAlchemy) and
how PostgreSQL prints them with the formats bound below. The statements use ``:name``
parameters only, so they run unchanged on a ``sqlite3`` connection (`tracker overdue` on
SQLite opens one directly: importing SQLAlchemy alone takes longer than the summary) and
on an SQLAlchemy connection.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tracker.asof.lateness import NO_OWNER, Counts, Group, Owner, StateQuery, Summary, TaskState, day_end, review_window
from tracker.textsafe import like_escape

DATE_FORMAT = "YYYY-MM-DD"  # PostgreSQL to_char formats giving SQLite's stored text
INSTANT_FORMAT = "YYYY-MM-DD HH24:MI:SS.US"
STATE_FIELDS = frozenset({"status", "progress", "due", "triggered_on"})
CLOSED = frozenset({"done", "cancelled"})
_INSTANT_LEN = len("2021-01-01 00:00:00.000000")


@dataclass(frozen=True)
class Runner:
    """How to run text SQL with ``:name`` parameters on one connection.

    ``execute(sql, params)`` returns the rows; ``executemany(sql, rows)`` inserts; ``dialect``
    is ``sqlite`` or ``postgresql``.
    """

    dialect: str
    execute: Callable[[str, dict[str, Any]], Sequence[Sequence[Any]]]
    executemany: Callable[[str, list[dict[str, Any]]], None]

    def date(self, column: str) -> str:
        return column if self.dialect == "sqlite" else f"to_char({column}, :date_format)"

    def instant(self, column: str) -> str:
        return column if self.dialect == "sqlite" else f"to_char({column}, :instant_format)"

    def params(self, **values: Any) -> dict[str, Any]:
        if self.dialect != "sqlite":
            values.update(date_format=DATE_FORMAT, instant_format=INSTANT_FORMAT)
        return values


def sqlite_runner(conn: Any) -> Runner:
    """A runner over a ``sqlite3`` connection (named parameters are native to it)."""

    def execute(sql: str, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        return conn.execute(sql, params).fetchall()  # type: ignore[no-any-return]

    def executemany(sql: str, rows: list[dict[str, Any]]) -> None:
        conn.executemany(sql, rows)

    return Runner("sqlite", execute, executemany)


def sqlalchemy_runner(conn: Any) -> Runner:
    """A runner over an SQLAlchemy connection (any dialect)."""
    import sqlalchemy as sa

    def execute(sql: str, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        result = conn.execute(sa.text(sql), params)
        return result.fetchall() if result.returns_rows else []  # type: ignore[no-any-return]

    def executemany(sql: str, rows: list[dict[str, Any]]) -> None:
        if rows:
            conn.execute(sa.text(sql), rows)

    return Runner(conn.dialect.name, execute, executemany)


def _instant_text(instant: datetime) -> str:
    """An aware instant as stored: naive UTC with microseconds."""
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _stored_instant(text: str) -> str:
    """A stored instant in the canonical text form (SQLAlchemy always writes microseconds;
    anything else is normalised so text order stays time order)."""
    if len(text) == _INSTANT_LEN:
        return text
    return datetime.fromisoformat(text).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _scope(q: StateQuery) -> tuple[str, dict[str, Any]]:
    """The WHERE clause selecting the tasks of the query (as tracker.asof.lateness.task_states)."""
    where = ["NOT t.withdrawn"]
    params: dict[str, Any] = {}
    if q.plan:
        where.append("t.plan_id IN (SELECT p.id FROM plan p WHERE p.slug = :plan)")
        params["plan"] = q.plan
    if q.owner:
        # As SQLAlchemy's contains(…, autoescape=True): the value's own % and _ match literally.
        # A unit is also found by its name with its region (省公安厅（四川省）, how reports show it).
        where.append(
            "t.id IN (SELECT o.task_id FROM taskowner o WHERE o.unit_id IN (SELECT u.id FROM unit u "
            "WHERE u.name LIKE '%' || :owner || '%' ESCAPE '/' OR u.aliases LIKE '%' || :owner || '%' ESCAPE '/' "
            "OR u.name || '（' || u.region || '）' LIKE '%' || :owner || '%' ESCAPE '/'))"
        )
        params["owner"] = like_escape(q.owner)
    return " AND ".join(where), params


@dataclass(frozen=True)
class _PlanWindow:
    """A plan's review calendar on the as-of day (tracker.asof.lateness.review_window), as text."""

    slug: str
    last: str | None
    next: str | None
    cycle_end: str  # the instant the cycle before the last review ended: records after it count
    current_end: str


def _plan_windows(run: Runner, q: StateQuery) -> dict[int, _PlanWindow]:
    sql = (
        f"SELECT id, slug, {run.date('period_start')}, {run.date('issued_on')}, {run.date('period_end')}, review_months "
        "FROM plan"
    )
    out: dict[int, _PlanWindow] = {}
    for pid, slug, start, issued, end, months in run.execute(sql, run.params()):
        anchor = _day(start) or _day(issued) or q.as_of
        win = review_window(anchor, _day(end), months or 3, q.as_of)
        out[pid] = _PlanWindow(
            slug, win.last.isoformat() if win.last else None, win.next.isoformat() if win.next else None,
            _instant_text(day_end(win.cycle_start, q.tz)), _instant_text(day_end(win.current_start, q.tz)),
        )
    return out


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


@dataclass(slots=True)
class _Replay:
    """A task's History replayed to the cutoff (tracker.asof.lateness._state, first loop)."""

    values: dict[str, str | None]
    seen: set[str]
    last_eff: str | None = None  # the last change in effect
    done_eff: str | None = None  # when the change that closed it took effect


def _replay(rows: Iterable[Sequence[Any]], cutoff: str) -> dict[int, _Replay]:
    """Replay History rows ordered by (task, effective time, id)."""
    out: dict[int, _Replay] = {}
    state_fields, closed, width = STATE_FIELDS, CLOSED, _INSTANT_LEN
    current_tid, r = None, _Replay({}, set())
    for tid, field, old, new, eff in rows:
        if tid != current_tid:
            current_tid = tid
            r = out[tid] = _Replay({}, set())
        if len(eff) != width:
            eff = _stored_instant(eff)
        if eff >= cutoff:
            # A change not yet in effect: before it, the field had its old value.
            if field in state_fields and field not in r.seen:
                r.values[field] = old
                r.seen.add(field)
            continue
        r.last_eff = eff
        if field in state_fields:
            r.values[field] = new
            if field == "status":
                r.done_eff = eff if new in closed else None
    return out


def overdue_summary(run: Runner, q: StateQuery, by: str = "owner") -> Summary:
    """``summarise(task_states(engine, q), q.as_of, by)``, read lean.

    Runs in the caller's transaction (one snapshot); leaves nothing behind but a temporary
    table of late task ids, dropped at the end.
    """
    if by not in ("owner", "plan", "section"):
        from tracker.errors import UsageError

        raise UsageError(f"--by 须为 owner、plan 或 section / --by must be owner, plan or section, got {by!r}")
    if q.task_ids is not None:
        raise ValueError("overdue_summary does not filter by task ids: use tracker.asof.lateness.task_states")
    # Millions of rows become tuples and small dicts with no reference cycles: the cyclic
    # collector would only rescan them, again and again, as they pile up (a quarter of the
    # time at 1M tasks). Reference counting frees them all the same.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _summarise(run, q, by)
    finally:
        if collecting:
            gc.enable()


def _summarise(run: Runner, q: StateQuery, by: str) -> Summary:
    as_of = q.as_of.isoformat()
    yellow_line = (q.as_of + timedelta(days=q.yellow_days)).isoformat()
    cutoff = _instant_text(day_end(q.as_of, q.tz))
    windows = _plan_windows(run, q)
    scope, scope_params = _scope(q)
    scoped = bool(q.plan or q.owner)
    history_scope = f"WHERE h.task_id IN (SELECT t.id FROM task t WHERE {scope})" if scoped else ""
    replayed = _replay(run.execute(
        f"SELECT h.task_id, h.field, h.old_value, h.new_value, {run.instant('h.effective_at')} FROM history h "
        f"{history_scope} ORDER BY h.task_id, h.effective_at, h.id", run.params(**scope_params),
    ), cutoff)
    section = "t.section" if by == "section" else "NULL"
    # Every column read here is in ix_task_listing (migration 0006), so the scan never
    # touches the wide rows; which tasks wait on a condition comes from a partial index.
    conditional = {tid for (tid,) in run.execute(
        "SELECT t.id FROM task t WHERE t.condition IS NOT NULL AND t.condition != ''", {})}
    tasks = run.execute(
        f"SELECT t.id, t.plan_id, t.status, t.progress, {run.date('t.due')}, {run.date('t.triggered_on')}, "
        f"t.ongoing, {section} FROM task t WHERE {scope}", run.params(**scope_params),
    )

    tally = {"red": 0, "yellow": 0, "green": 0, "grey": 0}
    light_of: dict[int, str] = {}
    late: dict[int, tuple[str, Any, str | None, str | None, str | None, _Replay | None]] = {}
    by_group: dict[str, Counts] = {}
    classify, get_replay = _classify, replayed.get
    for tid, pid, status, progress, due, trig, ongoing, sect in tasks:
        cond = tid in conditional
        r = get_replay(tid)
        last_eff = None
        if r is not None:
            v = r.values
            if v:
                status = v.get("status", status)
                progress = v["progress"] if "progress" in v else progress
                if "due" in v:  # parse_state: date.fromisoformat(value[:10]), None kept
                    due = (v["due"] or "")[:10] or None
                if "triggered_on" in v:
                    trig = (v["triggered_on"] or "")[:10] or None
            last_eff = r.last_eff
        light, lateness = classify(status, due, trig, cond, ongoing, last_eff, windows[pid], as_of, yellow_line)
        tally[light] += 1
        light_of[tid] = light
        if lateness is not None:
            late[tid] = (lateness, progress, status, due, trig, r)
        if by != "owner":
            slug = windows[pid].slug
            name = slug if by == "plan" else (f"{slug} / {sect}" if sect else slug)
            counts = by_group.get(name)
            if counts is None:
                counts = by_group[name] = Counts()
            setattr(counts, light, getattr(counts, light) + 1)
    totals = Counts(**tally)

    groups: dict[str, Group] = {}
    if by == "owner":
        _owner_counts(run, light_of, groups)
    else:
        for name, counts in by_group.items():
            groups[name] = Group(name=name, counts=counts, lead=Counts(counts.red, counts.yellow, counts.green, counts.grey))
    states = _late_states(run, q, windows, late)
    for t in states:
        if by == "owner":
            keys = [(o.name, o.role) for o in t.owners] or [(NO_OWNER, "lead")]
        elif by == "plan":
            keys = [(t.plan, "lead")]
        else:
            keys = [(f"{t.plan} / {t.section}" if t.section else t.plan, "lead")]
        for name, role in keys:
            g = groups[name]
            (g.overdue if t.lateness == "overdue" else g.review_overdue).append((t, role))
    for g in groups.values():
        g.overdue.sort(key=_late_order)
        g.review_overdue.sort(key=_late_order)
    ordered = sorted(groups.values(), key=lambda g: (-len(g.overdue), -g.counts.red, -g.counts.total, g.name))
    overdue = sum(1 for v in late.values() if v[0] == "overdue")
    return Summary(
        as_of=q.as_of, by=by, totals=totals, tasks=totals.total, overdue=overdue,
        review_overdue=len(late) - overdue, groups=ordered,
    )


def _late_order(item: tuple[TaskState, str]) -> tuple[bool, int, str, str]:
    t, role = item
    return (role != "lead", -(t.days_late or 0), t.plan, t.key)


def _classify(
    status: str, due: str | None, trig: str | None, cond: bool, ongoing: Any, last_eff: str | None,
    w: _PlanWindow, as_of: str, yellow_line: str,
) -> tuple[str, str | None]:
    """(light, lateness) of a task as of the day: tracker.asof.lateness._state's rules, on text."""
    met = bool(ongoing) and due is not None and status == "done"
    if status == "cancelled" or (status == "done" and not met) or (bool(cond) and trig is None and due is None):
        return "grey", None
    if due is not None and not met and due < as_of:
        return "red", "overdue"
    if ongoing:
        if w.last is not None and (not met or w.last > due) and (last_eff is None or last_eff < w.cycle_end):  # type: ignore[operator]
            return "red", "review_overdue"
        if (w.next is not None and (not met or w.next > due) and w.next <= yellow_line  # type: ignore[operator]
                and (last_eff is None or last_eff < w.current_end)):
            return "yellow", None
        if not met and due is not None and due <= yellow_line:
            return "yellow", None
        return "green", None
    if due is not None:
        return ("yellow" if due <= yellow_line else "green"), None
    return "grey", None


def _owner_counts(run: Runner, light_of: dict[int, str], groups: dict[str, Group]) -> None:
    """Counts per unit (each owner of a task counts it, lead and support apart), and the
    tasks nobody owns."""
    units = _units(run)
    tally: dict[tuple[int, str, str], int] = {}
    owned: set[int] = set()
    light_get, tally_get, own = light_of.get, tally.get, owned.add
    for tid, uid, role in run.execute("SELECT task_id, unit_id, role FROM taskowner", {}):
        light = light_get(tid)
        if light is None:
            continue  # out of scope (withdrawn, another plan)
        own(tid)
        key = (uid, role, light)
        tally[key] = tally_get(key, 0) + 1
    for (uid, role, light), n in tally.items():
        name, is_group, region = units[uid]
        g = groups.get(name)
        if g is None:
            g = groups[name] = Group(name=name, is_group=is_group, region=region)
        setattr(g.counts, light, getattr(g.counts, light) + n)
        part = g.lead if role == "lead" else g.support
        setattr(part, light, getattr(part, light) + n)
    unowned = Counts()
    for tid, light in light_of.items():
        if tid not in owned:
            setattr(unowned, light, getattr(unowned, light) + 1)
    if unowned.total:
        groups[NO_OWNER] = Group(name=NO_OWNER, counts=unowned,
                                 lead=Counts(unowned.red, unowned.yellow, unowned.green, unowned.grey))


def _units(run: Runner) -> dict[int, tuple[str, bool, str]]:
    """Unit id → (label, is group, region): units are grouped by id, shown by a label that
    names the region where a name repeats (tracker.store.unit_labels)."""
    from tracker.store.unit_labels import unit_labels

    rows = run.execute("SELECT id, name, region, is_group FROM unit", {})
    labels = unit_labels((uid, name, region) for uid, name, region, _ in rows)
    return {uid: (labels[uid], bool(grp), region or "") for uid, _name, region, grp in rows}


def _late_states(
    run: Runner, q: StateQuery, windows: dict[int, _PlanWindow],
    late: dict[int, tuple[str, Any, str | None, str | None, str | None, _Replay | None]],
) -> list[TaskState]:
    """The late tasks as TaskState, owners lead first."""
    if not late:
        return []
    run.execute("DROP TABLE IF EXISTS ov_late", {})
    run.execute("CREATE TEMP TABLE ov_late (id INTEGER PRIMARY KEY)", {})
    try:
        run.executemany("INSERT INTO ov_late (id) VALUES (:id)", [{"id": tid} for tid in sorted(late)])
        owners: dict[int, list[Owner]] = {}
        units = _units(run)
        for tid, uid, role, provenance in run.execute(
            "SELECT o.task_id, o.unit_id, o.role, o.provenance FROM taskowner o "
            "WHERE o.task_id IN (SELECT id FROM ov_late) "
            "ORDER BY o.task_id, CASE WHEN o.role = 'lead' THEN 0 ELSE 1 END, o.position, o.id", {},
        ):
            label, is_group, region = units[uid]
            owners.setdefault(tid, []).append(Owner(label, role, provenance, is_group, region))
        rows = run.execute(
            f"SELECT t.id, t.plan_id, t.number, t.key, t.section, t.title, t.kind, {run.date('t.start')}, t.ongoing, "
            "t.condition FROM task t WHERE t.id IN (SELECT id FROM ov_late)", run.params(),
        )
    finally:
        run.execute("DROP TABLE IF EXISTS ov_late", {})
    local_day = _local_days(ZoneInfo(q.tz))
    days: dict[str, date] = {}

    def day(text: str | None) -> date | None:
        if text is None:
            return None
        d = days.get(text)
        if d is None:
            d = days[text] = date.fromisoformat(text[:10])
        return d

    out: list[TaskState] = []
    as_of = q.as_of
    for tid, pid, number, key, section, title, kind, start, ongoing, condition in rows:
        lateness, progress, status, due_text, trig, replay = late[tid]
        win = windows[pid]
        due = day(due_text)
        next_review: date | None = None
        if lateness == "overdue":
            assert due is not None
            days_late = (as_of - due).days
        else:
            last = day(win.last)
            assert last is not None
            days_late = (as_of - last).days
            met = bool(ongoing) and due_text is not None and status == "done"
            if win.next is not None and (not met or win.next > due_text):  # type: ignore[operator]
                next_review = day(win.next)
        out.append(TaskState(
            id=tid, plan=win.slug, number=number, key=key, section=section, title=title, kind=kind, due=due,
            start=day(start), ongoing=bool(ongoing), condition=condition, triggered_on=day(trig), status=status,  # type: ignore[arg-type]
            progress=int(progress) if progress is not None else None,  # type: ignore[arg-type]
            done_on=local_day(replay.done_eff) if replay else None,
            last_update=local_day(replay.last_eff) if replay else None,
            owners=tuple(owners.get(tid, ())), light="red", lateness=lateness,
            days_late=days_late, days_left=None, next_review=next_review,
        ))
    return out


def _local_day(instant: str | None, tz: ZoneInfo) -> date | None:
    """The office's calendar day of a stored instant (naive UTC text)."""
    if instant is None:
        return None
    return datetime.fromisoformat(instant).replace(tzinfo=UTC).astimezone(tz).date()


def _local_days(tz: ZoneInfo) -> Callable[[str | None], date | None]:
    """:func:`_local_day` for many instants: the zone's UTC offset is looked up once per UTC
    day, and used directly when it is the same at both ends of that day (no clock change)."""
    offsets: dict[str, timedelta | None] = {}

    def local_day(instant: str | None) -> date | None:
        if instant is None:
            return None
        day = instant[:10]
        if day not in offsets:
            start = datetime.fromisoformat(day).replace(tzinfo=UTC)
            first = start.astimezone(tz).utcoffset()
            last = (start + timedelta(days=1, microseconds=-1)).astimezone(tz).utcoffset()
            offsets[day] = first if first == last else None
        offset = offsets[day]
        if offset is None:
            return _local_day(instant, tz)
        return (datetime.fromisoformat(instant) + offset).date()

    return local_day
