"""The overdue screen: the coordinating office's summary for the as-of date — per unit,
worst first, with each unit's late tasks (lead before support, longest late first).

The summary is :func:`tracker.asof.lateness.summarise` (the same as ``tracker overdue`` and the
notice); this screen only lays it out. Enter on a task opens it on the main screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static
from textual.worker import get_current_worker

from tracker.asof.lateness import Group, Summary
from tui.i18n import Tr, localize_bindings
from tui.text import fit, right
from tui.widgets.infobar import InfoBar

if TYPE_CHECKING:
    from tui.app import TrackerApp

TASKS_SHOWN = 500  # a unit's late tasks listed at most (the rest are counted)


class OverdueScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_task", "tui.key.open_task", id="overdue.open"),
        Binding("r", "reload", "tui.key.reload", show=False, id="overdue.reload"),
    ]

    @dataclass
    class Loaded(Message):
        summary: Summary
        version: int

    def compose(self) -> ComposeResult:
        app: TrackerApp = self.app  # type: ignore[assignment]
        localize_bindings(self, app.lang)
        self.tr = Tr(app.lang)
        self.summary: Summary | None = None
        self.loaded: tuple[Any, int] | None = None  # (as-of, data version) of the summary shown
        self.refs: list[str] = []
        yield InfoBar("overdue", app.lang)
        with Vertical():
            yield Static(Text(self.tr("loading"), style="dim"), id="overdue-totals")
            yield DataTable(id="groups", cursor_type="row", zebra_stripes=True)
            yield Label(self.tr("overdue_tasks_title"), id="tasks-title")
            yield DataTable(id="late-tasks", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        app: TrackerApp = self.app  # type: ignore[assignment]
        self.watch(app, "as_of", lambda _: self.action_reload(), init=False)
        tr = self.tr
        groups = self.query_one("#groups", DataTable)
        # Fixed widths: the layout never depends on what was loaded first.
        groups.add_column(tr("col_unit"), width=26, key="unit")
        for key, width in (("overdue", 6), ("review_overdue", 8), ("red", 6), ("yellow", 6), ("worst", 6)):
            groups.add_column(right(tr(f"col_{key}"), width), width=width, key=key)
        tasks = self.query_one("#late-tasks", DataTable)
        tasks.add_column(tr("col_task"), width=22, key="task")
        tasks.add_column(right(tr("col_late"), 6), width=6, key="late")
        tasks.add_column(tr("col.title"), width=30, key="title")
        for key, width in (("role", 4), ("due", 10), ("status", 11), ("progress", 4), ("last_update", 10)):
            label = tr(f"col_{key}") if key not in ("due", "status", "progress") else tr(f"col.{key}")
            tasks.add_column(fit(label, width), width=width, key=key)

    def on_screen_resume(self) -> None:
        app: TrackerApp = self.app  # type: ignore[assignment]
        if self.loaded != (app.as_of, app.data_version):
            self.action_reload()

    def action_reload(self) -> None:
        self.query_one("#overdue-totals", Static).update(Text(self.tr("loading"), style="dim"))
        app: TrackerApp = self.app  # type: ignore[assignment]
        self.loaded = (app.as_of, app.data_version)
        self._load(app.as_of)

    @work(thread=True, exclusive=True, group="overdue")
    def _load(self, as_of: Any) -> None:
        app: TrackerApp = self.app  # type: ignore[assignment]
        version = app.data_version
        summary = app.source.summary(as_of)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(summary, version))

    def on_overdue_screen_loaded(self, message: Loaded) -> None:
        s = self.summary = message.summary
        tr = self.tr
        totals = Text()
        totals.append(tr("overdue_summary", tasks=s.tasks, overdue=s.overdue, review=s.review_overdue), style="bold")
        totals.append("   ")
        for light in ("red", "yellow", "green", "grey"):
            totals.append(f"{tr(f'light_{light}')} {getattr(s.totals, light)}  ",
                          style={"red": "bold red", "yellow": "yellow", "green": "green", "grey": "dim"}[light])
        self.query_one("#overdue-totals", Static).update(totals)
        groups = self.query_one("#groups", DataTable)
        groups.clear()
        for index, g in enumerate(s.groups):
            worst = max((t.days_late or 0 for t, _ in g.overdue + g.review_overdue), default=0)
            name = g.name + (f" ({tr('group')})" if g.is_group else "")
            groups.add_row(
                Text(fit(name, 26), style="bold" if g.overdue else ""),
                Text(right(str(len(g.overdue)), 6), style="bold red" if g.overdue else "dim"),
                right(str(len(g.review_overdue)), 8), right(str(g.counts.red), 6), right(str(g.counts.yellow), 6),
                right(tr("days", n=worst) if worst else "", 6), key=str(index),
            )
        if s.groups:
            self._show_group(s.groups[0])
        else:
            self.query_one("#late-tasks", DataTable).clear()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "groups" and self.summary is not None and event.row_key.value is not None:
            self._show_group(self.summary.groups[int(event.row_key.value)])

    def _show_group(self, g: Group) -> None:
        tr = self.tr
        self.query_one("#tasks-title", Label).update(Text(tr("late_tasks_of", unit=g.name)))
        tasks = self.query_one("#late-tasks", DataTable)
        tasks.clear()
        self.refs = []
        items = [(t, role, "overdue") for t, role in g.overdue] + [(t, role, "review") for t, role in g.review_overdue]
        for t, role, kind in items[:TASKS_SHOWN]:
            self.refs.append(t.ref)
            late = tr("days", n=t.days_late or 0)
            tasks.add_row(
                fit(f"{t.plan}:{t.number}", 22), Text(right(late, 6), style="bold red"), fit(t.title, 30),
                fit(tr(f"role.{role}"), 4),
                fit(t.due.isoformat() if t.due else (tr("review_short") if kind == "review" else ""), 10),
                fit(tr(f"status.{t.status}"), 11), right(f"{t.progress}%", 4),
                fit(t.last_update.isoformat() if t.last_update else "", 10),
            )
        if len(items) > TASKS_SHOWN:
            tasks.add_row(Text(tr("more_tasks", n=len(items) - TASKS_SHOWN), style="dim"), "", "", "", "", "", "", "")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "groups":
            self.query_one("#late-tasks", DataTable).focus()
        else:
            self.action_open_task()

    def action_open_task(self) -> None:
        tasks = self.query_one("#late-tasks", DataTable)
        if self.focused is not tasks:
            tasks.focus()
            return
        if 0 <= tasks.cursor_row < len(self.refs):
            ref = self.refs[tasks.cursor_row]
            app: TrackerApp = self.app  # type: ignore[assignment]
            app.open_task(ref)
