"""Responsible units (责任单位) for pickers: search by name or alias, most used first.

Used by the TUI's unit picker; the CLI names units directly. Searching accepts traditional
characters (省知識產權局 finds 省知识产权局).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tracker.db import read_session
from tracker.models import owner_t, unit_t


@dataclass(frozen=True)
class UnitView:
    name: str
    aliases: tuple[str, ...]
    is_group: bool  # 各乡镇（街道）, 25个成员单位: a group of units, not one body
    tasks: int  # tasks it owns (lead or support)


def list_units(engine: Engine, search: str | None = None, *, limit: int | None = None) -> list[UnitView]:
    """Units whose name or an alias contains every word of ``search`` (all units without
    one), those owning the most tasks first, then by name."""
    owned = (
        sa.select(owner_t.c.unit_id, sa.func.count().label("n")).group_by(owner_t.c.unit_id).subquery("owned")
    )
    query = (
        sa.select(unit_t.c.name, unit_t.c.aliases, unit_t.c.is_group, sa.func.coalesce(owned.c.n, 0))
        .outerjoin(owned, owned.c.unit_id == unit_t.c.id)
        .order_by(sa.func.coalesce(owned.c.n, 0).desc(), unit_t.c.name)
    )
    for word in _words(search):
        query = query.where(sa.or_(unit_t.c.name.contains(word, autoescape=True), unit_t.c.aliases.contains(word, autoescape=True)))
    if limit is not None:
        query = query.limit(limit)
    with read_session(engine) as s:
        return [
            UnitView(name, tuple(a for a in (aliases or "").split("\n") if a), bool(grp), int(n))
            for name, aliases, grp, n in s.execute(query)
        ]


def _words(search: str | None) -> list[str]:
    if not search or not search.strip():
        return []
    from tracker.extract.repair import to_simplified

    return to_simplified(search.strip()).split()
