"""How a responsible unit is named to people and feeds when names repeat across regions.

Units belong to a jurisdiction (migration 0007): Yunnan's 省公安厅 and Sichuan's 省公安厅 are
two units with one name. Reports, feeds and the unit lists keep them apart by id and show
each by a *label* that is unique: the name itself for the first unit (lowest id) of a
name, ``name（region）`` for every later one. The first unit of a name never changes label,
so a unit's calendar-feed address (derived from its label) survives a second province's
plan being imported; the label of a later unit names its region.

Pure Python (no SQLAlchemy): `tracker overdue` reads through ``sqlite3`` alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

UNKNOWN_REGION = "未知地区"


def unit_labels(rows: Iterable[Sequence[Any]]) -> dict[int, str]:
    """Unit id → label, from ``(id, name, region)`` rows.

    >>> unit_labels([(7, "省公安厅", "四川省"), (3, "省公安厅", "云南省"), (5, "省司法厅", "云南省"), (9, "省公安厅", "")])
    {3: '省公安厅', 5: '省司法厅', 7: '省公安厅（四川省）', 9: '省公安厅（未知地区）'}
    """
    seen: set[str] = set()
    out: dict[int, str] = {}
    for uid, name, region in sorted((tuple(r) for r in rows), key=lambda r: r[0]):
        if name in seen:
            out[uid] = f"{name}（{region or UNKNOWN_REGION}）"
        else:
            seen.add(name)
            out[uid] = name
    return out
