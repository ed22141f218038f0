"""Responsible units (责任单位): finding them by name within a region, and for pickers.

A unit is its name within its region (migration 0007): Yunnan's 省公安厅 is not Sichuan's.
A coordinator names a unit for a task, and the name is looked up among the units of the
task's region, normalised exactly as the importer normalises printed names
(:func:`tracker.extract.owners.clean_unit_name`: full/half-width brackets, blanks), then among
their aliases. An unknown name is refused with the closest names of that region (a typo
used to create a unit silently and demote the real lead), unless the coordinator asks for a
new unit. Searching accepts traditional characters (省知識產權局 finds 省知识产权局).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.errors import NotFoundError, UsageError
from tracker.store.db import read_session
from tracker.store.models import owner_t, plan_t, task_t, unit_t
from tracker.store.unit_labels import UNKNOWN_REGION, unit_labels
from tracker.textsafe import clean_line


@dataclass(frozen=True)
class UnitView:
    name: str
    aliases: tuple[str, ...]
    is_group: bool  # 各乡镇（街道）, 25个成员单位: a group of units, not one body
    tasks: int  # tasks it owns (lead or support)
    region: str = ""
    label: str = ""  # the name, with the region where another region has a unit of that name


def normalise_unit_name(name: str) -> str:
    """A unit name as the importer stores it (one normaliser for both).

    >>> normalise_unit_name(" 省市场监管局(省知识产权局) ")
    '省市场监管局（省知识产权局）'
    """
    from tracker.extract.owners import clean_unit_name

    # A typed name may carry control characters; stored, they would reach every terminal.
    return clean_unit_name(clean_line(name))


def task_region(session: Session, task_id: int) -> str:
    """The region of a task's plan: the region its units belong to."""
    region = session.execute(
        sa.select(plan_t.c.region).join(task_t, task_t.c.plan_id == plan_t.c.id).where(task_t.c.id == task_id)
    ).scalar_one_or_none()
    if region is None:
        raise NotFoundError(f"没有编号为 {task_id} 的任务 / no task with id {task_id}")
    return str(region)


def find_unit(session: Session, name: str, region: str) -> int | None:
    """The id of the unit called ``name`` (or with that alias) in ``region``, if any."""
    wanted = normalise_unit_name(name)
    found = session.execute(
        sa.select(unit_t.c.id).where(unit_t.c.region == region, unit_t.c.name == wanted)
    ).scalar_one_or_none()
    if found is not None:
        return int(found)
    # An alias names the same unit (省知识产权局 → 省市场监管局（省知识产权局）).
    for uid, aliases in session.execute(
        sa.select(unit_t.c.id, unit_t.c.aliases).where(unit_t.c.region == region, unit_t.c.aliases != "")
    ):
        if wanted in {normalise_unit_name(a) for a in aliases.split("\n") if a}:
            return int(uid)
    return None


def resolve_unit(session: Session, name: str, region: str, *, create: bool = False, is_group: bool = False) -> int:
    """The unit ``name`` of ``region``; a new one when ``create``; else NotFoundError with the
    closest names of the region."""
    wanted = normalise_unit_name(name)
    if not wanted:
        raise UsageError("单位名称不能为空 / unit name is empty")
    found = find_unit(session, wanted, region)
    if found is not None:
        return found
    if create:
        return int(session.execute(
            sa.insert(unit_t).values(name=wanted, region=region, aliases="", is_group=is_group).returning(unit_t.c.id)
        ).scalar_one())
    close = closest_units(session, wanted, region)
    where = region or UNKNOWN_REGION
    hint_zh = f"；是否指：{'、'.join(close)}" if close else ""
    hint_en = f"; did you mean: {', '.join(close)}" if close else ""
    raise NotFoundError(
        f"{where}没有名为“{wanted}”的单位{hint_zh}（新建单位请加 --new-unit）/ "
        f"no unit named {wanted!r} in {where}{hint_en} (--new-unit creates it)"
    )


def closest_units(session: Session, name: str, region: str, n: int = 5) -> list[str]:
    """The region's unit names nearest to ``name``: those containing it or contained in it,
    then the most similar (names and aliases; an alias suggests its unit)."""
    owner_of: dict[str, str] = {}
    for unit, aliases in session.execute(sa.select(unit_t.c.name, unit_t.c.aliases).where(unit_t.c.region == region)):
        owner_of.setdefault(unit, unit)
        for alias in (aliases or "").split("\n"):
            if alias:
                owner_of.setdefault(normalise_unit_name(alias), unit)
    near = difflib.get_close_matches(name, list(owner_of), n=n * 2, cutoff=0.5)
    inside = sorted((k for k in owner_of if len(k) > 1 and (name in k or k in name)), key=len)
    out: list[str] = []
    for candidate in [*inside, *near]:
        unit = owner_of[candidate]
        if unit not in out:
            out.append(unit)
    return out[:n]


def label_filter(label: str) -> Any:
    """A condition on ``unit_t`` selecting the unit shown as ``label`` (tracker.store.unit_labels):
    the first unit of a name by its name, a later one by ``name（region）``."""
    other = unit_t.alias("u_first")
    first_id = sa.select(sa.func.min(other.c.id)).where(other.c.name == unit_t.c.name).scalar_subquery()
    region = sa.func.coalesce(sa.func.nullif(unit_t.c.region, ""), UNKNOWN_REGION)
    return sa.or_(
        sa.and_(unit_t.c.name == label, unit_t.c.id == first_id),
        sa.and_(unit_t.c.name + "（" + region + "）" == label, unit_t.c.id != first_id),
    )


def list_units(
    engine: Engine, search: str | None = None, *, limit: int | None = None, region: str | None = None
) -> list[UnitView]:
    """Units whose name or an alias contains every word of ``search`` (all units without
    one), of ``region`` only when given, those owning the most tasks first, then by name."""
    owned = (
        sa.select(owner_t.c.unit_id, sa.func.count().label("n")).group_by(owner_t.c.unit_id).subquery("owned")
    )
    query = (
        sa.select(unit_t.c.id, unit_t.c.name, unit_t.c.aliases, unit_t.c.is_group, unit_t.c.region,
                  sa.func.coalesce(owned.c.n, 0))
        .outerjoin(owned, owned.c.unit_id == unit_t.c.id)
        .order_by(sa.func.coalesce(owned.c.n, 0).desc(), unit_t.c.name, unit_t.c.id)
    )
    if region is not None:
        query = query.where(unit_t.c.region == region)
    for word in _words(search):
        query = query.where(sa.or_(unit_t.c.name.contains(word, autoescape=True), unit_t.c.aliases.contains(word, autoescape=True)))
    if limit is not None:
        query = query.limit(limit)
    with read_session(engine) as s:
        rows = s.execute(query).all()
        labels = unit_labels(s.execute(sa.select(unit_t.c.id, unit_t.c.name, unit_t.c.region)).all())
    return [
        UnitView(name, tuple(a for a in (aliases or "").split("\n") if a), bool(grp), int(n), region or "", labels[uid])
        for uid, name, aliases, grp, region, n in rows
    ]


def _words(search: str | None) -> list[str]:
    if not search or not search.strip():
        return []
    from tracker.extract.repair import to_simplified

    return to_simplified(search.strip()).split()
