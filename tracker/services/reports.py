"""Overdue summaries and the scorecard: data (JSON contract), table and CSV forms.

The office notice (Markdown / Word with a chart) is built from the same :class:`Summary`
in :mod:`tracker.output.notice`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.asof.lateness import Counts, Group, Summary, TaskState
from tracker.labels import label


def _item_json(t: TaskState, role: str) -> dict[str, Any]:
    return {
        "task": t.ref,
        "plan": t.plan,
        "number": t.number,
        "title": t.title,
        "due": t.due.isoformat() if t.due else None,
        "days_late": t.days_late,
        "status": t.status,
        "progress": t.progress,
        "last_update": t.last_update.isoformat() if t.last_update else None,
        "role": role,
    }


def summary_json(s: Summary) -> dict[str, Any]:
    """The `tracker overdue --format json` contract (README)."""
    return {
        "as_of": s.as_of.isoformat(),
        "by": s.by,
        "totals": {**s.totals.to_json(), "tasks": s.tasks, "overdue": s.overdue, "review_overdue": s.review_overdue},
        "groups": [
            {
                "name": g.name,
                "region": g.region,
                "is_group": g.is_group,
                "counts": g.counts.to_json(),
                "lead": g.lead.to_json(),
                "support": g.support.to_json(),
                "overdue": [_item_json(t, role) for t, role in g.overdue],
                "review_overdue": [_item_json(t, role) for t, role in g.review_overdue],
            }
            for g in s.groups
        ],
    }


def status_label(code: str, lang: str) -> str:
    return label(f"status.{code}", lang)


def overdue_rows(s: Summary, lang: str) -> tuple[list[str], list[list[Any]]]:
    """One row per (group, late task): the flat form for CSV."""
    zh = lang != "en"
    headers = (
        ["分组", "是否集合", "角色", "类型", "任务", "序号", "标题", "期限", "逾期天数", "状态", "进度", "最近更新"]
        if zh else
        ["group", "is_group", "role", "kind", "task", "number", "title", "due", "days_late", "status", "progress", "last_update"]
    )
    rows: list[list[Any]] = []
    for g in s.groups:
        for kind, items in (("overdue", g.overdue), ("review_overdue", g.review_overdue)):
            for t, role in items:
                rows.append([
                    g.name, "是" if g.is_group and zh else ("yes" if g.is_group else ""),
                    label(f"role.{role}", lang), _kind_label(kind, lang), t.ref, t.number, t.title,
                    t.due.isoformat() if t.due else "", t.days_late, status_label(t.status, lang), f"{t.progress}%",
                    t.last_update.isoformat() if t.last_update else "",
                ])
    return headers, rows


def _kind_label(kind: str, lang: str) -> str:
    if lang == "en":
        return "overdue" if kind == "overdue" else "review overdue"
    return "逾期" if kind == "overdue" else "督办逾期"


def counts_text(c: Counts, lang: str) -> str:
    if lang == "en":
        return f"red {c.red} · yellow {c.yellow} · green {c.green} · grey {c.grey}"
    return f"红 {c.red} · 黄 {c.yellow} · 绿 {c.green} · 灰 {c.grey}"


def group_title(g: Group, lang: str) -> str:
    suffix = ("（集合单位）" if lang != "en" else " (group)") if g.is_group else ""
    return f"{g.name}{suffix}"


@dataclass(frozen=True)
class ScoreRow:
    unit: str  # the unit's label: its name, with its region where the name repeats
    is_group: bool
    owned: int
    on_time: int
    late: int
    overdue: int
    open: int
    region: str = ""

    @property
    def on_time_rate(self) -> float | None:
        judged = self.on_time + self.late + self.overdue
        return round(self.on_time / judged, 3) if judged else None

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit, "region": self.region, "is_group": self.is_group, "owned": self.owned, "on_time": self.on_time,
            "late": self.late, "overdue": self.overdue, "open": self.open, "on_time_rate": self.on_time_rate,
        }


SCORE_SORTS = ("rate", "overdue", "owned", "late", "unit")


def scorecard(states: list[TaskState], *, sort: str = "rate") -> list[ScoreRow]:
    """Per unit: tasks owned, completed on time / late (by the effective completion date
    against the due date), overdue now, and the on-time rate over the tasks that can be
    judged (completed, or overdue)."""
    if sort not in SCORE_SORTS:
        from tracker.errors import UsageError

        raise UsageError(f"--sort 须为 {'、'.join(SCORE_SORTS)} / --sort must be one of {', '.join(SCORE_SORTS)}")
    acc: dict[str, list[int]] = {}
    groups: dict[str, tuple[bool, str]] = {}
    for t in states:
        for o in t.owners:
            a = acc.setdefault(o.name, [0, 0, 0, 0, 0])
            groups[o.name] = (o.is_group, o.region)
            a[0] += 1
            if t.status == "done" and t.due is not None and t.done_on is not None:
                if t.done_on <= t.due:
                    a[1] += 1
                else:
                    a[2] += 1
            elif t.lateness == "overdue":
                a[3] += 1
            elif t.status not in ("done", "cancelled"):
                a[4] += 1
    rows = [ScoreRow(u, groups[u][0], v[0], v[1], v[2], v[3], v[4], region=groups[u][1]) for u, v in acc.items()]
    keys = {
        "rate": lambda r: (-(r.on_time_rate if r.on_time_rate is not None else -1), -r.owned, r.unit),
        "overdue": lambda r: (-r.overdue, r.unit),
        "owned": lambda r: (-r.owned, r.unit),
        "late": lambda r: (-r.late, r.unit),
        "unit": lambda r: (r.unit,),
    }
    return sorted(rows, key=keys[sort])


def as_of_title(as_of: date, lang: str) -> str:
    return f"截至 {as_of.isoformat()}" if lang != "en" else f"as of {as_of.isoformat()}"
