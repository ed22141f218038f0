"""tracker.services.tasklist (the TUI's listing, in SQL) agrees with the Python as-of rules of
tracker.asof.lateness on both databases: same rows, as-of status, due date, progress and light,
same filters and orders; plus paging, the overview counts, search, the units picker and
the timeline."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tracker.asof.lateness import StateQuery, TaskState, task_states
from tracker.services.tasklist import (
    LIGHT_ORDER,
    SORT_KEYS,
    BrowseQuery,
    first_rows,
    ordered_ids,
    overview,
    rows_by_id,
    search_words,
)
from tracker.services.tasks import resolve_task
from tracker.services.timeline import add_months, timeline
from tracker.store.changes import Change, add_note, set_due, set_status
from tracker.store.db import FTS_TABLE, has_fts
from tracker.store.importer import import_paths
from tracker.store.models import task_t
from tracker.store.units import list_units

DATES = [date(2020, 6, 1), date(2020, 12, 10), date(2021, 1, 1), date(2021, 7, 1), date(2022, 1, 5), date(2023, 5, 1), date(2025, 6, 1)]


def _edit(engine: Engine) -> None:
    """Back-dated changes, so the listing has History to replay."""
    on = Change.on_date
    set_status(engine, resolve_task(engine, "yunnan-2020-2021:2"), Change("a", on(date(2021, 3, 1))), status="done")
    set_status(engine, resolve_task(engine, "yunnan-2020-2021:17"), Change("a", on(date(2021, 11, 1))), status="done")
    set_status(engine, resolve_task(engine, "yunnan-2020-2021:19"), Change("a", on(date(2020, 11, 1))), status="done")
    set_status(engine, resolve_task(engine, "yunnan-2020-2021:8"), Change("a", on(date(2020, 7, 1))), status="cancelled")
    add_note(engine, resolve_task(engine, "yunnan-2020-2021:10"), Change("a", on(date(2020, 10, 15)), note="进展"))
    set_due(engine, resolve_task(engine, "yunnan-2020-2021:4"), date(2021, 9, 30), Change("a", on(date(2021, 5, 1)), note="延期"))
    set_status(engine, resolve_task(engine, "yunnan-2020-2021:6"), Change("a", on(date(2020, 9, 1))), progress=40)


def expected_ids(engine: Engine, q: BrowseQuery) -> list[int]:
    """The listing ``q`` asks for, worked out in Python from tracker.asof.lateness: the reference
    the SQL listing must equal. task_states comes in document order (plan slug, seq)."""
    states = task_states(engine, StateQuery(as_of=q.as_of, yellow_days=q.yellow_days, tz=q.tz))
    with engine.connect() as conn:
        texts = dict(conn.execute(sa.select(task_t.c.id, task_t.c.search_text)).all())
    words = search_words(q.search)

    def keep(t: TaskState) -> bool:
        return (
            (not q.plan or t.plan == q.plan)
            and (not q.section or t.section == q.section or t.section.startswith(q.section + " / "))
            and (not q.unit or q.unit in [o.name for o in t.owners])
            and (not q.status or t.status == q.status)
            and (not q.light or t.light == q.light)
            and all(t.number == w or t.key == w or w.lower() in texts[t.id].lower() for w in words)
        )

    document = {t.id: k for k, t in enumerate(states)}

    def lead(t: TaskState) -> tuple[bool, str]:
        names = [o.name for o in t.owners if o.role == "lead"]
        return (not names, min(names) if names else "")

    keys = {
        "number": lambda t: (document[t.id],),
        "title": lambda t: (t.title,),
        "owners": lead,
        "due": lambda t: (t.due is None, t.due or date.min),
        "status": lambda t: (t.status,),
        "progress": lambda t: (t.progress,),
        "light": lambda t: (LIGHT_ORDER[t.light], t.due is None, t.due or date.min),
    }
    key = keys[q.sort]
    chosen = sorted((t for t in states if keep(t)), key=lambda t: (*key(t), t.id), reverse=q.descending)
    return [t.id for t in chosen]


@pytest.mark.parametrize("as_of", DATES)
def test_rows_equal_the_python_rules_at_every_date(seeded: Engine, as_of: date) -> None:
    _edit(seeded)
    q = BrowseQuery(as_of=as_of)
    states = {s.id: s for s in task_states(seeded, StateQuery(as_of=as_of))}
    rows = rows_by_id(seeded, q, ordered_ids(seeded, q))
    assert [r.id for r in rows] == expected_ids(seeded, q)
    for r in rows:
        s = states[r.id]
        assert (r.status, r.due, r.light, r.progress) == (s.status, s.due, s.light, s.progress), r.ref
        assert r.days == (None if s.due is None else (s.due - as_of).days)
        lead_first = [o.name + ("?" if o.provenance == "inferred" else "") for o in s.owners]
        assert r.owners == "、".join(lead_first)
    assert len({r.light for r in rows}) >= 2


@pytest.mark.parametrize("sort", SORT_KEYS)
@pytest.mark.parametrize("descending", [False, True])
def test_filters_and_orders_equal_the_python_rules(seeded: Engine, sort: str, descending: bool) -> None:
    _edit(seeded)
    queries = [
        BrowseQuery(as_of=date(2021, 1, 1), sort=sort, descending=descending),
        BrowseQuery(as_of=date(2021, 1, 1), plan="yunnan-2020-2021", light="red", sort=sort, descending=descending),
        BrowseQuery(as_of=date(2021, 7, 1), status="todo", search="知识产权", sort=sort, descending=descending),
        BrowseQuery(as_of=date(2021, 1, 1), unit="省公安厅", sort=sort, descending=descending),
        BrowseQuery(as_of=date(2021, 1, 1), section="四、优化知识产权快保护关键环节", sort=sort, descending=descending),
        BrowseQuery(as_of=date(2021, 1, 1), search="知識產權質押", sort=sort, descending=descending),  # traditional
    ]
    for q in queries:
        expected = expected_ids(seeded, q)
        assert expected or q.light, q  # every query but the light filter finds tasks
        assert ordered_ids(seeded, q) == expected, q
        assert [r.id for r in first_rows(seeded, q, 7)] == expected[:7], q


def test_paging_search_by_number_and_sections(seeded: Engine) -> None:
    q = BrowseQuery(as_of=date(2021, 1, 1), plan="yunnan-2020-2021")
    ids = ordered_ids(seeded, q)
    assert len(ids) == 94 and [r.number for r in rows_by_id(seeded, q, ids[:10])] == [str(n) for n in range(1, 11)]
    assert rows_by_id(seeded, q, ids[10:11])[0].number == "11"
    assert ids.index(resolve_task(seeded, "yunnan-2020-2021:50")) == 49
    found = rows_by_id(seeded, q, ordered_ids(seeded, BrowseQuery(as_of=date(2021, 1, 1), search="昆仑")))
    assert [r.ref for r in found] == ["yunnan-2020-2021:33"]
    by_number = ordered_ids(seeded, BrowseQuery(as_of=date(2021, 1, 1), plan="yunnan-2020-2021", search="33"))
    assert by_number[0] == resolve_task(seeded, "yunnan-2020-2021:33")
    unit = ordered_ids(seeded, BrowseQuery(as_of=date(2021, 1, 1), unit="县法院"))
    assert [r.ref for r in rows_by_id(seeded, q, unit)] == ["yunyang-2022-2025:5"]
    section = BrowseQuery(as_of=date(2021, 1, 1), plan="yunnan-2020-2021", section="四、优化知识产权快保护关键环节")
    assert len(ordered_ids(seeded, section)) == 8


def test_sort_by_progress_as_of_the_date(seeded: Engine) -> None:
    _edit(seeded)
    for descending in (False, True):
        q = BrowseQuery(as_of=date(2021, 7, 1), sort="progress", descending=descending)
        progress = [r.progress for r in rows_by_id(seeded, q, ordered_ids(seeded, q))]
        assert progress == sorted(progress, reverse=descending) and len(set(progress)) > 1


def test_sort_by_owner_puts_unowned_last(seeded: Engine) -> None:
    q = BrowseQuery(as_of=date(2021, 1, 1), plan="yunnan-2020-2021", sort="owners")
    rows = rows_by_id(seeded, q, ordered_ids(seeded, q))
    leads = [r.owners.split("、")[0].rstrip("?") for r in rows if r.owners]
    assert leads == sorted(leads) and all(r.owners for r in rows[: len(leads)])


def test_rows_by_id_keeps_the_given_order_and_ignores_filters(seeded: Engine) -> None:
    q = BrowseQuery(as_of=date(2021, 1, 1), status="done")  # no task is done
    ids = [resolve_task(seeded, "yunnan-2020-2021:3"), resolve_task(seeded, "yunnan-2020-2021:1")]
    assert [r.ref for r in rows_by_id(seeded, q, ids)] == ["yunnan-2020-2021:3", "yunnan-2020-2021:1"]
    assert ordered_ids(seeded, q) == []


def test_overview_counts_equal_the_python_rules(seeded: Engine) -> None:
    _edit(seeded)
    q = BrowseQuery(as_of=date(2021, 1, 1))
    states = task_states(seeded, StateQuery(as_of=q.as_of))
    o = overview(seeded, q)
    by_section: dict[tuple[str, str], list[int]] = {}
    for t in states:
        counts = by_section.setdefault((t.plan, t.section), [0, 0])
        counts[0] += 1
        counts[1] += t.light == "red"
    assert {(s.plan, s.section): [s.tasks, s.red] for s in o.sections} == by_section
    by_unit: dict[str, list[int]] = {}
    for t in states:
        for name in {o.name for o in t.owners}:
            counts = by_unit.setdefault(name, [0, 0])
            counts[0] += 1
            counts[1] += t.light == "red"
    assert {u.name: [u.tasks, u.red] for u in o.units if u.tasks} == by_unit
    assert o.tasks == len(states) == 247
    assert o.lights == {k: sum(t.light == k for t in states) for k in ("red", "yellow", "green", "grey")}
    assert o.inferred == sum(any(x.provenance == "inferred" for x in t.owners) for t in states) > 0


def test_search_words_are_simplified() -> None:
    assert search_words(" 知識產權  質押 ") == ["知识产权", "质押"]
    assert search_words("  ") == [] and search_words(None) == []


def test_search_through_the_trigram_index_finds_what_like_finds(seeded: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """On SQLite the importer fills the FTS5 trigram index (migration 0006); searches through
    it give the same tasks as matching every task with LIKE."""
    if seeded.dialect.name != "sqlite":
        pytest.skip("the trigram index is a SQLite feature")
    import tracker.services.tasklist as tl

    with seeded.connect() as conn:
        assert has_fts(conn)
    queries = ["知识产权质押 昆明", "昆仑", "专利侵权", "省公安厅", "12", "质押融资", '"引号"']
    with_fts = [ordered_ids(seeded, BrowseQuery(as_of=date(2021, 1, 1), search=w)) for w in queries]
    monkeypatch.setattr(tl, "has_fts", lambda conn: False)  # LIKE, as on a database without the index
    like = [ordered_ids(seeded, BrowseQuery(as_of=date(2021, 1, 1), search=w)) for w in queries]
    assert with_fts == like
    assert with_fts[1] == [resolve_task(seeded, "yunnan-2020-2021:33")]
    assert sum(map(len, with_fts)) > 10


def _fts_sound(engine: Engine) -> None:
    """FTS5's own check of an external-content index against the task table: raises when a
    task is missing from the index or indexed with other text."""
    with engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")


def test_the_trigram_index_follows_imports_updates_and_deletes(seeded: Engine, tmp_path: Path) -> None:
    if seeded.dialect.name != "sqlite":
        pytest.skip("the trigram index is a SQLite feature")
    _fts_sound(seeded)
    q = BrowseQuery(as_of=date(2021, 1, 1), search="独角兽孵化")
    tid = resolve_task(seeded, "yunnan-2020-2021:40")
    assert ordered_ids(seeded, q) == []
    with seeded.begin() as conn:  # the update trigger
        conn.exec_driver_sql("UPDATE task SET search_text = search_text || ' 独角兽孵化' WHERE id = ?", (tid,))
    assert ordered_ids(seeded, q) == [tid]
    _fts_sound(seeded)
    doc = tmp_path / "plan.txt"  # an import adds its tasks to the index
    doc.write_text("某县独角兽孵化工作方案\n一、主要任务\n（一）建设独角兽孵化基地。（责任单位：县科技局）\n"
                   "（二）完善知识产权质押融资。（责任单位：县财政局）\n", encoding="utf-8")
    import_paths(seeded, [doc])
    found = ordered_ids(seeded, q)
    assert len(found) == 2 and tid in found
    _fts_sound(seeded)
    # Re-imported with an item added and one reworded: the new one is indexed, the
    # reworded one found by its new words only.
    doc.write_text("某县独角兽孵化工作方案\n一、主要任务\n（一）建设独角兽孵化基地。（责任单位：县科技局）\n"
                   "（二）完善知识产权质押融资和保险。（责任单位：县财政局）\n（三）培育瞪羚企业梯队。（责任单位：县工信局）\n",
                   encoding="utf-8")
    import_paths(seeded, [doc])
    _fts_sound(seeded)
    assert len(ordered_ids(seeded, BrowseQuery(as_of=date(2021, 1, 1), search="瞪羚企业"))) == 1
    assert len(ordered_ids(seeded, BrowseQuery(as_of=date(2021, 1, 1), search="质押融资和保险"))) == 1
    new = next(i for i in found if i != tid)
    with seeded.begin() as conn:  # the delete trigger
        conn.exec_driver_sql("DELETE FROM taskowner WHERE task_id = ?", (new,))
        conn.exec_driver_sql("DELETE FROM history WHERE task_id = ?", (new,))
        conn.exec_driver_sql("DELETE FROM task WHERE id = ?", (new,))
    assert ordered_ids(seeded, q) == [tid]
    _fts_sound(seeded)


def test_units_by_name_or_alias_most_used_first(seeded: Engine) -> None:
    units = list_units(seeded)
    assert [u.tasks for u in units] == sorted((u.tasks for u in units), reverse=True)
    found = list_units(seeded, "公安厅")
    assert found[0].name == "省公安厅" and "公安厅" in found[0].aliases
    assert [u.name for u in list_units(seeded, "省公安廳")] == ["省公安厅"]  # traditional
    assert any(u.is_group for u in units)
    assert list_units(seeded, "没有这个单位") == []


def test_timeline_months_phases_and_marks(seeded: Engine) -> None:
    t = timeline(seeded, date(2021, 1, 1))
    assert t.first <= date(2020, 1, 1) and t.months()[0] == t.first and t.months()[-1] == t.last
    yunyang = next(p for p in t.plans if p.slug == "yunyang-2022-2025")
    assert [p.number for p in yunyang.phases] == ["（十七）", "（十八）", "（十九）"]
    yunnan = next(p for p in t.plans if p.slug == "yunnan-2020-2021")
    december = yunnan.months[date(2020, 12, 1)]
    assert december.tasks > 0 and december.worst == "red"
    assert sum(m.tasks for p in t.plans for m in p.months.values()) == sum(
        1 for s in task_states(seeded, StateQuery(as_of=date(2021, 1, 1))) if s.due)
    assert add_months(date(2021, 11, 30), 3) == date(2022, 2, 1)


def test_an_interrupted_listing_raises_cancelled(seeded: Engine) -> None:
    from tracker.services.tasklist import Cancelled, Interrupt

    q = BrowseQuery(as_of=date(2021, 1, 1))
    stop = Interrupt()
    assert len(ordered_ids(seeded, q, interrupt=stop)) == 247  # not cancelled: runs as usual
    stop.cancel()
    with pytest.raises(Cancelled):
        ordered_ids(seeded, q, interrupt=stop)
    with pytest.raises(Cancelled):
        first_rows(seeded, q, 10, interrupt=stop)
    assert len(ordered_ids(seeded, q)) == 247  # the pooled connection still works
