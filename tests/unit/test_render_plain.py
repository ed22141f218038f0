"""Piped reports are built without Rich, byte for byte as Rich prints them.

:func:`tracker.output.render.plain_table` lays out `tracker overdue`'s tables itself when output
goes to a file or a pipe (Rich takes about a millisecond a row). Its output must be exactly
Rich's: compared here on generated tables — Chinese, ambiguous-width signs (“”…—),
truncation at odd widths, empty cells — and on whole reports, with Rich forced instead.
"""

from __future__ import annotations

import io
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from tracker.asof.lateness import Counts, Group, Owner, Summary, TaskState
from tracker.output.formatters import render_table
from tracker.output.render import plain_table, print_overdue

ALPHABET = "知识产权保护加强专项行动“”《》、，（）—…·abcXYZ 0123456789-_/%:省市场监管局①é"
cell = st.text(alphabet=st.sampled_from(ALPHABET), max_size=50)


def rich_table(headers: list[str], rows: list[list[str]], max_widths: dict[int, int]) -> str:
    buf = io.StringIO()
    Console(file=buf, width=240, highlight=False, soft_wrap=False, color_system=None).print(
        render_table(headers, rows, max_widths=max_widths)
    )
    return buf.getvalue()


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.lists(cell, min_size=4, max_size=4), min_size=1, max_size=6),
    st.lists(st.text(alphabet=st.sampled_from(ALPHABET), min_size=1, max_size=8), min_size=4, max_size=4),
    st.integers(min_value=1, max_value=40),
)
def test_plain_table_is_rich_table(rows: list[list[str]], headers: list[str], limit: int) -> None:
    widths = {0: limit, 2: max(1, limit // 2)}
    mine = plain_table(headers, rows, widths)
    if mine is None:  # cells Rich would read as markup or emoji: Rich prints those
        return
    assert mine + "\n" == rich_table(headers, rows, widths)


def test_markup_and_controls_are_left_to_rich() -> None:
    assert plain_table(["a"], [["[bold]x"]], {}) is None
    assert plain_table(["a"], [[":smile:"]], {}) is None
    assert plain_table(["a"], [["一\n二"]], {}) is None


def _state(n: int, title: str, days: int, status: str = "todo") -> TaskState:
    return TaskState(
        id=n, plan="yunnan-2020-2021", number=str(n), key=str(n), section="一、总体", title=title, kind="task",
        due=date(2020, 12, 31), start=None, ongoing=False, condition=None, triggered_on=None, status=status,
        progress=0, done_on=None, last_update=date(2021, 3, 1) if n % 2 else None,
        owners=(Owner("省公安厅", "lead", "inferred", False),), light="red", lateness="overdue",
        days_late=days, days_left=None, next_review=None,
    )


def _summary() -> Summary:
    long = "组织开展知识产权执法“铁拳”等专项行动，加强重点商品、实体市场、电子商务、申请环节执法"
    g1 = Group("省市场监管局（省知识产权局）", counts=Counts(3, 1, 2, 0), lead=Counts(3, 1, 2, 0))
    g1.overdue = [(_state(5, long, 40), "lead"), (_state(12, "发布年度知识产权保护典型案例", 7, "doing"), "support")]
    g1.review_overdue = [(_state(33, "打击侵权假冒", 1), "lead")]
    g2 = Group("各乡镇（街道）", is_group=True, counts=Counts(1, 0, 0, 0), lead=Counts(1, 0, 0, 0))
    g2.overdue = [(_state(7, "短", 100), "lead")]
    quiet = Group("省药监局", counts=Counts(0, 0, 4, 1))
    return Summary(as_of=date(2021, 1, 1), by="owner", totals=Counts(4, 1, 6, 1), overdue=3, review_overdue=1,
                   tasks=12, groups=[g1, g2, quiet])


def test_report_is_what_rich_prints(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for lang in ("zh", "en"):
        with monkeypatch.context() as m:  # the plain path must not fall back to Rich tables
            m.setattr("tracker.output.render.render_table", lambda *a, **k: (_ for _ in ()).throw(AssertionError("Rich used")))
            print_overdue(_summary(), lang)
        fast = capsys.readouterr().out
        monkeypatch.setattr("tracker.output.render._plain_console", lambda console: False)
        print_overdue(_summary(), lang)
        slow = capsys.readouterr().out
        monkeypatch.undo()
        assert fast == slow
        assert "…" in fast and ("另有 1 个单位" in fast or "1 more units" in fast)
