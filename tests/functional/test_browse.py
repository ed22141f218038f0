"""Browsing in SQL agrees with the as-of rules of tracker.lateness, on both databases."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine

from tracker.browse import BrowseQuery, count, page, position_of, sidebar
from tracker.changes import Change, add_note, set_due, set_status
from tracker.lateness import StateQuery, task_states
from tracker.services import resolve_task

DATES = [date(2020, 6, 1), date(2020, 12, 10), date(2021, 1, 1), date(2021, 7, 1), date(2022, 1, 5), date(2023, 5, 1), date(2025, 6, 1)]


def _edit(engine: Engine) -> None:
    on = Change.on_date
    set_status(engine, resolve_task(engine, "yunnan-2020-2021:2"), Change("a", on(date(2021, 3, 1))), status="done")
    set_status(engine, resolve_task(engine, "yunnan-2020-2021:17"), Change("a", on(date(2021, 11, 1))), status="done")
    set_status(engine, resolve_task(engine, "yunnan-2020-2021:19"), Change("a", on(date(2020, 11, 1))), status="done")
    set_status(engine, resolve_task(engine, "yunnan-2020-2021:8"), Change("a", on(date(2020, 7, 1))), status="cancelled")
    add_note(engine, resolve_task(engine, "yunnan-2020-2021:10"), Change("a", on(date(2020, 10, 15)), note="进展"))
    set_due(engine, resolve_task(engine, "yunnan-2020-2021:4"), date(2021, 9, 30), Change("a", on(date(2021, 5, 1)), note="延期"))


@pytest.mark.parametrize("as_of", DATES)
def test_sql_light_equals_the_python_rules(seeded: Engine, as_of: date) -> None:
    _edit(seeded)
    expected = {s.id: (s.light, s.status, s.due) for s in task_states(seeded, StateQuery(as_of=as_of))}
    total, rows = page(seeded, BrowseQuery(as_of=as_of), 0, 10_000)
    assert total == len(expected)
    got = {r.id: (r.light, r.status, r.due) for r in rows}
    assert got == expected


def test_filters_search_sort_and_paging(seeded: Engine) -> None:
    q = BrowseQuery(as_of=date(2021, 1, 1), plan="yunnan-2020-2021")
    total, first = page(seeded, q, 0, 10)
    assert total == 94 and [r.number for r in first] == [str(n) for n in range(1, 11)]
    _, second = page(seeded, q, 10, 10)
    assert second[0].number == "11"
    red = count(seeded, BrowseQuery(as_of=date(2021, 1, 1), plan="yunnan-2020-2021", light="red"))
    python_red = sum(s.light == "red" for s in task_states(seeded, StateQuery(as_of=date(2021, 1, 1), plan="yunnan-2020-2021")))
    assert red == python_red > 0
    found = page(seeded, BrowseQuery(as_of=date(2021, 1, 1), search="昆仑"), 0, 50)[1]
    assert [r.ref for r in found] == ["yunnan-2020-2021:33"]
    assert next(r.ref for r in page(seeded, BrowseQuery(as_of=date(2021, 1, 1), plan="yunnan-2020-2021", search="33"), 0, 5)[1]) == "yunnan-2020-2021:33"
    trad = page(seeded, BrowseQuery(as_of=date(2021, 1, 1), search="知識產權質押"), 0, 50)[1]  # traditional query
    simp = page(seeded, BrowseQuery(as_of=date(2021, 1, 1), search="知识产权质押"), 0, 50)[1]
    assert [r.id for r in trad] == [r.id for r in simp] and simp
    by_due = page(seeded, BrowseQuery(as_of=date(2021, 1, 1), plan="yunnan-2020-2021", sort="due"), 0, 94)[1]
    dues = [r.due for r in by_due if r.due]
    assert dues == sorted(dues)
    desc = page(seeded, BrowseQuery(as_of=date(2021, 1, 1), plan="yunnan-2020-2021", sort="title", descending=True), 0, 94)[1]
    assert [r.title for r in desc] == sorted((r.title for r in desc), reverse=True)
    unit = page(seeded, BrowseQuery(as_of=date(2021, 1, 1), unit="县法院"), 0, 10)[1]
    assert [r.ref for r in unit] == ["yunyang-2022-2025:5"]
    sec = count(seeded, BrowseQuery(as_of=date(2021, 1, 1), plan="yunnan-2020-2021", section="四、优化知识产权快保护关键环节"))
    assert sec == 8


def test_sidebar_counts_and_jump(seeded: Engine) -> None:
    q = BrowseQuery(as_of=date(2021, 1, 1))
    sections, units = sidebar(seeded, q)
    yunnan = [s for s in sections if s.plan == "yunnan-2020-2021"]
    assert sum(s.tasks for s in yunnan) == 94 and len(yunnan) == 8
    assert sum(s.red for s in yunnan) == count(seeded, BrowseQuery(as_of=date(2021, 1, 1), plan="yunnan-2020-2021", light="red"))
    assert units[0].red >= units[-1].red
    tid = resolve_task(seeded, "yunnan-2020-2021:50")
    pos = position_of(seeded, BrowseQuery(as_of=date(2021, 1, 1), plan="yunnan-2020-2021"), tid)
    assert pos == 49
