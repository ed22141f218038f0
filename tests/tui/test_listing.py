"""Finding tasks: incremental search, filters, sorting, jumping, the sidebar, the as-of
date, and paging through a listing far larger than the widget holds."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from tests.tui.helpers import notifications, screen_text, settle
from tests.tui.test_actions import goto, run, table
from tui.app import TrackerApp
from tui.widgets.sidebar import Sidebar
from tui.widgets.task_table import KEEP, TaskTable


def test_search_as_you_type_narrows_the_table(make: Any) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await pilot.press("slash")
        await pilot.press("昆")
        await settle(pilot)
        some = table(app).total
        await pilot.press("仑")
        await settle(pilot)
        t = table(app)
        assert [t.rows[i].ref for i in range(t.total)] == ["yunnan-2020-2021:33"] and some > 1
        assert "共 1 项" in screen_text(app)
        await pilot.press("escape")  # clears the search, back to the table
        await settle(pilot)
        assert table(app).total == 247 and app.focused is table(app)

    run(make(), scenario)


def test_search_finds_numbers_and_traditional_text(make: Any) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await pilot.press("slash", *"知識產權質押", "enter")
        await settle(pilot)
        assert table(app).total > 0 and app.focused is table(app)

    run(make(), scenario)


def test_filter_dialog_by_plan_status_and_light(make: Any) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await pilot.press("f")
        await settle(pilot)
        # plan: open the list, choose yunnan-2020-2021 (third), then the light: red
        await pilot.press("enter", "down", "down", "down", "enter")
        await pilot.press("tab", "tab", "tab", "tab")  # section, unit, status → light
        await pilot.press("enter", "down", "enter", "ctrl+s")
        await settle(pilot)
        t = table(app)
        rows = [t.rows[i] for i in range(t.total)]
        assert rows and all(r.plan == "yunnan-2020-2021" and r.light == "red" for r in rows)
        assert "规划=yunnan-2020-2021" in screen_text(app) and "灯=红" in screen_text(app)
        await pilot.press("F")  # clear every filter
        await settle(pilot)
        assert table(app).total == 247

    run(make(), scenario)


def test_sidebar_filters_by_plan_section_and_unit(make: Any) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        sidebar = app.screen.query_one(Sidebar)
        sidebar.post_message(Sidebar.PlanChosen(sidebar, "yunnan-2020-2021", "四、优化知识产权快保护关键环节"))
        await settle(pilot)
        t = table(app)
        assert t.total > 0 and all(t.rows[i].section.startswith("四、") for i in range(t.total))
        sidebar.post_message(Sidebar.PlanChosen(sidebar, None, None))
        sidebar.post_message(Sidebar.UnitChosen(sidebar, "县法院"))
        await settle(pilot)
        t = table(app)
        assert [t.rows[i].ref for i in range(t.total)] == ["yunyang-2022-2025:5"]

    run(make(), scenario, size=(160, 45))


def test_sidebar_tree_has_plans_sections_and_counts(make: Any) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        text = screen_text(app)
        assert "yunnan-2020-2021 94 !75" in text and "省市场监管局" in text
        await pilot.click("#plan-tree", offset=(4, 3))  # the third plan: yunnan-2020-2021
        await settle(pilot)
        assert table(app).total == 94

    run(make(), scenario, size=(160, 45))


def test_sort_by_due_by_key_and_by_clicking_a_header(make: Any) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("down", "down", "down", "enter")  # number, title, owners, due
        await settle(pilot)
        t = table(app)
        dues = [t.rows[i].due for i in range(min(t.total, 100)) if t.rows[i].due]
        assert app.screen.query_ is not None and t.query_.sort == "due" and dues == sorted(dues)
        await pilot.press("O")  # reverse
        await settle(pilot)
        assert table(app).query_.descending
        # Click the title header: sorted by title, ascending.
        await pilot.click(TaskTable, offset=(14, 0))
        await settle(pilot)
        t = table(app)
        titles = [t.rows[i].title for i in range(20)]
        assert t.query_.sort == "title" and not t.query_.descending and titles == sorted(titles)

    run(make(), scenario)


def test_jump_to_a_task_by_plan_and_number(make: Any) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await goto(pilot, "yunyang-2022-2025:17")
        assert table(app).current_row.ref == "yunyang-2022-2025:17"
        await goto(pilot, "yunyang-2022-2025:（十七）")  # as printed
        assert table(app).current_row.ref == "yunyang-2022-2025:17"
        # A task outside the current filter: the filter goes, the task shows.
        await pilot.press("slash", *"昆仑", "enter")
        await settle(pilot)
        await goto(pilot, "yunnan-2020-2021:4")
        assert table(app).current_row.ref == "yunnan-2020-2021:4" and table(app).total == 247
        await goto(pilot, "no-such-plan:1")
        assert any("no-such-plan" in m for m in notifications(app))  # the error, as a notification

    run(make(), scenario)


def test_change_the_as_of_date(make: Any) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        assert "逾期 75" in screen_text(app)
        await pilot.press("A")
        await settle(pilot)
        await pilot.press(*"2020-06-01", "enter")
        await settle(pilot)
        assert app.as_of == date(2020, 6, 1)
        text = screen_text(app)
        assert "截至 2020-06-01" in text and "逾期 75" not in text
        await pilot.press("A", *"2020-02-30", "enter")  # no such day: refused
        await settle(pilot)
        assert "无效的日期" in screen_text(app) and app.as_of == date(2020, 6, 1)

    run(make(), scenario)


def test_paging_through_a_large_listing(tmp_path: Path, tui_settings: Any) -> None:
    """3,000 tasks: the widget never holds more than KEEP rows, and the last row is reachable."""
    from bench.tui import build_database
    from tracker.store.db import make_engine
    from tui.app import make_app

    build_database(tmp_path / "big.db", 3000, plans=3)
    engine = make_engine(f"sqlite:///{tmp_path / 'big.db'}")

    async def scenario(pilot: Any, app: TrackerApp) -> None:
        t = table(app)
        assert t.total == 3000
        await pilot.press("end")
        await settle(pilot)
        assert t.cursor == 2999 and t.current_row is not None and t.current_row.ref == "bench-03:1000"
        for _ in range(40):
            await pilot.press("pageup")
        await settle(pilot)
        assert t.current_row is not None and len(t.rows) <= KEEP + 200
        await pilot.press("home")
        await settle(pilot)
        assert t.current_row is not None and t.current_row.ref == "bench-01:1"

    run(make_app(engine, tui_settings, as_of=date(2021, 1, 1), actor="tester"), scenario)
    engine.dispose()
