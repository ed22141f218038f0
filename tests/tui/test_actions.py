"""Every coordinator action, driven with the keyboard through the real app (Pilot).

Each test checks the three places a change must show up: the table row, the detail pane
and the database (with its History row).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from tests.tui.helpers import screen_text, settle
from tracker.services.tasks import get_task, resolve_task
from tracker.store.changes import Change, set_status
from tui.app import TrackerApp
from tui.screens.main import MainScreen
from tui.screens.modals import ConflictModal, DueModal
from tui.widgets.detail import DetailPane
from tui.widgets.task_table import TaskTable

Scenario = Callable[[Any, TrackerApp], Awaitable[None]]
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # edits take effect now: review as of today


def run(app: Any, scenario: Scenario, size: tuple[int, int] = (120, 40)) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(pilot, app)

    asyncio.run(main())


async def goto(pilot: Any, ref: str) -> None:
    """Jump to a task with `g` and its reference, as a person would."""
    await pilot.press("g")
    await settle(pilot)
    await pilot.press(*ref, "enter")
    await settle(pilot)


def table(app: TrackerApp) -> TaskTable:
    return app.screen.query_one(TaskTable)


def detail_plain(app: TrackerApp) -> str:
    """The detail pane's text as plain characters."""
    pane = app.screen.query_one(DetailPane)
    assert pane.detail is not None
    group = pane.render_detail(pane.detail, pane.row, app.as_of)
    lines = []
    for r in group.renderables:
        if hasattr(r, "plain"):
            lines.append(r.plain)
        else:  # the source lines: a grid of (line number, text)
            cells = [list(c.cells) for c in r.columns]
            lines += [" ".join(str(getattr(x, "plain", x)) for x in row) for row in zip(*cells)]
    return "\n".join(lines)


def test_main_screen_shows_tasks_and_the_detail_of_the_first(make: Any) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        t = table(app)
        assert t.total == 247 and t.current_row is not None
        assert t.current_row.ref == "qinghai-2021-2035:1"
        text = screen_text(app)
        assert "截至 2021-01-01" in text and "tracker.db" in text and "逾期 75" in text
        assert "構建結構嚴密" in text  # a title in the table
        detail = detail_plain(app)
        assert "qinghai-2021-2035:1" in detail and "第 9-9 行" in detail and "暂无修改记录" in detail

    run(make(), scenario)


def test_change_status_shows_in_row_detail_database_and_history(make: Any, tui_db: Engine) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await goto(pilot, "yunnan-2020-2021:2")
        assert table(app).current_row.ref == "yunnan-2020-2021:2"
        await pilot.press("s")  # the status dialog
        await settle(pilot)
        assert "修改状态" in screen_text(app)
        await pilot.press("3")  # 已完成 (done)
        await pilot.press(*"已发布", "enter")  # a note, then save
        await settle(pilot)
        row = table(app).current_row
        assert row.status == "done" and row.progress == 100
        assert "已完成" in screen_text(app)
        detail = detail_plain(app)
        assert "状态: 已完成" in detail and "tester" in detail and "已发布" in detail

    run(make(as_of=TODAY), scenario)
    d = get_task(tui_db, "yunnan-2020-2021:2")
    assert d.task.status == "done" and d.task.progress == 100
    assert [(h.field, h.new_value, h.actor, h.note) for h in d.history] == [  # newest first
        ("progress", "100", "tester", "已发布"), ("status", "done", "tester", "已发布")]


def test_status_with_an_effective_date_counts_from_that_date(make: Any, tui_db: Engine) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await goto(pilot, "yunnan-2020-2021:4")
        await pilot.press("s", "2", "tab")  # 推进中; tab to the date field
        await pilot.press(*"2020-12-01", "enter")
        await settle(pilot)
        assert table(app).current_row.status == "doing"  # as of 2021-01-01, it was in progress

    run(make(), scenario)
    h = get_task(tui_db, "yunnan-2020-2021:4").history[0]
    assert (h.field, h.new_value, h.effective_at.date()) == ("status", "doing", date(2020, 12, 1))


def test_set_progress(make: Any, tui_db: Engine) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await goto(pilot, "yunnan-2020-2021:4")
        await pilot.press("p", *"40", "enter")  # the current value is selected: typing replaces it
        await settle(pilot)
        assert table(app).current_row.progress == 40
        assert "进度: 40%" in detail_plain(app)

    run(make(as_of=TODAY), scenario)
    assert get_task(tui_db, "yunnan-2020-2021:4").task.progress == 40


def test_invalid_date_is_refused_with_a_message_and_nothing_is_written(make: Any, tui_db: Engine) -> None:
    before = get_task(tui_db, "yunnan-2020-2021:4")

    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await goto(pilot, "yunnan-2020-2021:4")
        await pilot.press("d")
        await settle(pilot)
        await pilot.press(*"2021-13-45", "tab", *"延期", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DueModal)  # still open
        assert "无效的日期" in screen_text(app) and "2021-13-45" in screen_text(app)
        # A valid date without a reason is refused too.
        await pilot.press("shift+tab", *"2021-09-30", "tab", "backspace", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DueModal) and "须说明理由" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)

    run(make(as_of=TODAY), scenario)
    after = get_task(tui_db, "yunnan-2020-2021:4")
    assert after.task.version == before.task.version and after.history == before.history


def test_override_due_date_with_reason(make: Any, tui_db: Engine) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await goto(pilot, "yunnan-2020-2021:4")
        await pilot.press("d", *"2021-09-30", "tab", *"经联席会议同意延期", "enter")
        await settle(pilot)
        row = table(app).current_row
        assert row.due == date(2021, 9, 30)
        assert "协调员设定" in detail_plain(app)

    run(make(as_of=TODAY), scenario)
    d = get_task(tui_db, "yunnan-2020-2021:4")
    assert d.task.due == date(2021, 9, 30) and d.history[0].note == "经联席会议同意延期"


def test_record_a_condition_trigger(make: Any, tui_db: Engine) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await goto(pilot, "yunnan-2020-2021:1")
        await pilot.press("t")
        await settle(pilot)
        assert "上位法出台后" in screen_text(app)
        await pilot.press(*"2020-11-01", "tab", *"30", "enter")
        await settle(pilot)
        assert table(app).current_row.due == date(2020, 12, 1)

    run(make(as_of=TODAY), scenario)
    d = get_task(tui_db, "yunnan-2020-2021:1")
    assert d.task.due == date(2020, 12, 1) and {h.field for h in d.history} >= {"triggered_on", "due"}


def test_add_a_note(make: Any, tui_db: Engine) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await goto(pilot, "yunnan-2020-2021:33")
        await pilot.press("n", *"已电话督办", "enter")
        await settle(pilot)
        assert "已电话督办" in detail_plain(app)

    run(make(as_of=TODAY), scenario)
    assert get_task(tui_db, "yunnan-2020-2021:33").history[0].new_value == "已电话督办"


def test_assign_a_new_unit_remove_it_and_confirm_inferred_owners(make: Any, tui_db: Engine) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await goto(pilot, "yunnan-2020-2021:2")
        # Assign: search, no such unit, create it as the lead.
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"省知识产权研究会")
        await settle(pilot)
        assert "新建单位" in screen_text(app)
        await pilot.press("enter")  # the only choice: create it
        await settle(pilot)
        assert table(app).current_row.owners.startswith("省知识产权研究会")
        assert "省知识产权研究会" in detail_plain(app)
        # Remove it again, with a reason.
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("enter", *"非本单位职责", "enter")
        await settle(pilot)
        assert "省知识产权研究会" not in table(app).current_row.owners
        # Confirm all inferred owners: the "?" marks go.
        assert "?" in table(app).current_row.owners
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "?" not in table(app).current_row.owners
        assert "推断待确认" not in detail_plain(app)

    run(make(as_of=TODAY), scenario)
    d = get_task(tui_db, "yunnan-2020-2021:2")
    assert all(o.provenance != "inferred" for o in d.task.owners)
    assert [h.field for h in d.history].count("owner") >= 3


def test_an_existing_unit_is_found_by_alias_and_assigned_as_support(make: Any, tui_db: Engine) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await goto(pilot, "yunnan-2020-2021:33")
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"公安厅")  # an alias of 省公安厅
        await settle(pilot)
        assert "省公安厅" in screen_text(app)
        await pilot.press("tab", "tab", "enter", "down", "enter")  # the role list: support
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "省公安厅" in table(app).current_row.owners

    run(make(as_of=TODAY), scenario)
    owners = {o.name: (o.role, o.provenance) for o in get_task(tui_db, "yunnan-2020-2021:33").task.owners}
    assert owners["省公安厅"] == ("support", "assigned")


def test_the_unit_picker_offers_only_units_of_the_tasks_region(make: Any, tui_db: Engine) -> None:
    """A Yunyang county task: Yunnan's 省公安厅 is not one of its units, so the only choice
    is to create one (as `tracker assign --new-unit` would), never to pick Yunnan's."""
    from textual.widgets import OptionList

    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await goto(pilot, "yunyang-2022-2025:5")
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"省公安厅")
        await settle(pilot)
        assert app.screen.query_one("#units", OptionList).option_count == 1
        assert "新建单位" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"县市场监管局")  # the county's own unit is offered
        await settle(pilot)
        assert "新建单位" not in screen_text(app)
        await pilot.press("escape")

    run(make(as_of=TODAY), scenario)


def test_conflict_is_shown_and_can_be_reapplied(make: Any, tui_db: Engine) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await goto(pilot, "yunnan-2020-2021:2")
        # Another coordinator changes the task after this one looked at it.
        set_status(tui_db, resolve_task(tui_db, "yunnan-2020-2021:2"), Change("李四", note="他人修改"), status="blocked")
        await pilot.press("s", "2", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConflictModal)
        text = screen_text(app)
        assert "李四" in text and "blocked" in text and "推进中" in text  # who, what they did, what I did
        await pilot.press("enter")  # reapply on the latest version
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert table(app).current_row.status == "doing"

    run(make(as_of=TODAY), scenario)
    d = get_task(tui_db, "yunnan-2020-2021:2")
    assert d.task.status == "doing"
    assert [(h.actor, h.new_value) for h in d.history if h.field == "status"] == [("tester", "doing"), ("李四", "blocked")]


def test_conflict_can_be_discarded_and_nothing_is_lost_silently(make: Any, tui_db: Engine) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await goto(pilot, "yunnan-2020-2021:2")
        set_status(tui_db, resolve_task(tui_db, "yunnan-2020-2021:2"), Change("李四"), status="blocked")
        await pilot.press("p", *"70", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConflictModal)
        await pilot.press("escape")  # discard
        await settle(pilot)
        assert table(app).current_row.status == "blocked"  # the other coordinator's change is shown
        assert "受阻" in detail_plain(app)

    run(make(as_of=TODAY), scenario)
    d = get_task(tui_db, "yunnan-2020-2021:2")
    assert d.task.status == "blocked" and d.task.progress == 0
