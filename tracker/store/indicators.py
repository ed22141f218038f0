"""Quantified targets (指标) and their readings: storing, listing, recording progress.

A plan is judged by its numbers (每万人口高价值发明专利拥有量 2.94 → 5.67件) as much as by its
tasks. The document gives each indicator's baseline and target; coordinators record readings
(the value reached on a date, from the statistics bureau or the IP office) and the tracker
shows how far along the way from baseline to target each one is.

Re-importing a document refreshes what the document says about an indicator and never
touches its readings, which belong to the coordinators. Functions take an engine or session
explicitly and print nothing, like :mod:`tracker.services.tasks`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.errors import NotFoundError, UsageError
from tracker.extract.indicators import ExtractedIndicator, extract_indicators, make_key
from tracker.store.db import read_session, write_session
from tracker.store.models import Comparator, indicator_t, plan_t, reading_t, utcnow

# The JSON contract of `tracker indicators --format json` (README: JSON contracts).
CONTRACT_KEYS = (
    "id", "plan", "name", "unit", "baseline", "baseline_year", "target", "target_year",
    "comparator", "kind", "latest", "latest_on",
)


def _number(value: float | None) -> float | int | None:
    """A stored float as JSON shows it: 120 rather than 120.0, 5.67 as is."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


@dataclass(frozen=True)
class IndicatorView:
    """An indicator with its latest reading, as listings and the JSON contract show it."""

    id: int
    plan: str
    source_file: str
    key: str
    name: str
    unit: str
    baseline: float | None
    baseline_year: int | None
    target: float | None
    target_year: int | None
    comparator: str
    kind: str | None
    latest: float | None
    latest_on: date | None
    line_start: int
    line_end: int
    source_text: str

    @property
    def ref(self) -> str:
        return str(self.id)

    @property
    def goal(self) -> float | None:
        """The value that meets the target, in the indicator's unit.

        提高50% is relative to the baseline, so its goal is baseline × 1.5 and unknown
        without a baseline; 新增 targets are amounts, their goal is the target itself.
        """
        if self.target is None:
            return None
        if self.comparator == Comparator.INCREASE_PCT:
            return None if self.baseline is None else self.baseline * (1 + self.target / 100)
        return self.target

    @property
    def progress_pct(self) -> float | None:
        """Percent of the way from baseline to goal at the latest reading (may pass 100 or go
        below 0); None when it cannot be computed.

        For 新增 (add) targets a reading is the amount added so far, so progress is
        latest / target. Otherwise a baseline is needed: without one the distance to go is
        unknown, and a guess (from zero) would mislead for rates such as 满意度 80分.
        """
        if self.latest is None or self.target is None:
            return None
        if self.comparator == Comparator.ADD:
            return None if self.target == 0 else round(self.latest / self.target * 100, 1)
        goal = self.goal
        if goal is None or self.baseline is None or math.isclose(goal, self.baseline):
            return None
        return round((self.latest - self.baseline) / (goal - self.baseline) * 100, 1)

    def to_json(self) -> dict[str, Any]:
        """The `tracker indicators --format json` contract: exactly :data:`CONTRACT_KEYS`."""
        return {
            "id": self.id,
            "plan": self.plan,
            "name": self.name,
            "unit": self.unit,
            "baseline": _number(self.baseline),
            "baseline_year": self.baseline_year,
            "target": _number(self.target),
            "target_year": self.target_year,
            "comparator": self.comparator,
            "kind": self.kind,
            "latest": _number(self.latest),
            "latest_on": self.latest_on.isoformat() if self.latest_on else None,
        }


# ----------------------------------------------------------------------------- storing
_DOC_FIELDS = (
    "seq", "name", "unit", "baseline", "baseline_year", "target", "target_year", "comparator", "kind",
    "source_text", "line_start", "line_end",
)


def _row(plan_id: int, seq: int, item: ExtractedIndicator) -> dict[str, Any]:
    return {
        "plan_id": plan_id, "key": item.key, "seq": seq, "name": item.name, "unit": item.unit[:16],
        "baseline": item.baseline, "baseline_year": item.baseline_year, "target": item.target,
        "target_year": item.target_year, "comparator": item.comparator, "kind": item.kind,
        "source_text": item.source_text, "line_start": item.line_start, "line_end": item.line_end,
    }


def store_indicators(session: Session, plan_id: int, items: list[ExtractedIndicator]) -> int:
    """Insert or refresh a plan's indicators by (plan, key); return how many the document has.

    Idempotent: a second import of the same document changes nothing. Readings are never
    touched, and an indicator gone from the document is kept with its readings.
    """
    existing = {
        row["key"]: dict(row)
        for row in session.execute(sa.select(indicator_t).where(indicator_t.c.plan_id == plan_id)).mappings()
    }
    new_rows: list[dict[str, Any]] = []
    for seq, item in enumerate(items):
        fresh = _row(plan_id, seq, item)
        old = existing.get(item.key)
        if old is None:
            new_rows.append(fresh)
            continue
        change = {f: fresh[f] for f in _DOC_FIELDS if old[f] != fresh[f]}
        if change:
            session.execute(sa.update(indicator_t).where(indicator_t.c.id == old["id"]).values(**change))
    if new_rows:
        session.execute(sa.insert(indicator_t), new_rows)
    return len(items)


class PlanSpan(Protocol):
    """What the indicator import needs of an extracted plan: its slug and line span."""

    slug: str
    line_start: int
    line_end: int


def store_document_indicators(
    session: Session, plans: Sequence[PlanSpan], text: str, *, items: list[ExtractedIndicator] | None = None
) -> dict[str, int]:
    """Extract a document's indicators once and store each under the plan whose line span
    holds it (an appendix is a plan of its own, with targets of its own); return the count
    per plan slug. Called by the importer inside the file's write transaction; ``items``
    are the indicators when already extracted (by an import worker process)."""
    if not plans:
        return {}
    if items is None:
        items = extract_indicators(text)
    ids = dict(session.execute(sa.select(plan_t.c.slug, plan_t.c.id).where(plan_t.c.slug.in_([p.slug for p in plans]))).all())
    by_plan: dict[str, list[ExtractedIndicator]] = {p.slug: [] for p in plans}
    for item in items:
        by_plan[_plan_of(plans, item.line_start).slug].append(item)
    return {slug: store_indicators(session, ids[slug], found) for slug, found in by_plan.items() if slug in ids}


def _plan_of(plans: Sequence[PlanSpan], line: int) -> PlanSpan:
    """The plan whose span contains ``line``; else the last one starting before it."""
    for plan in plans:
        if plan.line_start <= line <= plan.line_end:
            return plan
    before = [p for p in plans if p.line_start <= line]
    return before[-1] if before else plans[0]


# ----------------------------------------------------------------------------- reading
def list_indicators(engine: Engine, plan: str | None = None) -> list[IndicatorView]:
    """Indicators in plan and document order, each with its latest reading."""
    query = (
        sa.select(indicator_t, plan_t.c.slug, plan_t.c.source_file)
        .join(plan_t, plan_t.c.id == indicator_t.c.plan_id)
        .order_by(plan_t.c.slug, indicator_t.c.seq, indicator_t.c.id)
    )
    with read_session(engine) as s:
        if plan is not None:
            if s.execute(sa.select(plan_t.c.id).where(plan_t.c.slug == plan)).scalar_one_or_none() is None:
                raise NotFoundError(f"没有代号为“{plan}”的规划 / no plan {plan!r} (see: tracker plans)")
            query = query.where(plan_t.c.slug == plan)
        rows = s.execute(query).mappings().all()
        latest = _latest_readings(s, [r["id"] for r in rows])
    return [_view(r, latest.get(r["id"])) for r in rows]


def _latest_readings(session: Session, ids: list[int]) -> dict[int, tuple[float, date]]:
    """The reading with the latest date per indicator (the last recorded wins a tie)."""
    if not ids:
        return {}
    found: dict[int, tuple[float, date]] = {}
    query = (
        sa.select(reading_t.c.indicator_id, reading_t.c.value, reading_t.c.on)
        .where(reading_t.c.indicator_id.in_(ids))
        .order_by(reading_t.c.indicator_id, reading_t.c.on, reading_t.c.recorded_at, reading_t.c.id)
    )
    for indicator_id, value, on in session.execute(query).all():
        found[indicator_id] = (value, on)
    return found


def _view(row: Any, latest: tuple[float, date] | None) -> IndicatorView:
    return IndicatorView(
        id=row["id"], plan=row["slug"], source_file=row["source_file"], key=row["key"], name=row["name"],
        unit=row["unit"], baseline=row["baseline"], baseline_year=row["baseline_year"], target=row["target"],
        target_year=row["target_year"], comparator=row["comparator"], kind=row["kind"],
        latest=latest[0] if latest else None, latest_on=latest[1] if latest else None,
        line_start=row["line_start"], line_end=row["line_end"], source_text=row["source_text"],
    )


def get_indicator(engine: Engine, ref: str) -> IndicatorView:
    indicator_id = resolve_indicator(engine, ref)
    with read_session(engine) as s:
        row = s.execute(
            sa.select(indicator_t, plan_t.c.slug, plan_t.c.source_file)
            .join(plan_t, plan_t.c.id == indicator_t.c.plan_id)
            .where(indicator_t.c.id == indicator_id)
        ).mappings().one()
        latest = _latest_readings(s, [indicator_id]).get(indicator_id)
    return _view(row, latest)


def resolve_indicator(engine: Engine, ref: str) -> int:
    """The id of the indicator named by ``ref``: a numeric id, or ``SLUG:NAME`` where NAME is
    any part of the name, in simplified or traditional characters, that picks one indicator
    (``sichuan-2021-2025:质押融资``)."""
    ref = ref.strip()
    with read_session(engine) as s:
        if ref.isdigit():
            found = s.execute(sa.select(indicator_t.c.id).where(indicator_t.c.id == int(ref))).scalar_one_or_none()
            if found is None:
                raise NotFoundError(f"没有编号为 {ref} 的指标 / no indicator with id {ref} (see: tracker indicators)")
            return int(found)
        if ":" not in ref:
            raise UsageError(
                f"指标引用应为“规划代号:指标名称的一部分”或数字编号 / indicator reference must be SLUG:NAME or an id, got {ref!r}"
            )
        slug, part = (p.strip() for p in ref.split(":", 1))
        plan_id = s.execute(sa.select(plan_t.c.id).where(plan_t.c.slug == slug)).scalar_one_or_none()
        if plan_id is None:
            raise NotFoundError(f"没有代号为“{slug}”的规划 / no plan {slug!r} (see: tracker plans)")
        wanted = make_key(part)
        if not wanted:
            raise UsageError(f"请给出指标名称的一部分 / give part of the indicator's name: {ref!r}")
        rows = s.execute(
            sa.select(indicator_t.c.id, indicator_t.c.key, indicator_t.c.name)
            .where(indicator_t.c.plan_id == plan_id).order_by(indicator_t.c.seq)
        ).all()
    matches = [r for r in rows if wanted in r.key]
    exact = [r for r in matches if r.key == wanted]
    if len(exact) == 1:
        return int(exact[0].id)
    if not matches:
        raise NotFoundError(f"规划“{slug}”中没有名称含“{part}”的指标 / no indicator named like {part!r} in plan {slug!r}")
    if len(matches) > 1:
        names = "、".join(f"{r.name}（{r.id}）" for r in matches[:5])
        raise UsageError(f"“{part}”对应多个指标：{names} / {part!r} matches {len(matches)} indicators; use a longer name or the id")
    return int(matches[0].id)


def today_in(tz: str | None = None) -> date:
    """Today where the office is (TRACKER_TZ, default Asia/Shanghai), not where the server is."""
    from tracker.settings import timezone_name

    return datetime.now(ZoneInfo(tz or timezone_name(os.environ.get("TRACKER_TZ")))).date()


def record_reading(
    engine: Engine,
    ref: str,
    value: float,
    on: date,
    note: str | None,
    actor: str,
    *,
    today: date | None = None,
) -> IndicatorView:
    """Record that indicator ``ref`` stood at ``value`` on ``on``; return it updated.

    Readings are appended, never overwritten (two readings on one date: the later recorded
    wins as "latest"). A value must be a finite number and a date cannot be in the future:
    readings are observed values, not forecasts.
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise UsageError(f"指标值必须是有限数字 / the value must be a finite number, got {value!r}")
    limit = today or today_in()
    if on > limit:
        raise UsageError(f"读数日期 {on} 晚于今天 {limit} / reading date {on} is in the future (today is {limit})")
    from tracker.textsafe import clean_line, clean_text

    actor = clean_line(actor)  # printed later: no control characters, no forged lines
    note = clean_text(note) if note else note
    if not actor:
        raise UsageError("需要记录人 / an actor is required (--actor or TRACKER_ACTOR)")
    indicator_id = resolve_indicator(engine, ref)
    with write_session(engine) as s:
        s.execute(sa.insert(reading_t).values(
            indicator_id=indicator_id, value=float(value), on=on, note=(note or None), actor=actor.strip(),
            recorded_at=utcnow(),
        ))
    return get_indicator(engine, str(indicator_id))


def parse_value(text: str) -> float:
    """A reading typed by a person: ``5.1``, ``１２０``, ``85%`` or ``600,000``; else a clear error.

    >>> parse_value("5.1"), parse_value("85%"), parse_value("600,000")
    (5.1, 85.0, 600000.0)
    """
    from tracker.extract.numerals import fold_width

    cleaned = fold_width(text).strip().rstrip("%").replace(",", "").strip()
    try:
        value = float(cleaned)
    except ValueError:
        value = math.nan
    if not cleaned or not math.isfinite(value) or cleaned.lower() in ("nan", "inf", "-inf", "+inf", "infinity"):
        raise UsageError(f"无效的指标值“{text}”，请给出数字 / invalid value {text!r}: give a finite number")
    return value
