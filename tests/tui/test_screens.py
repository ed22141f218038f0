"""The other screens, the help screen, the command palette, files written from the TUI,
and the English labels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.command import CommandPalette
from textual.widgets import DataTable

from tests.tui.helpers import notifications, screen_text, settle
from tests.tui.test_actions import run, table
from tracker.labels import CATALOGUE
from tui.app import TrackerApp
from tui.commands import KeyCommands
from tui.screens.help import HelpScreen, key_sections
from tui.screens.main import MainScreen
from tui.screens.overdue import OverdueScreen
from tui.screens.targets import TargetsScreen
from tui.screens.timeline import TimelineScreen, TimelineView


def test_overdue_screen_lists_units_worst_first_and_opens_a_task(make: Any) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, OverdueScreen)
        text = screen_text(app)
        assert "逾期 21 项，督办逾期 54 项" in text
        groups = app.screen.query_one("#groups", DataTable)
        first = groups.get_row_at(0)[0].plain.strip()
        assert first.startswith("省市场监管局")  # most overdue first
        assert "yunnan-2020-2021:19" in text
        await pilot.press("enter", "enter")  # into the unit's tasks, open the first
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and table(app).current_row.ref == "yunnan-2020-2021:19"

    run(make(), scenario)


def test_targets_screen_shows_baseline_latest_target_and_a_bar(make: Any) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, TargetsScreen)
        text = screen_text(app)
        assert "每万人口高价值发明专利拥有量" in text and "2.94" in text and "5.67" in text
        assert "28 项指标" in text

    run(make(), scenario, size=(160, 45))


def test_timeline_screen_scrolls_to_any_month(make: Any) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, TimelineScreen)
        view = app.screen.query_one(TimelineView)
        assert "yunnan-2020-2021" in screen_text(app) and "（十七）启动阶段" in screen_text(app)
        start = view.offset_
        await pilot.press("right", "right", "pagedown")
        assert view.offset_ == start + 14
        await pilot.press("m", *"2025-03", "enter")
        await settle(pilot)
        assert str(view.months[view.offset_ + view.visible_months // 4]) == "2025-03-01"
        await pilot.press("t")
        assert view.offset_ == start

    run(make(), scenario)


def test_help_lists_every_key(make: Any) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one("#help-text").render().plain  # type: ignore[attr-defined]
        for _, bindings in key_sections():
            for b in bindings:
                assert CATALOGUE[b.description]["zh"] in text, b
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)

    run(make(), scenario)


def test_every_binding_has_a_catalogued_description_and_a_palette_entry(make: Any) -> None:
    for _, bindings in key_sections():
        for b in bindings:
            assert b.description in CATALOGUE and b.id, b

    async def scenario(pilot: Any, app: TrackerApp) -> None:
        provider = KeyCommands(app.screen)
        titles = {title for title, _, _ in provider._commands()}
        from tui.screens.main import MainScreen as Main

        for b in [*TrackerApp.BINDINGS, *Main.BINDINGS]:
            if b.id != "view.escape":  # escape leaves the search box: not a command
                assert CATALOGUE[b.description]["zh"] in titles, b  # type: ignore[union-attr]

    run(make(), scenario)


def test_palette_runs_an_action(make: Any) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"逾期汇总")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OverdueScreen)

    run(make(), scenario)


def test_write_the_overdue_notice_and_export_feeds(make: Any, tui_settings: Any) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("down", "enter")  # Markdown
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)

    run(make(), scenario)
    exports: Path = tui_settings.exports_dir
    notice = exports / "overdue-2021-01-01.md"
    assert notice.is_file() and "省市场监管局" in notice.read_text(encoding="utf-8")
    assert (exports / "index.html").is_file() and list(exports.glob("*.ics"))


def test_english_labels(make: Any) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        text = screen_text(app)
        assert "as of 2021-01-01" in text and "late 75" in text and "to do" in text and "Status" in text
        await pilot.press("s")
        await settle(pilot)
        assert "Change status" in screen_text(app) and "in progress" in screen_text(app)

    run(make(lang="en"), scenario)


def test_works_in_80x24(make: Any) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        lines = screen_text(app).split("\n")
        assert len(lines) == 24
        assert not app.screen.query_one("#sidebar").display  # hidden: b shows it
        assert table(app).scrollable_content_region.height >= 8
        await pilot.press("b")
        assert app.screen.query_one("#sidebar").display

    run(make(), scenario, size=(80, 24))


def test_errors_are_notified_not_raised(make: Any) -> None:
    async def scenario(pilot: Any, app: TrackerApp) -> None:
        await pilot.press("c")  # qinghai-2021-2035:1 has no owner to confirm
        await settle(pilot)
        assert any("推断" in m for m in notifications(app))

    run(make(), scenario)


def test_readme_lists_every_key() -> None:
    from tests.conftest import ROOT
    from tui.screens.help import key_name

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The TUI"):]
    for _, bindings in key_sections():
        for b in bindings:
            line = f"| `{key_name(b)}` | {CATALOGUE[b.description]['zh']} | {CATALOGUE[b.description]['en']} |"
            assert line in section, line
