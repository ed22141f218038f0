"""tracker.tasklist (the TUI's fast listing) gives what tracker.browse gives, on both
databases: same rows, same order, same as-of status, due date and light; plus the units
picker and the timeline services."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.functional.test_browse import DATES, _edit
from tracker.browse import BrowseQuery, page, sidebar
from tracker.changes import Change, set_status
from tracker.db import FTS_TABLE, has_fts
from tracker.importer import import_paths
from tracker.lateness import StateQuery, task_states
from tracker.services import resolve_task
from tracker.tasklist import SORT_KEYS, first_rows, ordered_ids, overview, rows_by_id, search_words
from tracker.timeline import add_months, timeline
from tracker.units import list_units


def _rows(engine: Engine, q: BrowseQuery) -> list[tuple[object, ...]]:
    ids = ordered_ids(engine, q)
    return [(r.id, r.status, r.due, r.light, r.progress, r.owners, r.days) for r in rows_by_id(engine, q, ids)]


@pytest.mark.parametrize("as_of", DATES)
def test_same_rows_as_browse_at_every_date(seeded: Engine, as_of: date) -> None:
    _edit(seeded)
    set_status(seeded, resolve_task(seeded, "yunnan-2020-2021:6"), Change("a", Change.on_date(date(2020, 9, 1))), progress=40)
    q = BrowseQuery(as_of=as_of)
    _, expected = page(seeded, q, 0, 10_000)
    states = {s.id: s.progress for s in task_states(seeded, StateQuery(as_of=as_of))}
    got = _rows(seeded, q)
    assert [g[:4] for g in got] == [(r.id, r.status, r.due, r.light) for r in expected]
    assert {g[0]: g[4] for g in got} == states  # progress replayed as of the date, as lateness does
    assert [g[5] for g in got] == [r.owners for r in expected]


# progress: browse sorts by today's progress, tasklist by the progress as of the date (below)
@pytest.mark.parametrize("sort", [k for k in SORT_KEYS if k not in ("owners", "progress")])
@pytest.mark.parametrize("descending", [False, True])
def test_same_order_and_filters_as_browse(seeded: Engine, sort: str, descending: bool) -> None:
    _edit(seeded)
    for q in (
        BrowseQuery(as_of=date(2021, 1, 1), sort=sort, descending=descending),
        BrowseQuery(as_of=date(2021, 1, 1), plan="yunnan-2020-2021", light="red", sort=sort, descending=descending),
        BrowseQuery(as_of=date(2021, 7, 1), status="todo", search="知识产权", sort=sort, descending=descending),
        BrowseQuery(as_of=date(2021, 1, 1), unit="省公安厅", sort=sort, descending=descending),
        BrowseQuery(as_of=date(2021, 1, 1), section="四、优化知识产权快保护关键环节", sort=sort, descending=descending),
    ):
        _, expected = page(seeded, q, 0, 10_000)
        assert ordered_ids(seeded, q) == [r.id for r in expected], q
        assert [r.id for r in first_rows(seeded, q, 7)] == [r.id for r in expected[:7]]


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


def test_overview_counts_match_browse_sidebar(seeded: Engine) -> None:
    _edit(seeded)
    q = BrowseQuery(as_of=date(2021, 1, 1))
    sections, units = sidebar(seeded, q)
    o = overview(seeded, q)
    assert [(s.plan, s.section, s.tasks, s.red) for s in o.sections] == [(s.plan, s.section, s.tasks, s.red) for s in sections]
    assert [(u.name, u.tasks, u.red) for u in o.units] == [(u.name, u.tasks, u.red) for u in units]
    assert o.tasks == 247 and o.lights["red"] == sum(s.red for s in sections)
    assert o.inferred > 0


def test_search_words_are_simplified() -> None:
    assert search_words(" 知識產權  質押 ") == ["知识产权", "质押"]
    assert search_words("  ") == [] and search_words(None) == []


def test_search_through_the_trigram_index_finds_what_like_finds(seeded: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """On SQLite the importer fills the FTS5 trigram index (migration 0006); searches through
    it give the same tasks as matching every task with LIKE."""
    if seeded.dialect.name != "sqlite":
        pytest.skip("the trigram index is a SQLite feature")
    import tracker.tasklist as tl

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
        1 for r in page(seeded, BrowseQuery(as_of=date(2021, 1, 1)), 0, 10_000)[1] if r.due)
    assert add_months(date(2021, 11, 30), 3) == date(2022, 2, 1)


def test_an_interrupted_listing_raises_cancelled(seeded: Engine) -> None:
    from tracker.tasklist import Cancelled, Interrupt

    q = BrowseQuery(as_of=date(2021, 1, 1))
    stop = Interrupt()
    assert len(ordered_ids(seeded, q, interrupt=stop)) == 247  # not cancelled: runs as usual
    stop.cancel()
    with pytest.raises(Cancelled):
        ordered_ids(seeded, q, interrupt=stop)
    with pytest.raises(Cancelled):
        first_rows(seeded, q, 10, interrupt=stop)
    assert len(ordered_ids(seeded, q)) == 247  # the pooled connection still works
