"""Snapshots of the four screens on the seeds, as of 2021-01-01 (pytest-textual-snapshot).

Deterministic by construction: a fixed as-of date, a fixed terminal size, the database
named tracker.db, nothing showing the current time. Update after an intended change with
``pytest tests/tui/test_snapshots.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("pytest_textual_snapshot")

from tests.tui.helpers import settle


def _before(*keys: str) -> Callable[[Any], Any]:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)  # the first page, the detail and the counts are in
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_main_screen(snap_compare: Any, make: Any, size: tuple[int, int]) -> None:
    assert snap_compare(make(), terminal_size=size, run_before=_before())


def test_main_screen_filtered_and_moved(snap_compare: Any, make: Any) -> None:
    # b: show the sidebar; / 知识产权 enter: filter; down ×3: the fourth task's detail
    keys = ("b", "slash", *"保护", "enter", "down", "down", "down")
    assert snap_compare(make(), terminal_size=(120, 36), run_before=_before(*keys))


def test_main_screen_in_english(snap_compare: Any, make: Any) -> None:
    assert snap_compare(make(lang="en"), terminal_size=(120, 36), run_before=_before())


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_overdue_screen(snap_compare: Any, make: Any, size: tuple[int, int]) -> None:
    assert snap_compare(make(), terminal_size=size, run_before=_before("2"))


def test_targets_screen(snap_compare: Any, make: Any) -> None:
    assert snap_compare(make(), terminal_size=(160, 45), run_before=_before("3"))


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_timeline_screen(snap_compare: Any, make: Any, size: tuple[int, int]) -> None:
    assert snap_compare(make(), terminal_size=size, run_before=_before("4"))


def test_status_dialog(snap_compare: Any, make: Any) -> None:
    assert snap_compare(make(), terminal_size=(100, 30), run_before=_before("s"))
