"""The task table: a virtual table over a listing of any size (100,000 tasks and more).

Textual's DataTable keeps every row in the widget (100k rows: seconds to load, seconds of
frozen UI). This table holds only the *ordered ids* of the listing and the rows near the
cursor; it draws lines itself (line API) and fetches missing rows a page at a time in a
thread worker as the cursor or the scroll position reaches them. Filtering and sorting
happen in SQL (tracker.services.tasklist); a new listing paints its first rows from a ``LIMIT``
query before the full id list is in.

Column text is made cell-safe (tui.text) so Chinese columns stay aligned in any terminal.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events, work
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

from tracker.services.tasklist import BrowseQuery, Cancelled, Interrupt, TaskRow
from tui.data import Source
from tui.i18n import Tr
from tui.text import fit, right

PAGE = 200  # rows fetched at a time
FIRST = 100  # rows of a new listing painted before its full id list is in (a screenful)
KEEP = 1000  # rows kept around the cursor; farther ones are dropped


@dataclass(frozen=True)
class Column:
    key: str  # also the sort key (tracker.services.tasklist.SORT_KEYS)
    label: str
    width: int  # fixed width, or the minimum of a flexible column
    flex: int = 0  # share of the spare width
    align: str = "left"


class TaskTable(ScrollView, can_focus=True):
    """Rows of tasks; the cursor row is the task the detail pane shows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "tui.key.up", show=False, id="table.up"),
        Binding("down,j", "cursor(1)", "tui.key.down", show=False, id="table.down"),
        Binding("pageup", "page(-1)", "tui.key.page_up", show=False, id="table.page_up"),
        Binding("pagedown", "page(1)", "tui.key.page_down", show=False, id="table.page_down"),
        Binding("home", "jump_to(0)", "tui.key.first", show=False, id="table.first"),
        Binding("end", "jump_to(-1)", "tui.key.last", show=False, id="table.last"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "task-table--header", "task-table--cursor", "task-table--red", "task-table--yellow",
        "task-table--green", "task-table--grey", "task-table--pending",
    }

    DEFAULT_CSS = """
    TaskTable { height: 1fr; overflow-x: hidden; }
    TaskTable > .task-table--header { text-style: bold; background: $panel; }
    TaskTable > .task-table--cursor { background: $block-cursor-blurred-background; }
    TaskTable:focus > .task-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    TaskTable > .task-table--red { color: $error; text-style: bold; }
    TaskTable > .task-table--yellow { color: $warning; }
    TaskTable > .task-table--green { color: $success; }
    TaskTable > .task-table--grey { color: $text-muted; }
    TaskTable > .task-table--pending { color: $text-muted; }
    """

    @dataclass
    class Highlighted(Message):
        """The cursor is on ``row`` (None: the listing is empty)."""

        table: TaskTable
        row: TaskRow | None

    @dataclass
    class Painted(Message):
        """The first rows of a new listing are on screen (``total`` None: still counting)."""

        table: TaskTable
        generation: int
        total: int | None

    @dataclass
    class SortRequested(Message):
        """A column header was clicked."""

        table: TaskTable
        key: str

    @dataclass
    class PageLoaded(Message):
        """Rows fetched for scrolling arrived (benchmarks and tests wait on this)."""

        table: TaskTable

    # Worker results, handled by the table itself (not bubbled).
    @dataclass
    class FirstRowsLoaded(Message, bubble=False):
        generation: int
        rows: list[TaskRow]

    @dataclass
    class IdsLoaded(Message, bubble=False):
        generation: int
        ids: list[int]
        keep: int | None

    @dataclass
    class RowsLoaded(Message, bubble=False):
        generation: int
        start: int
        rows: list[TaskRow]

    def __init__(self, source: Source, lang: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = source
        self.tr = Tr(lang)
        self.query_: BrowseQuery | None = None
        self.generation = 0
        self.ids: list[int] | None = None
        self.rows: dict[int, TaskRow] = {}
        self.cursor = 0
        self.total = 0
        self._counting = True
        self._pending: set[int] = set()
        self._interrupt = Interrupt()
        self._highlighted_id: int | None = -1
        self.first_paint_at: float | None = None  # when the first rows were on screen (bench)
        self.painted_at: float | None = None  # when the latest listing's first rows were on screen
        self.counted_at: float | None = None  # when the latest listing's full id list arrived
        self._moved_at: float | None = None
        self.move_latency: float | None = None  # cursor move to a row not yet fetched → row shown
        self._styles: dict[tuple[str, bool], Style] = {}
        self._lines: dict[tuple[object, ...], Strip] = {}  # rendered rows, reused while nothing changes
        self.columns = self._make_columns()
        self._widths: list[int] = [c.width for c in self.columns]
        self._widths_for = -1

    # ------------------------------------------------------------------ columns
    def _make_columns(self) -> list[Column]:
        tr = self.tr
        status_width = max(len(tr(f"status.{s}")) * (2 if tr.lang == "zh" else 1)
                           for s in ("todo", "doing", "done", "blocked", "cancelled"))
        return [
            Column("number", tr("col.number"), 8),
            Column("title", tr("col.title"), 12, flex=3),
            Column("owners", tr("col.owners"), 8, flex=2),
            Column("due", tr("col.due"), 10),
            Column("light", tr("col_days"), 5, align="right"),
            Column("status", tr("col.status"), max(status_width, 6)),
            Column("progress", tr("col_pct"), 4, align="right"),
        ]

    def _layout(self, width: int) -> list[int]:
        """Column widths for ``width`` cells: fixed columns first, the rest shared by weight."""
        gaps = len(self.columns)  # one space before each column
        fixed = sum(c.width for c in self.columns)
        spare = max(0, width - gaps - fixed)
        weights = sum(c.flex for c in self.columns) or 1
        widths = []
        for c in self.columns:
            widths.append(c.width + (spare * c.flex // weights if c.flex else 0))
        # Rounding leftovers go to the title.
        used = sum(widths) + gaps
        if used < width and any(c.flex for c in self.columns):
            widths[1] += width - used
        return widths

    def _fit_columns(self, width: int) -> None:
        """Lay the columns out for ``width`` (it changes when the scrollbar comes and goes)."""
        if width != self._widths_for:
            self._widths = self._layout(width)
            self._widths_for = width
            self._lines.clear()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._lines.clear()

    def _style(self, name: str) -> Style:
        """A component style (looked up once per focus state: the cursor differs)."""
        key = (name, self.has_focus)
        style = self._styles.get(key)
        if style is None:
            style = self.rich_style if name == "base" else self.get_component_rich_style(name)
            self._styles[key] = style
        return style

    def on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()
        self.refresh()

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.total + 1)

    # ------------------------------------------------------------------ loading
    def load(self, query: BrowseQuery, *, keep: int | None = None) -> None:
        """Show the listing of ``query``; keep the cursor on task ``keep`` if it is in it."""
        self.query_ = query
        self.generation += 1
        self._pending.clear()
        self._interrupt.cancel()  # the previous listing's query, if still running, stops
        self._interrupt = Interrupt()
        self._load(self.generation, query, keep, self._interrupt)

    def reload(self, *, keep: int | None = None) -> None:
        """Fetch the listing again (after a change), keeping the cursor on the same task."""
        if self.query_ is not None:
            current = self.current_row
            self.load(self.query_, keep=keep if keep is not None else (current.id if current else None))

    @work(thread=True, exclusive=True, group="table-load")
    def _load(self, generation: int, query: BrowseQuery, keep: int | None, interrupt: Interrupt) -> None:
        worker = get_current_worker()
        try:
            if keep is None:
                rows = self.source.first_rows(query, FIRST, interrupt)
                if worker.is_cancelled:
                    return
                self.post_message(self.FirstRowsLoaded(generation, rows))
            ids = self.source.ordered_ids(query, interrupt)
        except Cancelled:
            return
        if not worker.is_cancelled:
            self.post_message(self.IdsLoaded(generation, ids, keep))

    @work(thread=True, group="table-page")
    def _fetch(self, generation: int, start: int, ids: list[int], query: BrowseQuery) -> None:
        rows = self.source.rows_by_id(query, ids)
        self.post_message(self.RowsLoaded(generation, start, rows))

    def on_task_table_first_rows_loaded(self, message: FirstRowsLoaded) -> None:
        if message.generation != self.generation:
            return
        self.ids = None
        self.rows = dict(enumerate(message.rows))
        self.total = len(message.rows)
        self._counting = len(message.rows) >= FIRST
        self.cursor = 0
        self.scroll_to(y=0, animate=False, immediate=True)
        self._after_new_listing()

    def on_task_table_ids_loaded(self, message: IdsLoaded) -> None:
        if message.generation != self.generation:
            return
        fresh = self.ids is None and not self.rows
        self.ids = message.ids
        self.total = len(message.ids)
        self._counting = False
        self.counted_at = time.perf_counter()
        # Rows already shown stay only where they agree with the full listing.
        self.rows = {i: r for i, r in self.rows.items() if i < self.total and message.ids[i] == r.id}
        if message.keep is not None:
            try:
                self.cursor = message.ids.index(message.keep)
            except ValueError:
                self.cursor = min(self.cursor, max(0, self.total - 1))
            self.rows = {}
        else:
            self.cursor = min(self.cursor, max(0, self.total - 1))
        self._update_virtual_size()
        self._scroll_cursor_into_view(center=message.keep is not None)
        self._request_visible()
        if fresh or message.keep is not None:
            self._after_new_listing()
        else:
            self.post_message(self.Painted(self, self.generation, self.total))
        self.refresh()
        self._announce()

    def on_task_table_rows_loaded(self, message: RowsLoaded) -> None:
        if message.generation != self.generation:
            return
        for offset, row in enumerate(message.rows):
            self.rows[message.start + offset] = row
        if self._moved_at is not None and self.cursor in self.rows:
            moved_at = self._moved_at
            self._moved_at = None
            self.call_after_refresh(lambda: setattr(self, "move_latency", time.perf_counter() - moved_at))
        for page in range(message.start // PAGE, (message.start + max(1, len(message.rows)) - 1) // PAGE + 1):
            self._pending.discard(page)
        self._evict()
        self.refresh()
        self._announce()
        self.post_message(self.PageLoaded(self))

    def _after_new_listing(self) -> None:
        self._update_virtual_size()
        self.refresh()
        generation = self.generation

        def painted() -> None:
            if generation != self.generation:
                return
            now = time.perf_counter()
            self.painted_at = now
            if self.first_paint_at is None:
                self.first_paint_at = now
            self.post_message(self.Painted(self, generation, None if self._counting else self.total))

        self.call_after_refresh(painted)
        self._highlighted_id = -1
        self._announce()

    def _request_visible(self) -> None:
        """Fetch the pages of the rows on screen (and the next/previous page) not yet here."""
        if self.ids is None or self.query_ is None:
            return
        top = int(self.scroll_offset.y)
        height = max(1, self.scrollable_content_region.height - 1)
        lo = max(0, min(top, self.cursor) - PAGE // 2)
        hi = min(self.total, max(top + height, self.cursor + 1) + PAGE // 2)
        for page in range(lo // PAGE, (max(lo, hi - 1)) // PAGE + 1):
            start = page * PAGE
            end = min(self.total, start + PAGE)
            if start >= end or page in self._pending:
                continue
            if all(i in self.rows for i in range(max(start, lo), min(end, hi))):
                continue
            self._pending.add(page)
            self._fetch(self.generation, start, self.ids[start:end], self.query_)

    def _evict(self) -> None:
        if len(self.rows) <= KEEP:
            return
        keep = sorted(self.rows, key=lambda i: abs(i - self.cursor))[:KEEP]
        self.rows = {i: self.rows[i] for i in keep}

    def update_row(self, row: TaskRow) -> None:
        """Replace a row in place (after a change) without reloading the listing."""
        for i, r in list(self.rows.items()):
            if r.id == row.id:
                self.rows[i] = row
        self.refresh()

    # ------------------------------------------------------------------ cursor
    @property
    def current_row(self) -> TaskRow | None:
        return self.rows.get(self.cursor)

    def _announce(self) -> None:
        row = self.current_row
        row_id = row.id if row else None
        if self.total and row is None:
            return  # not fetched yet: announced when it arrives
        if row_id != self._highlighted_id:
            self._highlighted_id = row_id
            self.post_message(self.Highlighted(self, row))

    def move_to(self, index: int, *, center: bool = False) -> None:
        if self.total == 0:
            return
        previous = self.cursor
        self.cursor = max(0, min(index, self.total - 1))
        if self.cursor not in self.rows:
            self._moved_at, self.move_latency = time.perf_counter(), None
        if self._scroll_cursor_into_view(center=center):
            self.refresh()
        else:  # only the two rows whose cursor style changed are redrawn
            self.refresh_line(previous + 1)
            self.refresh_line(self.cursor + 1)
        self._request_visible()
        self._announce()

    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * max(1, self.scrollable_content_region.height - 2))

    def action_jump_to(self, index: int) -> None:
        self.move_to(self.total - 1 if index < 0 else index)

    def _scroll_cursor_into_view(self, *, center: bool = False) -> bool:
        """Scroll so the cursor row is visible; True if the view scrolled."""
        body = max(1, self.scrollable_content_region.height - 1)
        top = int(self.scroll_offset.y)
        if center:
            top = max(0, self.cursor - body // 2)
        elif self.cursor < top:
            top = self.cursor
        elif self.cursor >= top + body:
            top = self.cursor - body + 1
        if top != int(self.scroll_offset.y):
            self.scroll_to(y=top, animate=False, immediate=True)
            return True
        return False

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self._request_visible()

    async def _on_click(self, event: events.Click) -> None:
        y = event.y
        if y == 0:
            x = event.x
            for column, start, width in self._spans():
                if start <= x < start + width + 1:
                    self.post_message(self.SortRequested(self, column.key))
                    return
            return
        self.move_to(int(self.scroll_offset.y) + y - 1)

    def _spans(self) -> list[tuple[Column, int, int]]:
        self._fit_columns(self.scrollable_content_region.width)
        out, x = [], 0
        for column, width in zip(self.columns, self._widths):
            out.append((column, x, width))
            x += width + 1
        return out

    # ------------------------------------------------------------------ drawing
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        self._fit_columns(width)
        if y == 0:
            return self._header(width)
        index = int(self.scroll_offset.y) + y - 1
        if index >= self.total:
            return Strip.blank(width, self.rich_style)
        row = self.rows.get(index)
        if row is None:
            self._request_visible()
            return Strip([Segment(fit(" ...", width), self._style("task-table--pending"))], width)
        key = (row, index == self.cursor, width, self.has_focus)
        strip = self._lines.get(key)
        if strip is None:
            if len(self._lines) > 2 * KEEP:
                self._lines.clear()
            strip = self._lines[key] = self._row(row, width, index == self.cursor)
        return strip

    def _header(self, width: int) -> Strip:
        style = self._style("task-table--header")
        q = self.query_
        segments = []
        for column, w in zip(self.columns, self._widths):
            mark = ""
            if q is not None and q.sort == column.key:
                mark = "v" if q.descending else "^"
            text = (right if column.align == "right" else fit)(column.label + mark, w)
            segments.append(Segment(" " + text, style))
        return Strip(segments).adjust_cell_length(width, style)

    def _row(self, row: TaskRow, width: int, is_cursor: bool) -> Strip:
        base = self._style("base")
        cursor = self._style("task-table--cursor") if is_cursor else Style()
        light = self._style(f"task-table--{row.light}")
        tr = self.tr
        values = {
            "number": row.number,
            "title": row.title,
            "owners": row.owners,
            "due": self._due(row),
            "light": self._days(row),
            "status": tr(f"status.{row.status}"),
            "progress": f"{row.progress}%",
        }
        segments = []
        for column, w in zip(self.columns, self._widths):
            text = (right if column.align == "right" else fit)(values[column.key], w)
            style = base + cursor
            if column.key == "light":
                style = base + light + cursor if not is_cursor else base + cursor + Style(bold=True)
            segments.append(Segment(" " + text, style))
        used = sum(self._widths) + len(self._widths)
        return Strip(segments, used).adjust_cell_length(width, base + cursor)

    def _due(self, row: TaskRow) -> str:
        if row.due is not None:
            return row.due.isoformat()
        if row.condition:
            return self.tr("word.condition")
        if row.ongoing:
            return self.tr("word.ongoing")
        return "-"

    def _days(self, row: TaskRow) -> str:
        if row.days is None or row.light == "grey":
            return ""
        return f"{row.days:+d}"
