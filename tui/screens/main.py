"""The main screen: sidebar (plans, units), the task table, the detail pane, and every
action a coordinator takes on a task.

Edits go through :class:`~tui.data.Source` in a thread worker with the version of the task
the coordinator was looking at; a :class:`~tracker.errors.ConflictError` (someone changed
the task first) opens the conflict dialog: reapply on top of the new version, or discard.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from tracker.errors import ConflictError, TrackerError
from tracker.services.tasklist import BrowseQuery, TaskRow
from tracker.services.tasks import TaskDetail
from tui.data import Edit
from tui.i18n import Tr, localize_bindings
from tui.screens.modals import (
    ConflictModal,
    DueModal,
    FilterModal,
    Filters,
    JumpModal,
    NoteModal,
    OwnerChoiceModal,
    ProgressModal,
    SortModal,
    StatusModal,
    TriggerModal,
    UnitPickerModal,
)
from tui.text import cell_safe
from tui.widgets.detail import DetailPane
from tui.widgets.infobar import InfoBar
from tui.widgets.sidebar import Sidebar
from tui.widgets.task_table import TaskTable

if TYPE_CHECKING:
    from tui.app import TrackerApp

WIDE = 140  # from this width the detail pane sits beside the table
SIDEBAR_MIN = 110  # from this width the sidebar shows by default
DETAIL_DELAY = 0.03  # seconds the cursor must rest on a row before its detail is read


class SearchInput(Input):
    """The incremental search box; notes when each key arrived (for the latency figures)."""

    async def _on_key(self, event: events.Key) -> None:
        self.app.stats.key_at = time.perf_counter()  # type: ignore[attr-defined]
        await super()._on_key(event)


class MainScreen(Screen[None]):
    """Plans and units, the task table and the task's detail."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "status", "tui.key.status", id="task.status"),
        Binding("p", "progress", "tui.key.progress", show=False, id="task.progress"),
        Binding("a", "assign", "tui.key.assign", show=False, id="task.assign"),
        Binding("x", "unassign", "tui.key.unassign", show=False, id="task.unassign"),
        Binding("c", "confirm", "tui.key.confirm", show=False, id="task.confirm"),
        Binding("d", "due", "tui.key.due", show=False, id="task.due"),
        Binding("t", "trigger", "tui.key.trigger", show=False, id="task.trigger"),
        Binding("n", "note", "tui.key.note", id="task.note"),
        Binding("slash", "search", "tui.key.search", key_display="/", id="list.search"),
        Binding("f", "filter", "tui.key.filter", id="list.filter"),
        Binding("F", "clear_filters", "tui.key.clear_filters", show=False, id="list.clear"),
        Binding("o", "sort", "tui.key.sort", show=False, id="list.sort"),
        Binding("O", "reverse", "tui.key.reverse", show=False, id="list.reverse"),
        Binding("g", "jump", "tui.key.jump", id="list.jump"),
        Binding("b", "toggle_sidebar", "tui.key.sidebar", show=False, id="view.sidebar"),
        Binding("r", "reload", "tui.key.reload", show=False, id="view.reload"),
        Binding("escape", "escape", "tui.key.escape", show=False, id="view.escape"),
    ]

    @dataclass
    class DetailLoaded(Message):
        detail: TaskDetail | None
        row: TaskRow | None

    @dataclass
    class EditDone(Message):
        edit: Edit
        row: TaskRow | None
        detail: TaskDetail
        changed: tuple[str, ...]

    @dataclass
    class EditConflict(Message):
        edit: Edit
        message: str

    @dataclass
    class EditFailed(Message):
        edit: Edit
        message: str

    @dataclass
    class Jumped(Message):
        task_id: int | None
        index: int | None
        message: str | None = None

    def __init__(self) -> None:
        super().__init__()
        self._built = False
        self._filters_text = Text()

    @property
    def tapp(self) -> TrackerApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        app = self.tapp
        localize_bindings(self, app.lang)
        self.tr = Tr(app.lang)
        self.query_ = BrowseQuery(as_of=app.as_of, tz=app.settings.timezone)
        self.detail_row: TaskRow | None = None
        self.detail: TaskDetail | None = None
        yield InfoBar("main", app.lang)
        with Horizontal(id="body"):
            yield Sidebar(app.lang, id="sidebar")
            with Vertical(id="center"):
                with Horizontal(id="searchbar"):
                    yield SearchInput(placeholder=self.tr("search_placeholder"), id="search", compact=True)
                    yield Static("", id="filters")
                with Horizontal(id="work"):
                    yield TaskTable(app.source, app.lang, id="tasks")
                    yield DetailPane(app.lang, id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.table.load(self.query_)
        self.table.focus()
        self.watch(self.tapp, "as_of", self._as_of_changed, init=False)
        self.watch(self.tapp, "overview", self._overview_changed, init=False)
        self._show_filters()

    @property
    def table(self) -> TaskTable:
        return self.query_one("#tasks", TaskTable)

    @property
    def pane(self) -> DetailPane:
        return self.query_one("#detail", DetailPane)

    # ------------------------------------------------------------------ layout
    def on_resize(self, event: events.Resize) -> None:
        wide = event.size.width >= WIDE
        self.set_class(wide, "-wide")
        if not self._built:
            self._built = True
            self.query_one("#sidebar").display = event.size.width >= SIDEBAR_MIN

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one("#sidebar")
        sidebar.display = not sidebar.display

    # ------------------------------------------------------------------ listing
    def set_query(self, query: BrowseQuery, *, keep: int | None = None) -> None:
        self.query_ = query
        self.table.load(query, keep=keep)
        self._show_filters()

    def _show_filters(self, total: int | None = None, *, counting: bool = False) -> None:
        """The active filters and the number of rows (``counting``: more may follow)."""
        q, tr = self.query_, self.tr
        parts = []
        if q.plan:
            parts.append(f"{tr('col.plan')}={q.plan}")
        if q.section:
            parts.append(f"{tr('col.section')}={q.section.split(' / ')[-1]}")
        if q.unit:
            parts.append(f"{tr('col.owners')}={q.unit}")
        if q.status:
            parts.append(f"{tr('col.status')}={tr(f'status.{q.status}')}")
        if q.light:
            parts.append(f"{tr('light_label')}={tr(f'light_{q.light}')}")
        text = Text(cell_safe(" ".join(parts)), style="bold")
        if total is not None:
            words = tr("rows_counting", n=f"{total:,}") if counting else tr("rows", n=f"{total:,}")
            text.append(("  " if parts else "") + words, style="dim")
        if text != self._filters_text:  # a fixed one-line box: no layout pass needed
            self._filters_text = text
            self.query_one("#filters", Static).update(text, layout=False)

    def on_task_table_painted(self, message: TaskTable.Painted) -> None:
        stats, t = self.tapp.stats, self.table
        if stats.key_at is not None and message.generation == t.generation:
            if stats.filter_latency is None and t.painted_at is not None and t.painted_at >= stats.key_at:
                stats.filter_latency = t.painted_at - stats.key_at
            if stats.count_latency is None and message.total is not None and t.counted_at is not None:
                stats.count_latency = max(t.counted_at, t.painted_at or 0) - stats.key_at
        if message.total is not None:
            self._show_filters(message.total)
        else:
            self._show_filters(message.table.total, counting=True)
        if self.tapp.overview is None:
            self.tapp.refresh_overview()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.set_query(replace(self.query_, search=event.value or None))

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.table.focus()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_escape(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_focus:
            if search.value:
                search.value = ""
            self.table.focus()

    def action_filter(self) -> None:
        q = self.query_
        o = self.tapp.overview
        plans = sorted({s.plan for s in o.sections}) if o else ([q.plan] if q.plan else [])
        sections = [(s.plan, s.section) for s in o.sections if s.section] if o else []
        units = [u.name for u in o.units] if o else []
        current = Filters(q.plan, q.section, q.unit, q.status, q.light)

        def chosen(f: Filters | None) -> None:
            if f is not None:
                self.set_query(replace(self.query_, plan=f.plan, section=f.section, unit=f.unit, status=f.status, light=f.light))

        self.app.push_screen(FilterModal(self.tapp.lang, current, plans, sections, units), chosen)

    def action_clear_filters(self) -> None:
        search = self.query_one("#search", Input)
        with search.prevent(Input.Changed):
            search.value = ""
        self.set_query(replace(self.query_, plan=None, section=None, unit=None, status=None, light=None, search=None))

    def action_sort(self) -> None:
        def chosen(value: tuple[str, bool] | None) -> None:
            if value is not None:
                self.set_query(replace(self.query_, sort=value[0], descending=value[1]), keep=self._current_id())

        self.app.push_screen(SortModal(self.tapp.lang, self.query_.sort, self.query_.descending), chosen)

    def action_reverse(self) -> None:
        self.set_query(replace(self.query_, descending=not self.query_.descending), keep=self._current_id())

    def on_task_table_sort_requested(self, message: TaskTable.SortRequested) -> None:
        q = self.query_
        descending = not q.descending if q.sort == message.key else False
        self.set_query(replace(q, sort=message.key, descending=descending), keep=self._current_id())

    def on_sidebar_plan_chosen(self, message: Sidebar.PlanChosen) -> None:
        self.set_query(replace(self.query_, plan=message.plan, section=message.section))
        self.table.focus()

    def on_sidebar_unit_chosen(self, message: Sidebar.UnitChosen) -> None:
        self.set_query(replace(self.query_, unit=message.unit))
        self.table.focus()

    def action_reload(self) -> None:
        self.table.reload()
        self.tapp.refresh_overview()

    def _as_of_changed(self, as_of: Any) -> None:
        self.set_query(replace(self.query_, as_of=as_of), keep=self._current_id())

    def _overview_changed(self, overview: Any) -> None:
        if overview is not None:
            self.query_one(Sidebar).show(overview)

    def _current_id(self) -> int | None:
        row = self.table.current_row
        return row.id if row else None

    # ------------------------------------------------------------------ jump
    def action_jump(self) -> None:
        def chosen(ref: str | None) -> None:
            if ref:
                self._jump(ref)

        self.app.push_screen(JumpModal(self.tapp.lang, self.query_.plan), chosen)

    def jump_to(self, ref: str) -> None:
        """Show task ``ref`` (``plan:number`` or an id) under the cursor."""
        self._jump(ref)

    @work(thread=True, exclusive=True, group="jump")
    def _jump(self, ref: str) -> None:
        try:
            task_id = self.tapp.source.resolve(ref)
        except TrackerError as exc:
            self.post_message(self.Jumped(None, None, exc.message))
            return
        ids = self.table.ids
        if ids is not None:
            index = ids.index(task_id) if task_id in ids else None
        else:  # the listing is still being counted: look among the rows already shown
            index = next((i for i, r in list(self.table.rows.items()) if r.id == task_id), None)
        self.post_message(self.Jumped(task_id, index))

    def on_main_screen_jumped(self, message: Jumped) -> None:
        if message.task_id is None:
            self.app.notify(message.message or "", severity="error", markup=False)
            return
        if message.index is not None:
            self.table.move_to(message.index, center=True)
            return
        # Not in the current listing: drop the filters (keep the order) and show it.
        search = self.query_one("#search", Input)
        with search.prevent(Input.Changed):
            search.value = ""
        self.set_query(replace(self.query_, plan=None, section=None, unit=None, status=None, light=None, search=None),
                       keep=message.task_id)

    # ------------------------------------------------------------------ detail
    def on_task_table_highlighted(self, message: TaskTable.Highlighted) -> None:
        self._load_detail(message.row)

    @work(thread=True, exclusive=True, group="detail")
    def _load_detail(self, row: TaskRow | None) -> None:
        # While a key is held the cursor passes many rows: only the one it stops on is read
        # (a newer highlight cancels this worker during the pause).
        time.sleep(DETAIL_DELAY)
        if get_current_worker().is_cancelled:
            return
        detail = self.tapp.source.task(row.id) if row is not None else None
        if not get_current_worker().is_cancelled:
            self.post_message(self.DetailLoaded(detail, row))

    def on_main_screen_detail_loaded(self, message: DetailLoaded) -> None:
        self.detail, self.detail_row = message.detail, message.row
        self.pane.show(message.detail, message.row, self.query_.as_of)

    # ------------------------------------------------------------------ actions on the task
    def _target(self) -> tuple[TaskRow, TaskDetail | None] | None:
        row = self.table.current_row
        if row is None:
            self.app.notify(self.tr("no_task"), severity="warning", markup=False)
            return None
        detail = self.detail if self.detail is not None and self.detail.task.id == row.id else None
        return row, detail

    def _edit_with(self, modal: Any) -> None:
        def chosen(edit: Edit | None) -> None:
            if edit is not None:
                self.apply(edit)

        self.app.push_screen(modal, chosen)

    def action_status(self) -> None:
        if target := self._target():
            row, _ = target
            self._edit_with(StatusModal(self.tapp.lang, row.id, row.ref, row.status))

    def action_progress(self) -> None:
        if target := self._target():
            row, _ = target
            self._edit_with(ProgressModal(self.tapp.lang, row.id, row.ref, row.progress))

    def action_due(self) -> None:
        if target := self._target():
            row, _ = target
            self._edit_with(DueModal(self.tapp.lang, row.id, row.ref, row.due))

    def action_trigger(self) -> None:
        if target := self._target():
            row, detail = target
            condition = row.condition or (detail.task.condition if detail else None)
            if not condition:
                self.app.notify(self.tr("no_condition"), severity="warning", markup=False)
                return
            self._edit_with(TriggerModal(self.tapp.lang, row.id, row.ref, condition))

    def action_note(self) -> None:
        if target := self._target():
            row, _ = target
            self._edit_with(NoteModal(self.tapp.lang, row.id, row.ref))

    def action_assign(self) -> None:
        if target := self._target():
            row, _ = target
            self._edit_with(UnitPickerModal(self.tapp.lang, self.tapp.source, row.id, row.ref))

    def _owners(self, detail: TaskDetail | None, *, inferred_only: bool = False) -> list[tuple[str, str, str]]:
        if detail is None:
            return []
        return [(o.name, o.role, o.provenance) for o in detail.task.owners if not inferred_only or o.provenance == "inferred"]

    def action_unassign(self) -> None:
        if target := self._target():
            row, detail = target
            owners = self._owners(detail)
            if not owners:
                self.app.notify(self.tr("no_owner"), severity="warning", markup=False)
                return
            self._edit_with(OwnerChoiceModal(self.tapp.lang, "unassign", row.id, row.ref, owners))

    def action_confirm(self) -> None:
        if target := self._target():
            row, detail = target
            owners = self._owners(detail, inferred_only=True)
            if not owners:
                self.app.notify(self.tr("nothing_to_confirm"), severity="warning", markup=False)
                return
            self._edit_with(OwnerChoiceModal(self.tapp.lang, "confirm", row.id, row.ref, owners))

    def apply(self, edit: Edit, *, version: int | None = None) -> None:
        """Apply ``edit`` to the version of the task on screen (or ``version``)."""
        if version is None:
            row = self.table.current_row
            if self.detail is not None and self.detail.task.id == edit.task_id:
                version = self.detail.task.version
            elif row is not None and row.id == edit.task_id:
                version = row.version
        self._apply(edit, version)

    @work(thread=True, group="edit")
    def _apply(self, edit: Edit, version: int | None) -> None:
        source = self.tapp.source
        try:
            result = source.apply(edit, version)
        except ConflictError as exc:
            self.post_message(self.EditConflict(edit, exc.message))
            return
        except TrackerError as exc:
            self.post_message(self.EditFailed(edit, exc.message))
            return
        rows = source.rows_by_id(self.query_, [edit.task_id])
        detail = source.task(edit.task_id)
        self.post_message(self.EditDone(edit, rows[0] if rows else None, detail, result.fields))

    def on_main_screen_edit_done(self, message: EditDone) -> None:
        if message.row is not None:
            self.table.update_row(message.row)
        current = self.table.current_row
        if current is not None and current.id == message.edit.task_id:
            self.detail, self.detail_row = message.detail, message.row
            self.pane.show(message.detail, message.row, self.query_.as_of)
        ref = message.row.ref if message.row else str(message.edit.task_id)
        if message.changed:
            self.app.notify(self.tr("saved", ref=ref), markup=False)
        else:
            self.app.notify(self.tr("unchanged", ref=ref), severity="warning", markup=False)
        self.tapp.refresh_overview()
        self.tapp.data_version += 1

    def on_main_screen_edit_failed(self, message: EditFailed) -> None:
        self.app.notify(message.message, title=self.tr("refused"), severity="error", timeout=8, markup=False)

    def on_main_screen_edit_conflict(self, message: EditConflict) -> None:
        edit = message.edit

        def decided(choice: str | None) -> None:
            if choice == "reapply":
                self._reapply(edit)
            else:
                self.app.notify(self.tr("discarded"), severity="warning", markup=False)
                self.table.reload()
                self._load_detail(self.table.current_row)

        ref = self.detail.task.ref if self.detail and self.detail.task.id == edit.task_id else str(edit.task_id)
        self.app.push_screen(ConflictModal(self.tapp.lang, ref, message.message, describe(edit, self.tr)), decided)

    @work(thread=True, group="edit")
    def _reapply(self, edit: Edit) -> None:
        """Reapply on top of what the other coordinator did: the version is read fresh."""
        version = self.tapp.source.task(edit.task_id).task.version
        self.app.call_from_thread(self._apply, edit, version)


def describe(edit: Edit, tr: Tr) -> str:
    """What an edit would do, in words (the conflict dialog shows it)."""
    if edit.kind == "status":
        text = f"{tr('col.status')} -> {tr(f'status.{edit.status}')}"
    elif edit.kind == "progress":
        text = f"{tr('col.progress')} -> {edit.progress}%"
    elif edit.kind == "assign":
        text = f"{tr('key.assign')}: {edit.unit} ({tr(f'role.{edit.role}')})"
    elif edit.kind == "unassign":
        text = f"{tr('key.unassign')}: {edit.unit}"
    elif edit.kind == "confirm":
        text = f"{tr('key.confirm')}: {edit.unit or tr('confirm_all')}"
    elif edit.kind == "due":
        text = f"{tr('col.due')} -> {edit.day}"
    elif edit.kind == "trigger":
        text = f"{tr('key.trigger')}: {edit.day}"
    else:
        text = tr("key.note")
    if edit.note:
        text += f" ({edit.note})"
    return text
