"""The timeline screen: months across, plans and their phases down, deadlines as marks,
the as-of date's month as a line; scrolls to any month.

Marks are the number of tasks due in the month (coloured by the worst traffic light among
them, as of the app's date); a plan's period and a phase's window are drawn with coloured
spaces. Everything is ASCII or a Han character, so the grid keeps its columns in any
terminal. The label column stays put while the months scroll.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Footer, Static

from tracker.errors import TrackerError
from tracker.services.timeline import Timeline, add_months, month_of
from tui.i18n import Tr, localize_bindings
from tui.screens.modals import FormModal
from tui.text import fit
from tui.widgets.infobar import InfoBar

if TYPE_CHECKING:
    from tui.app import TrackerApp

LABEL = 24  # cells of the fixed label column
CELL = 3  # cells per month
LIGHT = {"red": Style(color="red", bold=True), "yellow": Style(color="yellow"), "green": Style(color="green"),
         "grey": Style(dim=True)}
PERIOD = Style(bgcolor="grey23")
PHASE = Style(bgcolor="dark_cyan")
TODAY = Style(bgcolor="dark_red")


@dataclass(frozen=True)
class _Line:
    label: str
    kind: str  # plan | phase
    start: date | None
    end: date | None
    marks: dict[date, Any]


class TimelineView(ScrollView, can_focus=True):
    """The grid; ``offset`` is the first month shown."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "months(-1)", "tui.key.month_back", show=False, id="timeline.back"),
        Binding("right,l", "months(1)", "tui.key.month_forward", show=False, id="timeline.forward"),
        Binding("pageup,[", "months(-12)", "tui.key.year_back", show=False, id="timeline.year_back"),
        Binding("pagedown,]", "months(12)", "tui.key.year_forward", show=False, id="timeline.year_forward"),
        Binding("up,k", "scroll_up", "tui.key.up", show=False, id="timeline.up"),
        Binding("down,j", "scroll_down", "tui.key.down", show=False, id="timeline.down"),
    ]

    DEFAULT_CSS = "TimelineView { height: 1fr; overflow-x: hidden; }"

    def __init__(self, lang: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tr = Tr(lang)
        localize_bindings(self, lang)
        self.data: Timeline | None = None
        self.lines: list[_Line] = []
        self.months: list[date] = []
        self.offset_ = 0

    def show(self, data: Timeline) -> None:
        keep = self.months[self.offset_] if self.months else None
        self.data = data
        self.months = data.months()
        self.lines = []
        for p in data.plans:
            self.lines.append(_Line(p.slug, "plan", p.start, p.end, p.months))
            for ph in p.phases:
                self.lines.append(_Line(f"  {ph.number}{ph.title}", "phase", ph.start, ph.due, {}))
        self.virtual_size = Size(self.size.width, len(self.lines) + 2)
        if keep is not None and keep in self.months:
            self.offset_ = self.months.index(keep)
        else:
            self.goto(data.as_of)
        self.refresh()

    @property
    def visible_months(self) -> int:
        return max(1, (self.scrollable_content_region.width - LABEL) // CELL)

    def goto(self, day: date) -> None:
        """Scroll so that ``day``'s month is shown (a quarter of the way in)."""
        if not self.months:
            return
        m = month_of(day)
        index = self.months.index(m) if m in self.months else (0 if m < self.months[0] else len(self.months) - 1)
        self.offset_ = max(0, min(index - self.visible_months // 4, len(self.months) - self.visible_months))
        self.refresh()

    def action_months(self, n: int) -> None:
        self.offset_ = max(0, min(self.offset_ + n, max(0, len(self.months) - self.visible_months)))
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.lines) + 2)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if self.data is None:
            return Strip.blank(width)
        shown = self.months[self.offset_ : self.offset_ + self.visible_months]
        as_of_month = month_of(self.data.as_of)
        head = Style(bold=True)
        if y in (0, 1):
            segments = [Segment(fit(self.tr("timeline_year") if y == 0 else self.tr("timeline_month"), LABEL), head)]
            for m in shown:
                text = (str(m.year)[2:] + "'" if (m.month == 1 or m == shown[0]) else "") if y == 0 else f"{m.month:>2}"
                style = TODAY if m == as_of_month else head
                segments.append(Segment(fit(text, CELL) if y == 0 else (text + " "), style))
            return Strip(segments).adjust_cell_length(width)
        index = int(self.scroll_offset.y) + y - 2
        if index >= len(self.lines):
            return Strip.blank(width)
        line = self.lines[index]
        segments = [Segment(fit(line.label, LABEL), Style(bold=line.kind == "plan"))]
        for m in shown:
            inside = line.start is not None and month_of(line.start) <= m and (line.end is None or m <= month_of(line.end))
            base = (PHASE if line.kind == "phase" else PERIOD) if inside else Style()
            if m == as_of_month:
                base = base + TODAY
            mark = line.marks.get(m)
            if mark is not None:
                n = mark.tasks
                text = f"{n:>2} " if n < 100 else "99+"
                segments.append(Segment(text, base + LIGHT[mark.worst]))
            elif m == as_of_month:
                segments.append(Segment(" | ", base + Style(bold=True)))
            else:
                segments.append(Segment(" " * CELL, base))
        return Strip(segments).adjust_cell_length(width)


class MonthModal(FormModal[date | None]):
    """Go to a month (YYYY-MM)."""

    title_key = "month_title"

    def fields(self) -> ComposeResult:
        from textual.widgets import Input

        yield Input(placeholder="YYYY-MM", id="month", max_length=10)

    def result(self) -> date | None:
        from tracker.services.tasks import parse_date

        text = self.value_of("month")
        if not text:
            raise ValueError(self.tr("date_required"))
        return parse_date(text if text.count("-") == 2 or "日" in text else f"{text}-01".replace("--", "-"))


class TimelineScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "goto_month", "tui.key.goto_month", id="timeline.goto"),
        Binding("t", "goto_today", "tui.key.goto_as_of", id="timeline.as_of"),
        Binding("r", "reload", "tui.key.reload", show=False, id="timeline.reload"),
    ]

    @dataclass
    class Loaded(Message):
        data: Timeline | None
        error: str | None = None

    def compose(self) -> ComposeResult:
        app: TrackerApp = self.app  # type: ignore[assignment]
        localize_bindings(self, app.lang)
        self.tr = Tr(app.lang)
        self.loaded: tuple[date, int] | None = None
        yield InfoBar("timeline", app.lang)
        yield Static(Text(self.tr("timeline_legend")), id="timeline-legend")
        yield TimelineView(app.lang, id="timeline")
        yield Footer()

    def on_mount(self) -> None:
        app: TrackerApp = self.app  # type: ignore[assignment]
        self.watch(app, "as_of", lambda _: self.action_reload(), init=False)
        self.query_one(TimelineView).focus()
        self.action_reload()

    def on_screen_resume(self) -> None:
        app: TrackerApp = self.app  # type: ignore[assignment]
        if self.loaded != (app.as_of, app.data_version):
            self.action_reload()

    def action_reload(self) -> None:
        app: TrackerApp = self.app  # type: ignore[assignment]
        self.loaded = (app.as_of, app.data_version)
        self._load(app.as_of)

    @work(thread=True, exclusive=True, group="timeline")
    def _load(self, as_of: date) -> None:
        app: TrackerApp = self.app  # type: ignore[assignment]
        try:
            self.post_message(self.Loaded(app.source.timeline(as_of)))
        except TrackerError as exc:
            self.post_message(self.Loaded(None, exc.message))

    def on_timeline_screen_loaded(self, message: Loaded) -> None:
        if message.data is None:
            self.query_one("#timeline-legend", Static).update(Text(message.error or "", style="red"))
            return
        self.query_one(TimelineView).show(message.data)

    def action_goto_month(self) -> None:
        app: TrackerApp = self.app  # type: ignore[assignment]

        def chosen(day: date | None) -> None:
            if day is not None:
                self.query_one(TimelineView).goto(day)

        app.push_screen(MonthModal(app.lang), chosen)

    def action_goto_today(self) -> None:
        view = self.query_one(TimelineView)
        if view.data is not None:
            view.goto(view.data.as_of)


__all__ = ["TimelineScreen", "TimelineView", "add_months"]
