"""The targets screen: each plan's indicators (指标), baseline → latest → target, with a bar
for how far along the way from baseline to target the latest reading is.

How far along is :attr:`tracker.store.indicators.IndicatorView.progress_pct` (None when it cannot
be computed: no reading, no baseline…); the bar is drawn with coloured spaces, which are one
cell wide in every terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tracker.errors import TrackerError
from tui.i18n import Tr, localize_bindings
from tui.text import fit, right
from tui.widgets.infobar import InfoBar

if TYPE_CHECKING:
    from tui.app import TrackerApp

BAR = 20


def bar(pct: float | None, width: int = BAR) -> Text:
    """A bar ``width`` cells wide, filled to ``pct`` (clamped to 0–100), and the figure."""
    text = Text()
    if pct is None:
        text.append(" " * width, style="on grey15")
        text.append(f" {'-':>5}", style="dim")
        return text
    filled = round(max(0.0, min(100.0, pct)) / 100 * width)
    colour = "green" if pct >= 100 else ("yellow" if pct >= 50 else "red")
    text.append(" " * filled, style=f"on {colour}")
    text.append(" " * (width - filled), style="on grey15")
    text.append(f" {pct:>4.0f}%", style="bold" if pct >= 100 else "")
    return text


def number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


class TargetsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", "tui.key.reload", show=False, id="targets.reload"),
    ]

    @dataclass
    class Loaded(Message):
        indicators: list[Any]
        error: str | None = None

    def compose(self) -> ComposeResult:
        app: TrackerApp = self.app  # type: ignore[assignment]
        localize_bindings(self, app.lang)
        self.tr = Tr(app.lang)
        yield InfoBar("targets", app.lang)
        yield Static(Text(self.tr("loading"), style="dim"), id="targets-note")
        yield DataTable(id="indicators", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        tr = self.tr
        table = self.query_one("#indicators", DataTable)
        table.add_column(tr("col.plan"), width=18, key="plan")
        table.add_column(tr("col_indicator"), width=30, key="name")
        table.add_column(right(tr("col_baseline"), 16), width=16, key="baseline")
        table.add_column(right(tr("col_latest"), 10), width=10, key="latest")
        table.add_column(right(tr("col_target"), 10), width=10, key="target")
        table.add_column(tr("col_unit_short"), width=6, key="unit")
        table.add_column(tr("col_along"), width=BAR + 6, key="bar")
        self.action_reload()

    def action_reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="targets")
    def _load(self) -> None:
        app: TrackerApp = self.app  # type: ignore[assignment]
        try:
            self.post_message(self.Loaded(app.source.indicators()))
        except TrackerError as exc:
            self.post_message(self.Loaded([], exc.message))

    def on_targets_screen_loaded(self, message: Loaded) -> None:
        tr = self.tr
        note = self.query_one("#targets-note", Static)
        if message.error:
            note.update(Text(message.error, style="red"))
            return
        plans = len({i.plan for i in message.indicators})
        with_reading = sum(1 for i in message.indicators if i.latest is not None)
        note.update(Text(tr("targets_summary", n=len(message.indicators), plans=plans, read=with_reading)))
        table = self.query_one("#indicators", DataTable)
        table.clear()
        last_plan = None
        for i in message.indicators:
            plan = i.plan if i.plan != last_plan else ""
            last_plan = i.plan
            baseline = number(i.baseline) + (f" ({i.baseline_year})" if i.baseline_year and i.baseline is not None else "")
            latest = number(i.latest)
            target = number(i.target)
            if i.comparator == "increase_pct" and i.target is not None:
                target = f"+{target}%"
            elif i.comparator == "add" and i.target is not None:
                target = f"+{target}"
            table.add_row(
                Text(fit(plan, 18), style="bold"), fit(i.name, 30), right(baseline, 16),
                Text(right(latest, 10), style="bold" if i.latest is not None else "dim"), right(target, 10),
                fit(i.unit, 6), bar(i.progress_pct), key=str(i.id),
            )
