"""Calendar feeds: what each feed holds, how it is exported, and its secret address.

One feed per responsible unit (责任单位), one per plan, and one with everything. The data
path is the usual one — database → this module (state as of a date) → tracker.feeds.ical (bytes)
— and the CLI (``tracker export ics``, ``tracker feeds``) and the feed server
(tracker.feeds.server) both call it.

**What a feed shows, as of a date** (today in Asia/Shanghai by default). The rules are the
office's rules of tracker.asof.lateness, applied here to a whole snapshot at once because the
export must handle 100,000 tasks in 2 s (``task_states`` takes ~6 s for that); a test checks
that both agree on every seed task:

* a task with a due date is an all-day event on it (a window ``start``–``due`` for phases);
  overdue ones — due before the as-of date and not done/cancelled then — are marked 【逾期】;
* an ongoing task (持续推进) is a recurring review event on the plan's review dates (the
  last day of every ``review_months``-th month from the period start) until the period
  ends, marked 【逾期】 when the review that fell due last has no record;
* a task waiting on a condition (上位法出台后…) is left out until it is triggered, and a
  task with no date at all is counted, not shown;
* done tasks carry a ✓ (``--hide-done`` leaves them out); closed tasks closed more than
  ``done_window_days`` ago are left out; a unit's feed is kept under 1 MB (tracker.feeds.ical).

**Determinism.** The bytes depend only on the database and the as-of date: SEQUENCE is the
number of recorded changes of the task (History rows: coordinator changes and re-import
text changes, append-only, so it only grows), DTSTAMP/LAST-MODIFIED the task's last change
(or the instant it became overdue, if later). Exported at any hour of a day, an unchanged
database gives the same bytes; they change at most once a day (midnight in the office's
time zone) when a deadline passes.

**Secret addresses.** A feed is served at ``/feeds/<token>.ics``, the token unguessable
(256 bits). The database keeps only ``sha256(token)``. Offices must be able to print a
unit's address again, so a token is not random but derived: ``HMAC-SHA256(secret key,
scope/target/generation)``, the secret key being a file in the data folder
(``$TRACKER_HOME/feed-secret.key``, mode 0600) that never enters the database. ``tracker
feeds list`` re-derives the addresses it can; ``tracker feeds rotate`` revokes the current
token and creates the next generation, so the old address answers 404 for ever. A copy of
the database alone reveals no address; a machine without the key file (another office on a
shared PostgreSQL) sees that an address exists but must rotate it to learn a new one.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import hmac
import html
import os
import queue
import re
import secrets
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tracker.asof.lateness import CLOSED, STATE_FIELDS, day_end, month_end, parse_state, review_window
from tracker.atomic import StagedFolder, write_atomic
from tracker.dates import EARLIEST, LATEST
from tracker.errors import FileError, NotFoundError, UsageError
from tracker.feeds.ical import (
    FeedItem,
    FeedOptions,
    ItemOwner,
    Recurrence,
    RenderedFeed,
    assemble,
    fit_feed,
    render_events,
    render_todos,
    word,
)
from tracker.store.db import read_session, write_session
from tracker.store.models import feed_token_t, history_t, owner_t, plan_t, task_t, unit_t, utcnow

SCOPES = ("all", "plan", "unit")
SECRET_FILE = "feed-secret.key"
FEED_PATH = "/feeds/"


# ================================================================== feed names and files
_ASCII_RUN = re.compile(r"[^a-z0-9]+")


def _ascii_slug(text: str, limit: int = 40) -> str:
    """Lower-case ASCII letters, digits and single hyphens; Chinese becomes pinyin.

    >>> _ascii_slug("省公安厅"), _ascii_slug("../../etc/passwd"), _ascii_slug("a/b")
    ('shenggonganting', 'etc-passwd', 'a-b')
    """
    from pypinyin import lazy_pinyin

    if text.isascii():
        latin = text.lower()
    else:
        latin = "".join(lazy_pinyin(text, errors=lambda s: s)).lower()
    return _ASCII_RUN.sub("-", latin).strip("-")[:limit].strip("-")


def feed_filename(scope: str, target: str) -> str:
    """A feed's file name (without ``.ics``): stable, and safe whatever the unit is called.

    Only ``[a-z0-9-]`` survive, so no name can climb out of the export folder or collide
    with another file type; a short hash of the exact name keeps names apart that read the
    same in pinyin (省市场监管局 / 省市場監管局).

    >>> feed_filename("unit", "省公安厅"), feed_filename("plan", "yunnan-2020-2021"), feed_filename("all", "")
    ('unit-shenggonganting-c9b6851d', 'plan-yunnan-2020-2021', 'all')
    >>> feed_filename("unit", "../../etc/passwd")
    'unit-etc-passwd-526b1a02'
    """
    if scope == "all":
        return "all"
    slug = _ascii_slug(target)
    digest = hashlib.sha256(f"{scope}\x1f{target}".encode()).hexdigest()[:8]
    if scope == "plan" and slug == target and slug:
        return f"plan-{slug}"
    return f"{scope}-{slug}-{digest}" if slug else f"{scope}-{digest}"


@dataclass(frozen=True)
class FeedSpec:
    """One feed: its scope (``unit``, ``plan`` or ``all``), target (unit name, plan slug, or
    "" for all) and the name clients show."""

    scope: str
    target: str
    title: str

    @property
    def filename(self) -> str:
        return feed_filename(self.scope, self.target)

    def calendar_name(self, lang: str) -> str:
        if self.scope == "unit":
            return word("unit_feed", lang).format(name=self.target)
        if self.scope == "plan":
            return word("plan_feed", lang).format(title=self.title or self.target)
        return word("all_feed", lang)

    def calendar_description(self, lang: str) -> str:
        what = self.target if self.scope != "all" else word("all_feed", lang)
        if self.scope == "plan":
            what = f"{self.title}（{self.target}）" if lang != "en" else f"{self.title} ({self.target})"
        return word("feed_desc", lang).format(what=what)


# ================================================================== snapshot: state as of a day
@dataclass
class Snapshot:
    """Every feed item of a scope as of ``as_of``, in feed order (plan slug, document order)."""

    as_of: date
    items: list[FeedItem]
    units: list[str]  # every unit (also those with no task), sorted
    plans: dict[str, str]  # every plan: slug → title
    undated: list[str] = field(default_factory=list)  # refs of tasks with no date at all
    waiting: list[str] = field(default_factory=list)  # refs of tasks waiting on a condition
    closed_out: list[str] = field(default_factory=list)  # refs left out: closed too long ago / hidden


EPOCH = datetime(1970, 1, 1)


def _utc(value: Any) -> datetime:
    """A stored instant as a naive UTC datetime, whatever the backend handed back: SQLite
    gives the text SQLAlchemy stored (UTC), PostgreSQL an aware datetime."""
    if value is None:
        return EPOCH
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value  # type: ignore[no-any-return]
    return value.astimezone(UTC).replace(tzinfo=None)  # type: ignore[no-any-return]


def _as_date(value: Any) -> date | None:
    """A stored date, or None for none, and for one outside 1949–2100 (tracker.dates): such
    a date can no longer be entered, but a database written before could hold 9999-12-31,
    whose next day does not exist; the feed then lists the task as undated, not a 503."""
    if value is None:
        return None
    if type(value) is not date:
        if isinstance(value, datetime):
            value = value.date()
        elif not isinstance(value, date):
            value = date.fromisoformat(str(value)[:10])
    return value if EARLIEST <= value <= LATEST else None


def _raw(column: Any) -> Any:
    """The column without SQLAlchemy's per-value conversion (dates, datetimes, booleans
    cost ~1 s per 100,000 rows through their Python processors); _as_date and _utc read
    what the driver returns (text on SQLite, typed values on PostgreSQL)."""
    return sa.type_coerce(column, sa.String() if not isinstance(column.type, sa.Boolean) else sa.Integer())


def _scope_filter(scope: str | None, target_id: int | None) -> list[Any]:
    if scope == "plan":
        return [task_t.c.plan_id == target_id]
    if scope == "unit":
        return [task_t.c.id.in_(sa.select(owner_t.c.task_id).where(owner_t.c.unit_id == target_id))]
    return []


def load_snapshot(
    engine: Engine,
    as_of: date,
    opts: FeedOptions | None = None,
    *,
    scope: str | None = None,
    target: str | None = None,
    share: frozenset[int] | None = None,
) -> Snapshot:
    """Read the tasks of a scope (all by default; a unit by exact name; a plan by slug) and
    decide, as of ``as_of``, what each feed shows of them. A fixed number of set-based
    queries, whatever the number of tasks. ``share`` keeps the tasks of those plans: one
    worker's share of a parallel export (see :func:`_plan_shares`)."""
    opts = opts or FeedOptions()
    tz = opts.tz
    cutoff = day_end(as_of, tz).replace(tzinfo=None)
    with read_session(engine) as s:
        plans = {
            r.id: r
            for r in s.execute(
                sa.select(plan_t.c.id, plan_t.c.slug, plan_t.c.title, plan_t.c.source_file, plan_t.c.period_start,
                          plan_t.c.period_end, plan_t.c.issued_on, plan_t.c.review_months)
            )
        }
        unit_rows = _unit_rows(s)
        target_id: int | None = None
        if scope == "unit":
            target_id = next((uid for uid, name in unit_rows if name == target), None)
            if target_id is None:
                raise NotFoundError(f"没有名为“{target}”的单位 / no unit named {target!r}")
        elif scope == "plan":
            target_id = next((pid for pid, p in plans.items() if p.slug == target), None)
            if target_id is None:
                raise NotFoundError(f"没有代号为“{target}”的规划 / no plan {target!r} (see: tracker plans)")
        where = [task_t.c.withdrawn.is_(False), *_scope_filter(scope, target_id)]
        share_of: Callable[[Any], list[Any]] = lambda _column: []  # noqa: E731
        if share is not None:
            plans_in = sorted(share)
            where.append(task_t.c.plan_id.in_(plans_in))
            share_of = lambda column: [  # noqa: E731
                column.in_(sa.select(task_t.c.id).where(task_t.c.plan_id.in_(plans_in)))
            ]
        tasks = list(s.execute(
            sa.select(
                task_t.c.id, task_t.c.plan_id, task_t.c.key, task_t.c.seq, task_t.c.number, task_t.c.section,
                task_t.c.title, task_t.c.text, task_t.c.kind, _raw(task_t.c.due), _raw(task_t.c.start), task_t.c.due_text,
                task_t.c.due_source, _raw(task_t.c.ongoing), task_t.c.condition, _raw(task_t.c.triggered_on),
                task_t.c.status, task_t.c.progress, _raw(task_t.c.updated_at), task_t.c.line_start, task_t.c.line_end,
            ).where(*where)
        ).all())
        # Owners and history of the scope's tasks (all rows when the scope is everything:
        # the few of withdrawn tasks are simply never looked up).
        in_scope = sa.select(task_t.c.id).where(*where)
        history: dict[int, list[tuple[str, str | None, str | None, datetime, datetime]]] = defaultdict(list)
        for tid, fld, old, new, eff, rec in s.execute(
            sa.select(history_t.c.task_id, history_t.c.field, history_t.c.old_value, history_t.c.new_value,
                      _raw(history_t.c.effective_at), _raw(history_t.c.recorded_at))
            .where(*([history_t.c.task_id.in_(in_scope)] if scope else share_of(history_t.c.task_id)))
            .order_by(history_t.c.task_id, history_t.c.effective_at, history_t.c.id)
        ):
            history[tid].append((fld, old, new, _utc(eff), _utc(rec)))
        # Lead first, then as printed (then by row id, so ties never depend on a query plan).
        owner_rows = s.execute(
            sa.select(owner_t.c.task_id, owner_t.c.unit_id, owner_t.c.role, owner_t.c.provenance)
            .where(*([owner_t.c.task_id.in_(in_scope)] if scope else share_of(owner_t.c.task_id)))
            .order_by(owner_t.c.task_id, sa.case((owner_t.c.role == "lead", 0), else_=1), owner_t.c.position, owner_t.c.id)
        ).all()
    unit_names = dict(unit_rows)  # unit id → label: 省公安厅, 省公安厅（四川省）
    shared: dict[tuple[int, str, str], ItemOwner] = {}  # one object per (unit, role, provenance)
    owners: dict[int, tuple[ItemOwner, ...]] = {}
    current: int | None = None
    group: list[ItemOwner] = []
    for tid, uid, role, prov in owner_rows:
        if tid != current:
            if group:
                owners[current] = tuple(group)  # type: ignore[index]
            current, group = tid, []
        o = shared.get((uid, role, prov))
        if o is None:
            o = shared[(uid, role, prov)] = ItemOwner(unit_names[uid], role, prov)
        group.append(o)
    if group:
        owners[current] = tuple(group)  # type: ignore[index]

    # Feed order: plan slug, document order, key — the same on every machine.
    rank = {pid: k for k, pid in enumerate(sorted(plans, key=lambda pid: plans[pid].slug))}
    tasks.sort(key=lambda r: (rank[r[1]], r[3], r[2]))
    calendars = {pid: _PlanCalendar(p, as_of) for pid, p in plans.items()}
    ends = _DayEnds(tz)
    snap = Snapshot(as_of=as_of, items=[], units=[name for _, name in unit_rows], plans={p.slug: p.title for p in plans.values()})
    done_floor = as_of - timedelta(days=opts.done_window_days) if opts.done_window_days is not None else None
    no_history: list[Any] = []
    items = snap.items
    for row in tasks:
        tid = row[0]
        cal = calendars[row[1]]
        task_owners = owners.get(tid, ())
        item = _item(row, cal, history.get(tid, no_history), task_owners, as_of, cutoff, ends)
        if not isinstance(item, FeedItem):
            (snap.waiting if item is WAITING else snap.undated).append(f"{cal.slug}:{row[4] or row[2]}")
            continue
        if item.status == "cancelled" or (item.deadline_done and (item.review is None or item.review_done)):
            if opts.hide_done or (done_floor is not None and _closed_on(item) < done_floor):
                snap.closed_out.append(item.ref)
                continue
        items.append(item)
    return snap


class _DayEnds(dict[date, datetime]):
    """day → the instant it ends in the office's zone (UTC), worked out once per day."""

    def __init__(self, tz: str) -> None:
        super().__init__()
        self.tz = tz

    def __missing__(self, day: date) -> datetime:
        value = self[day] = day_end(day, self.tz).replace(tzinfo=None)
        return value


class _PlanCalendar:
    """A plan's review calendar (the same for all its tasks, so worked out once)."""

    __slots__ = ("_as_of", "anchor", "first", "months", "period_end", "plan_id", "slug", "source_file", "title", "window")

    def __init__(self, plan: Any, as_of: date) -> None:
        self.plan_id = plan.id
        self.slug = plan.slug
        self.title = plan.title
        self.source_file = plan.source_file
        self.anchor: date | None = _as_date(plan.period_start) or _as_date(plan.issued_on)
        self.months = max(1, plan.review_months or 3)
        self.period_end = _as_date(plan.period_end)
        self.first = month_end(self.anchor.year, self.anchor.month + self.months - 1) if self.anchor else None
        self._as_of = as_of
        self.window: Any = None

    def review_window(self) -> Any:
        if self.window is None and self.anchor is not None:
            self.window = review_window(self.anchor, self.period_end, self.months, self._as_of)
        return self.window


WAITING = object()  # a task waiting on its condition, as of the day
UNDATED = object()  # a task with no date to show


def _closed_on(item: FeedItem) -> date:
    """When a closed task closed: the recorded day, else the last date it shows."""
    if item.done_on is not None:
        return item.done_on
    last = item.due
    if item.review is not None and item.review.until is not None:
        last = max(last, item.review.until) if last else item.review.until
    return last or date.max


def _item(
    row: Any,
    cal: _PlanCalendar,
    history: list[tuple[str, str | None, str | None, datetime, datetime]],
    owners: tuple[ItemOwner, ...],
    as_of: date,
    cutoff: datetime,
    ends: _DayEnds,
) -> FeedItem | object:
    """One task as of ``as_of`` (or WAITING, or UNDATED) — the rules of tracker.asof.lateness._state, kept in step by
    tests/functional/test_feeds.py::test_overdue_marks_agree_with_lateness."""
    (_tid, _pid, key, seq, number, section, title, text, kind, due, start, due_text, due_source, ongoing,
     condition, triggered_on, status, progress, updated_at, line_start, line_end) = row
    due = _as_date(due)
    triggered_on = _as_date(triggered_on)
    done_on: date | None = None
    record_dates: list[date] = []
    last_change = _utc(updated_at)
    if history:
        values: dict[str, Any] = {"status": status, "progress": progress, "due": due, "triggered_on": triggered_on}
        seen: set[str] = set()
        zone = ZoneInfo(ends.tz)
        utc = UTC
        for fld, old, new, eff, rec in history:
            if rec > last_change:
                last_change = rec
            if eff >= cutoff:
                # Not yet in effect on as_of: the field still had its old value.
                if fld in STATE_FIELDS and fld not in seen:
                    values[fld] = parse_state(fld, old)
                    seen.add(fld)
                continue
            local = eff.replace(tzinfo=utc).astimezone(zone).date()
            record_dates.append(local)
            if fld in STATE_FIELDS:
                values[fld] = parse_state(fld, new)
                if fld == "status":
                    done_on = local if new in CLOSED else None
        status, progress, due, triggered_on = values["status"], values["progress"], values["due"], values["triggered_on"]
    if condition and triggered_on is None and due is None:
        return WAITING  # waiting on its condition (上位法出台后…): not in any feed until triggered
    met_then_ongoing = ongoing and due is not None and status == "done"
    grey = status == "cancelled" or (status == "done" and not met_then_ongoing)
    overdue_since: datetime | None = None
    review_overdue_since: datetime | None = None
    if not grey and due is not None and not met_then_ongoing and due < as_of:
        overdue_since = ends[due]
    review: Recurrence | None = None
    if ongoing and cal.first is not None:
        until = cal.period_end
        if grey and done_on is not None:  # the work is finished: its reviews stop
            until = min(until, done_on) if until else done_on
        if until is None or cal.first <= until:
            review = Recurrence(cal.first, cal.months, until)
        if not grey and overdue_since is None:
            win = cal.review_window()
            last = win.last
            counts = last is not None and (not met_then_ongoing or (due is not None and last > due))
            if counts and not any(d > win.cycle_start for d in record_dates):
                review_overdue_since = ends[last]
    if due is None and review is None:
        return UNDATED
    return FeedItem(
        cal.slug, cal.title, key, number, title, text, section, kind, status, progress or 0, due, _as_date(start),
        due_text, due_source, owners, cal.source_file, line_start or 0, line_end or 0, len(history),
        last_change.replace(microsecond=0) if last_change.microsecond else last_change, review,
        overdue_since, review_overdue_since, status == "done", grey, done_on, seq,
    )


# ================================================================== building feeds
@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building: a 100,000-task export allocates
    millions of objects and no reference cycle, and the collector would re-scan them all
    again and again (~0.6 s of a 2 s budget) for nothing."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@dataclass
class RenderedSet:
    """Every task of a snapshot rendered once per variant (``False``: VEVENT, ``True``:
    VTODO), with what each feed needs to pick its tasks: their plan and units. Feeds are
    then only concatenations: a task in the all feed, its plan's and three units' feeds is
    written once. Picklable (without ``items``), so a worker process can hand it back."""

    as_of: date
    plans: dict[str, str]
    units: list[str]
    plan_of: list[str]
    units_of: list[tuple[str, ...]]
    order: list[tuple[str, int, str]]  # (plan slug, seq, key): feed order
    blocks: dict[bool, list[bytes]]
    events: dict[bool, list[int]]
    undated: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    closed_out: list[str] = field(default_factory=list)
    items: list[FeedItem] | None = None  # kept when rendered in this process
    _by_plan: dict[str, list[int]] | None = field(default=None, repr=False)
    _by_unit: dict[str, list[int]] | None = field(default=None, repr=False)
    _empty: dict[bool, bool] = field(default_factory=dict, repr=False)

    def has_empty(self, todo: bool) -> bool:
        """Whether some task rendered to nothing in this variant (worked out once)."""
        found = self._empty.get(todo)
        if found is None:
            found = self._empty[todo] = not all(self.events[todo])
        return found

    def indices(self, spec: FeedSpec) -> list[int]:
        if spec.scope == "all":
            return list(range(len(self.plan_of)))
        if self._by_plan is None or self._by_unit is None:
            by_plan: dict[str, list[int]] = defaultdict(list)
            by_unit: dict[str, list[int]] = defaultdict(list)
            for i, (slug, names) in enumerate(zip(self.plan_of, self.units_of)):
                by_plan[slug].append(i)
                for name in names:
                    by_unit[name].append(i)
            self._by_plan, self._by_unit = by_plan, by_unit
        return (self._by_plan if spec.scope == "plan" else self._by_unit).get(spec.target, [])


_MARKERS = {False: b"BEGIN:VEVENT\r\n", True: b"BEGIN:VTODO\r\n"}


def render_set(snap: Snapshot, opts: FeedOptions, variants: Iterable[bool] = (False,)) -> RenderedSet:
    blocks: dict[bool, list[bytes]] = {}
    events: dict[bool, list[int]] = {}
    for todo in variants:
        render = render_todos if todo else render_events
        out = blocks[todo] = [render(item, opts) for item in snap.items]
        marker = _MARKERS[todo]
        events[todo] = [b.count(marker) for b in out]
    return RenderedSet(
        as_of=snap.as_of, plans=dict(snap.plans), units=list(snap.units), plan_of=[it.plan for it in snap.items],
        units_of=[tuple(o.name for o in it.owners) for it in snap.items],
        order=[(it.plan, it.seq, it.key) for it in snap.items], blocks=blocks, events=events, undated=list(snap.undated), waiting=list(snap.waiting),
        closed_out=list(snap.closed_out), items=snap.items,
    )


def merge_sets(parts: list[RenderedSet]) -> RenderedSet:
    """One set from the sets of consecutive runs of plans (in feed order, see
    :func:`_plan_shares`): the feed order is plan by plan, so the parts follow each other."""
    first = parts[0]
    merged = RenderedSet(
        as_of=first.as_of, plans=dict(first.plans), units=list(first.units),
        plan_of=[x for p in parts for x in p.plan_of], units_of=[x for p in parts for x in p.units_of],
        order=[x for p in parts for x in p.order],
        blocks={v: [x for p in parts for x in p.blocks[v]] for v in first.blocks},
        events={v: [x for p in parts for x in p.events[v]] for v in first.events},
        undated=[x for p in parts for x in p.undated], waiting=[x for p in parts for x in p.waiting],
        closed_out=[x for p in parts for x in p.closed_out],
    )
    return merged


@dataclass
class BuiltFeed:
    spec: FeedSpec
    todo: bool
    feed: RenderedFeed
    latest: datetime | None = None  # the latest LAST-MODIFIED of its tasks (aware UTC), when known

    @property
    def name(self) -> str:
        return self.spec.filename + (".todo.ics" if self.todo else ".ics")


def feed_specs(plans: dict[str, str], units: Iterable[str], *, everything: bool = True) -> list[FeedSpec]:
    """The feeds to write: everything, then plans by slug, then units by name."""
    specs: list[FeedSpec] = [FeedSpec("all", "", "")] if everything else []
    specs += [FeedSpec("plan", slug, plans.get(slug, slug)) for slug in sorted(plans)]
    specs += [FeedSpec("unit", name, name) for name in sorted(units)]
    return specs


def build(
    rs: RenderedSet,
    spec: FeedSpec,
    opts: FeedOptions,
    *,
    todo: bool = False,
    items_of: Callable[[FeedSpec], list[FeedItem]] | None = None,
) -> BuiltFeed:
    """Assemble one feed from the rendered set. A unit's feed over ``opts.max_bytes`` is
    rebuilt to fit (tracker.feeds.ical.fit_feed) from its items: those of the set, or, when the
    set came from worker processes, read again with ``items_of``."""
    blocks, events = rs.blocks[todo], rs.events[todo]
    idx = rs.indices(spec)
    if rs.has_empty(todo):  # a task can render to nothing (--hide-done and only done parts)
        idx = [i for i in idx if blocks[i]]
    lang = opts.lang
    name, desc = spec.calendar_name(lang), spec.calendar_description(lang)
    feed = assemble(name, desc, [blocks[i] for i in idx], sum(events[i] for i in idx), opts)
    if spec.scope == "unit" and feed.size > opts.max_bytes:
        if rs.items is not None:
            items = [rs.items[i] for i in idx]
        elif items_of is not None:
            items = items_of(spec)
        else:
            raise ValueError("fitting a feed needs its items")
        feed = fit_feed(name, desc, items, opts, todo=todo, limit=opts.max_bytes)
    return BuiltFeed(spec, todo, feed)


def latest_change(items: Iterable[FeedItem]) -> datetime | None:
    """The latest LAST-MODIFIED among ``items`` (aware UTC): a served feed's Last-Modified
    is never earlier."""
    moments = [m for it in items for m in (it.last_change, it.overdue_since, it.review_overdue_since) if m is not None]
    return max(m.replace(tzinfo=None) for m in moments).replace(tzinfo=UTC) if moments else None


def build_feed(engine: Engine, spec: FeedSpec, as_of: date, opts: FeedOptions, *, todo: bool = False) -> BuiltFeed:
    """One feed straight from the database (what the feed server does on a cache miss)."""
    snap = load_snapshot(engine, as_of, opts, scope=None if spec.scope == "all" else spec.scope, target=spec.target or None)
    if spec.scope == "plan":
        spec = FeedSpec("plan", spec.target, snap.plans.get(spec.target, spec.target))
    built = build(render_set(snap, opts, (todo,)), spec, opts, todo=todo)
    built.latest = latest_change(snap.items)
    return built


# ================================================================== export to files
@dataclass
class ExportedFile:
    name: str
    scope: str
    target: str
    title: str
    tasks: int
    events: int
    size: int
    changed: bool
    shortened: bool = False
    dropped: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.name, "scope": self.scope, "target": self.target, "title": self.title, "tasks": self.tasks,
            "events": self.events, "bytes": self.size, "changed": self.changed, "shortened": self.shortened,
            "dropped": self.dropped,
        }


@dataclass
class ExportReport:
    out_dir: Path
    as_of: date
    files: list[ExportedFile]
    undated: list[str]
    waiting: list[str]
    closed_out: list[str]
    index: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir), "as_of": self.as_of.isoformat(), "feeds": [f.to_json() for f in self.files],
            "undated": self.undated, "waiting": self.waiting, "left_out_closed": len(self.closed_out),
            "index": self.index,
        }

    @property
    def warnings(self) -> list[str]:
        out: list[str] = []
        for f in self.files:
            if f.dropped:
                out.append(f"{f.name}: 超过 1 MB，略去 {len(f.dropped)} 项 / over 1 MB, left out {len(f.dropped)} tasks")
            elif f.scope != "unit" and f.size > 1_000_000:
                out.append(f"{f.name}: 超过 1 MB，Google 日历不会加载 / over 1 MB, Google Calendar will not load it")
        return out


class _Writer:
    """Writes files on a thread: file I/O releases the GIL, so the disk works while the
    next feed is assembled. Errors are raised again by ``close``."""

    def __init__(self, folder: StagedFolder) -> None:
        self._folder = folder
        self._queue: queue.Queue[tuple[str, Sequence[bytes]] | None] = queue.Queue(maxsize=16)
        self.changed: dict[str, bool] = {}
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="feed-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            if self._error is None:
                try:
                    self.changed[job[0]] = self._folder.put(*job)
                except BaseException as exc:  # re-raised in close()
                    self._error = exc

    def put(self, name: str, parts: Sequence[bytes]) -> None:
        self._queue.put((name, parts))

    def close(self) -> dict[str, bool]:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self.changed


def _unit_rows(session: Any) -> list[tuple[int, str]]:
    """(unit id, label) of every unit, by label. A unit's feed is addressed by its label
    (tracker.store.unit_labels): the name, or ``name（region）`` for a later unit of a repeated
    name, so two regions' 省公安厅 have two feeds and the first keeps its address."""
    from tracker.store.unit_labels import unit_labels

    labels = unit_labels(session.execute(sa.select(unit_t.c.id, unit_t.c.name, unit_t.c.region)).all())
    return sorted(labels.items(), key=lambda kv: (kv[1], kv[0]))


def resolve_unit(engine: Engine, name: str) -> str:
    """A unit's label from its label, name or an alias (exact), else a unique part of it."""
    wanted = name.strip()
    with read_session(engine) as s:
        labels = dict(_unit_rows(s))
        rows = [(labels[uid], unit, aliases) for uid, unit, aliases in
                s.execute(sa.select(unit_t.c.id, unit_t.c.name, unit_t.c.aliases))]
    for label_, _unit, _aliases in rows:
        if wanted == label_:
            return label_
    exact = sorted({label_ for label_, unit, aliases in rows if wanted == unit or wanted in (aliases or "").split("\n")})
    if len(exact) == 1:
        return exact[0]
    if exact:
        raise UsageError(f"“{name}”可指多个单位：{'、'.join(exact)} / {name!r} matches several units")
    partial = sorted({label_ for label_, unit, aliases in rows if wanted and (wanted in label_ or wanted in (aliases or ""))})
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise UsageError(f"“{name}”可指多个单位：{'、'.join(partial)} / {name!r} matches several units")
    raise NotFoundError(f"没有名为“{name}”的单位 / no unit named {name!r}")


def resolve_plan(engine: Engine, slug: str) -> str:
    with read_session(engine) as s:
        found = s.execute(sa.select(plan_t.c.slug).where(plan_t.c.slug == slug.strip())).scalar_one_or_none()
    if found is None:
        raise NotFoundError(f"没有代号为“{slug}”的规划 / no plan {slug!r} (see: tracker plans)")
    return str(found)


PARALLEL_FROM_TASKS = 20_000  # below this, one process is quicker than starting a second


def export_ics(
    engine: Engine,
    out_dir: Path,
    *,
    as_of: date,
    opts: FeedOptions | None = None,
    owner: str | None = None,
    plan: str | None = None,
    todo: bool = False,
    workers: int | None = None,
) -> ExportReport:
    """Write the feeds to ``out_dir``: with no filter, every unit's, every plan's, the feed
    with everything and ``index.html``; ``owner`` / ``plan`` write just that unit's / plan's
    feed (both: both). ``todo`` adds a VTODO variant (``*.todo.ics``) of each.

    A large database (≥ 20,000 tasks) is read and rendered by two processes at once, each
    taking half of the tasks, when a second core is free (``workers`` overrides; 1 turns
    it off): on a 2-core machine that is what brings 100,000 tasks near the 2 s budget.
    The bytes are the same either way (a test compares them).
    """
    opts = opts or FeedOptions()
    units = [resolve_unit(engine, owner)] if owner else None
    plans = [resolve_plan(engine, plan)] if plan else None
    full = owner is None and plan is None
    variants = (False, True) if todo else (False,)
    out_dir.mkdir(parents=True, exist_ok=True)
    with gc_paused():
        items_of: Callable[[FeedSpec], list[FeedItem]] | None = None
        if units and not plans:
            rs = render_set(load_snapshot(engine, as_of, opts, scope="unit", target=units[0]), opts, variants)
        elif plans and not units:
            rs = render_set(load_snapshot(engine, as_of, opts, scope="plan", target=plans[0]), opts, variants)
        else:
            rs = _render_everything(engine, as_of, opts, variants, workers)

            def items_of(spec: FeedSpec) -> list[FeedItem]:
                return load_snapshot(engine, as_of, opts, scope=spec.scope, target=spec.target).items

        if full:
            specs = feed_specs(rs.plans, rs.units)
        else:
            specs = feed_specs({p: rs.plans.get(p, p) for p in plans or []}, units or [], everything=False)
        # The whole set (every feed and index.html) is staged beside the folder and swapped
        # in at once: killed or out of disk space half-way, the old set stays whole.
        # Feeds are not fsynced one by one (that would cost more than the export; they
        # can be exported again): a kill or a full disk is what the staging is for.
        folder = StagedFolder(out_dir) if full else None
        writer = _Writer(folder or StagedFolder.in_place(out_dir))
        files: list[ExportedFile] = []
        try:
            try:
                for spec in specs:
                    for variant in variants:
                        built = build(rs, spec, opts, todo=variant, items_of=items_of)
                        writer.put(built.name, built.feed.parts)
                        f = built.feed
                        files.append(ExportedFile(
                            built.name, spec.scope, spec.target, spec.calendar_name(opts.lang), f.tasks, f.events, f.size,
                            False, f.shortened, f.dropped,
                        ))
            finally:
                changed = writer.close()
            for ef in files:
                ef.changed = changed.get(ef.name, False)
            if folder is not None:
                folder.put("index.html", [render_index(files, as_of, opts.lang).encode()])
                folder.commit()
        finally:
            if folder is not None:
                folder.abort()
    return ExportReport(out_dir, as_of, files, rs.undated, rs.waiting, rs.closed_out, full)


def _render_everything(engine: Engine, as_of: date, opts: FeedOptions, variants: tuple[bool, ...], workers: int | None) -> RenderedSet:
    """All tasks rendered, by this process alone or with forked workers, each taking a run
    of consecutive plans (so their results follow each other in feed order)."""
    import multiprocessing

    counts = _plan_task_counts(engine)
    if workers is None:
        workers = min(2, _free_cores()) if sum(n for _, n in counts) >= PARALLEL_FROM_TASKS else 1
    shares = _plan_shares(counts, workers)
    # fork() copies only the calling thread: with other threads running (a TUI, a server)
    # a lock one of them holds would stay locked in the child for ever. Fork only alone.
    if len(shares) <= 1 or threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return render_set(load_snapshot(engine, as_of, opts), opts, variants)
    ctx = multiprocessing.get_context("fork")
    pipes, procs = [], []
    for share in shares[1:]:
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_worker, args=(send, engine, as_of, opts, variants, share), daemon=True)
        proc.start()
        send.close()
        pipes.append(receive)
        procs.append(proc)
    try:
        mine = render_set(load_snapshot(engine, as_of, opts, share=shares[0]), opts, variants)
        mine.items = None
        parts = [mine]
        for receive in pipes:
            result = receive.recv()
            if isinstance(result, BaseException):
                raise result
            parts.append(result)
    finally:
        for proc in procs:
            proc.join(timeout=60)
    return merge_sets(parts)


def _plan_task_counts(engine: Engine) -> list[tuple[int, int]]:
    """(plan id, tasks not withdrawn) in feed order (by slug); read from the listing index."""
    with read_session(engine) as s:
        counted = dict(s.execute(
            sa.select(task_t.c.plan_id, sa.func.count()).where(task_t.c.withdrawn.is_(False)).group_by(task_t.c.plan_id)
        ).all())
        slugs = s.execute(sa.select(plan_t.c.id).order_by(plan_t.c.slug)).scalars().all()
    return [(pid, counted.get(pid, 0)) for pid in slugs]


def _plan_shares(counts: list[tuple[int, int]], workers: int) -> list[frozenset[int]]:
    """The plans cut into at most ``workers`` runs of consecutive plans with about as many
    tasks each (a plan is never split: one huge plan stays in one share).

    >>> _plan_shares([(1, 10), (2, 10), (3, 10), (4, 10)], 2)
    [frozenset({1, 2}), frozenset({3, 4})]
    >>> _plan_shares([(1, 100), (2, 1)], 2), _plan_shares([(1, 5)], 2)
    ([frozenset({1}), frozenset({2})], [frozenset({1})])
    """
    total = sum(n for _, n in counts)
    shares: list[frozenset[int]] = []
    run: list[int] = []
    done = 0
    for pid, n in counts:
        run.append(pid)
        done += n
        if len(shares) < workers - 1 and done * workers >= total * (len(shares) + 1):
            shares.append(frozenset(run))
            run = []
    if run:
        shares.append(frozenset(run))
    return shares


def _free_cores() -> int:
    """Cores not busy right now: a second process only helps when a core is free. Linux
    says how many processes are running at this moment (/proc/loadavg, this one included);
    elsewhere the 1-minute load average stands in, which lags (a job that just ended still
    counts)."""
    cores = os.cpu_count() or 1
    try:
        running = int(Path("/proc/loadavg").read_text().split()[3].split("/")[0]) - 1
    except (OSError, ValueError, IndexError):
        try:
            running = int(os.getloadavg()[0] + 0.5)
        except OSError:  # not available on this platform
            running = 0
    return max(1, cores - running)


def _worker(send: Any, engine: Engine, as_of: date, opts: FeedOptions, variants: tuple[bool, ...], share: frozenset[int]) -> None:
    """A forked export worker: render one share of the tasks and send it back."""
    engine.dispose(close=False)  # the parent's pooled connections are not ours to use
    gc.disable()
    try:
        rs = render_set(load_snapshot(engine, as_of, opts, share=share), opts, variants)
        rs.items = None
        send.send(rs)
    except BaseException as exc:  # handed to the parent, which raises it
        try:
            send.send(exc)
        except Exception:  # an exception that cannot be pickled
            send.send(RuntimeError(f"export worker failed: {exc!r}"))
    finally:
        send.close()


def render_index(files: list[ExportedFile], as_of: date, lang: str) -> str:
    """index.html: every feed with its task count, so an office can hand each unit its file."""
    zh = lang != "en"
    kinds = {"all": "全部" if zh else "all", "plan": "规划" if zh else "plan", "unit": "责任单位" if zh else "unit"}
    head = ["类别", "日历", "任务数", "事件数", "文件", "大小"] if zh else ["kind", "calendar", "tasks", "events", "file", "size"]
    title = "任务期限日历订阅" if zh else "Task deadline calendars"
    rows = []
    for f in files:
        note = ""
        if f.dropped:
            note = f"（超过 1 MB，略去 {len(f.dropped)} 项）" if zh else f" (over 1 MB: {len(f.dropped)} left out)"
        elif f.size > 1_000_000:
            note = "（超过 1 MB）" if zh else " (over 1 MB)"
        rows.append(
            f"<tr><td>{html.escape(kinds[f.scope])}</td><td>{html.escape(f.title)}</td><td class=n>{f.tasks}</td>"
            f"<td class=n>{f.events}</td><td><a href=\"{html.escape(f.name)}\">{html.escape(f.name)}</a></td>"
            f"<td class=n>{f.size / 1024:,.1f} KB{html.escape(note)}</td></tr>"
        )
    intro = (
        f"截至 {as_of.isoformat()}。把 .ics 文件的网址添加为“订阅日历”（Google：通过网址添加；Outlook：从 Internet 订阅）。"
        "秘密订阅地址请用 <code>tracker feeds list</code> 查看。"
        if zh
        else f"As of {as_of.isoformat()}. Subscribe to a file's address (Google: From URL; Outlook: Subscribe from web). "
        "Secret addresses: <code>tracker feeds list</code>."
    )
    cells = "".join(f"<th>{h}</th>" for h in head)
    return (
        "<!DOCTYPE html>\n<html lang=\"" + ("zh-CN" if zh else "en") + "\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{title}</title>\n<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}"
        "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}td.n{text-align:right}</style>\n</head>\n<body>\n"
        f"<h1>{title}</h1>\n<p>{intro}</p>\n<table>\n<thead><tr>{cells}</tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n</body>\n</html>\n"
    )


# ================================================================== secret addresses
SECRET_BYTES = 32
_SECRET_SHAPE = re.compile(r"[0-9a-f]{64}")


def load_secret(data_dir: Path, *, create: bool = True) -> bytes | None:
    """The key tokens are derived from, created on first use (0600, never in the database).

    The key is written atomically (a temporary file, flushed, then linked into place, so
    two processes creating it at once agree on one key), and read back strictly: an empty
    or damaged file (a full disk or a kill used to leave an empty one, and every address was
    then HMAC(b"", …), which anyone knowing a unit's name could compute) is refused with
    one line and never used.
    """
    path = data_dir / SECRET_FILE
    try:
        return _parse_secret(path, path.read_bytes())
    except FileNotFoundError:
        if not create:
            return None
    except IsADirectoryError as exc:
        raise FileError(f"订阅密钥不是文件 / the feed key is not a file: {path}") from exc
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_bytes(SECRET_BYTES)
    try:
        write_atomic(path, (key.hex() + "\n").encode("ascii"), mode=0o600, replace=False)
    except FileExistsError:  # another process created it meanwhile: use theirs
        return _parse_secret(path, path.read_bytes())
    return key


def _parse_secret(path: Path, raw: bytes) -> bytes:
    r"""The 32 bytes of a key file (64 hex digits and a newline), else a FileError.

    >>> _parse_secret(Path("k"), b"00" * 32 + b"\n") == bytes(32)
    True
    >>> _parse_secret(Path("k"), b"")
    Traceback (most recent call last):
    tracker.errors.FileError: 订阅密钥文件为空或已损坏：k（应为 64 位十六进制数）。请从备份恢复；无备份时删除它，再用 tracker feeds rotate 轮换各地址 / the feed key file is empty or damaged: k (64 hex digits expected); restore it from a backup, or delete it and rotate every address
    """
    text = raw.strip().decode("ascii", "replace").lower()
    if not _SECRET_SHAPE.fullmatch(text):
        raise FileError(
            f"订阅密钥文件为空或已损坏：{path}（应为 64 位十六进制数）。请从备份恢复；无备份时删除它，再用 tracker feeds rotate 轮换各地址"
            f" / the feed key file is empty or damaged: {path} (64 hex digits expected); restore it from a backup, "
            "or delete it and rotate every address"
        )
    return bytes.fromhex(text)


def derive_token(secret: bytes, scope: str, target: str, generation: int) -> str:
    """43 URL-safe characters (256 bits): HMAC-SHA256 of the feed's identity and generation.
    Never from a key that is not a whole key (an empty one made every address public)."""
    if len(secret) != SECRET_BYTES:
        raise FileError(f"订阅密钥长度不对 / the feed key must be {SECRET_BYTES} bytes, not {len(secret)}")
    mac = hmac.new(secret, f"{scope}\x1f{target}\x1f{generation}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def is_token_shaped(text: str) -> bool:
    return bool(_TOKEN_SHAPE.fullmatch(text))


@dataclass
class FeedAddress:
    """A feed and its current secret token (None when this machine cannot re-derive it)."""

    scope: str
    target: str
    title: str
    token: str | None
    created_at: datetime | None
    created_now: bool = False

    @property
    def filename(self) -> str:
        return feed_filename(self.scope, self.target)

    def url(self, base: str, *, todo: bool = False) -> str | None:
        if self.token is None:
            return None
        return f"{base.rstrip('/')}{FEED_PATH}{self.token}{'.todo' if todo else ''}.ics"

    def to_json(self, base: str) -> dict[str, Any]:
        url = self.url(base)
        return {
            "scope": self.scope, "target": self.target, "title": self.title, "url": url,
            "webcal": webcal(url) if url else None, "todo_url": self.url(base, todo=True),
            "known_here": self.token is not None,
        }


def webcal(url: str) -> str:
    """The ``webcal://`` form that makes a click open the calendar app's subscribe dialog."""
    return re.sub(r"^https?://", "webcal://", url)


def _all_feeds(session: Any) -> list[tuple[str, str, str]]:
    plans = session.execute(sa.select(plan_t.c.slug, plan_t.c.title).order_by(plan_t.c.slug)).all()
    units = [label_ for _, label_ in _unit_rows(session)]
    return [("all", "", ""), *(("plan", s, t) for s, t in plans), *(("unit", n, n) for n in units)]


def ensure_addresses(engine: Engine, secret: bytes) -> list[FeedAddress]:
    """Every feed's address, creating the missing ones (a new unit gets its address here)."""
    from sqlalchemy.exc import IntegrityError

    for _attempt in range(3):
        try:
            with write_session(engine) as s:
                rows = s.execute(
                    sa.select(feed_token_t.c.scope, feed_token_t.c.target, feed_token_t.c.token_hash,
                              feed_token_t.c.created_at, feed_token_t.c.revoked_at).order_by(feed_token_t.c.id)
                ).all()
                history: dict[tuple[str, str], list[Any]] = defaultdict(list)
                for r in rows:
                    history[(r.scope, r.target)].append(r)
                out: list[FeedAddress] = []
                new_rows: list[dict[str, Any]] = []
                now = utcnow()
                for scope, target, title in _all_feeds(s):
                    rows_here = history.get((scope, target), [])
                    active = [(gen, r) for gen, r in enumerate(rows_here) if r.revoked_at is None]
                    if active:
                        gen, r = active[-1]
                        token = derive_token(secret, scope, target, gen)
                        known = hmac.compare_digest(token_hash(token), r.token_hash)
                        out.append(FeedAddress(scope, target, title, token if known else None, r.created_at))
                    else:
                        token = derive_token(secret, scope, target, len(rows_here))
                        new_rows.append({"scope": scope, "target": target, "token_hash": token_hash(token), "created_at": now})
                        out.append(FeedAddress(scope, target, title, token, now, created_now=True))
                if new_rows:
                    s.execute(sa.insert(feed_token_t), new_rows)
                return out
        except IntegrityError:  # another process created the same tokens first: read again
            continue
    raise UsageError("无法创建订阅地址，请重试 / could not create feed addresses, try again")


def rotate(engine: Engine, secret: bytes, scope: str, target: str) -> FeedAddress:
    """Revoke a feed's current address and create the next one. The old token keeps its row
    (revoked), so it can never be issued again and its requests answer 404."""
    if scope not in SCOPES:
        raise UsageError(f"scope 须为 {'/'.join(SCOPES)} / scope must be one of {SCOPES}")
    with write_session(engine) as s:
        title = target
        if scope == "plan":
            found = s.execute(sa.select(plan_t.c.title).where(plan_t.c.slug == target)).scalar_one_or_none()
            if found is None:
                raise NotFoundError(f"没有代号为“{target}”的规划 / no plan {target!r}")
            title = found
        elif scope == "unit":
            if target not in {label_ for _, label_ in _unit_rows(s)}:
                raise NotFoundError(f"没有名为“{target}”的单位 / no unit named {target!r}")
        now = utcnow()
        count = s.execute(
            sa.select(sa.func.count()).select_from(feed_token_t)
            .where(feed_token_t.c.scope == scope, feed_token_t.c.target == target)
        ).scalar_one()
        s.execute(
            sa.update(feed_token_t)
            .where(feed_token_t.c.scope == scope, feed_token_t.c.target == target, feed_token_t.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        token = derive_token(secret, scope, target, int(count))
        s.execute(sa.insert(feed_token_t).values(scope=scope, target=target, token_hash=token_hash(token), created_at=now))
    return FeedAddress(scope, target, title if scope != "all" else "", token, now, created_now=True)


def active_tokens(engine: Engine) -> dict[str, tuple[str, str]]:
    """token hash → (scope, target) for every address that is not revoked."""
    with read_session(engine) as s:
        rows = s.execute(
            sa.select(feed_token_t.c.token_hash, feed_token_t.c.scope, feed_token_t.c.target)
            .where(feed_token_t.c.revoked_at.is_(None))
        ).all()
    return {h: (scope, target) for h, scope, target in rows}


def fingerprint(engine: Engine) -> tuple[Any, ...]:
    """A cheap summary of everything a feed depends on, in one round trip: it changes
    whenever a task, its history, its owners, a plan, a unit or an address changes. The feed
    server rebuilds a feed only when this (or the date) changed. Nothing is ever deleted in
    plan-tracker except owner rows, whose count is part of it."""
    def one(q: Any) -> Any:
        return q.scalar_subquery()

    query = sa.select(
        one(sa.select(sa.func.count()).select_from(task_t)),
        one(sa.select(sa.func.max(task_t.c.updated_at))),
        one(sa.select(sa.func.max(history_t.c.id))),
        one(sa.select(sa.func.max(history_t.c.recorded_at))),
        one(sa.select(sa.func.count()).select_from(owner_t)),
        one(sa.select(sa.func.max(owner_t.c.id))),
        one(sa.select(sa.func.count()).select_from(plan_t)),
        one(sa.select(sa.func.max(plan_t.c.updated_at))),
        one(sa.select(sa.func.count()).select_from(unit_t)),
        one(sa.select(sa.func.max(unit_t.c.id))),
        one(sa.select(sa.func.count()).select_from(feed_token_t)),
        one(sa.select(sa.func.count(feed_token_t.c.revoked_at))),
    )
    with engine.connect() as conn:
        return tuple(conn.execute(query).one())


def last_change(fp: tuple[Any, ...]) -> datetime:
    """The latest change the fingerprint saw (tasks, history, plans), as aware UTC: a feed's
    HTTP Last-Modified is never earlier, so it never moves backwards when a task leaves it."""
    moments = [fp[1], fp[3], fp[7]]
    parsed = [_utc(m) for m in moments if m is not None]
    return max(parsed).replace(tzinfo=UTC) if parsed else EPOCH.replace(tzinfo=UTC)
