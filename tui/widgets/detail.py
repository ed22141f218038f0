"""The detail pane: everything about the task under the cursor.

Full text with its source line numbers, the deadline phrase as printed and where the due
date came from, owners with their provenance (inferred ones marked until a coordinator
confirms them), and the history, newest first. The status line shows the task as of the
app's as-of date (the table's row), which may differ from its current state.
"""

from __future__ import annotations

from datetime import date

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tracker.services.tasklist import TaskRow
from tracker.services.tasks import TaskDetail
from tui.i18n import Tr

LIGHT_STYLE = {"red": "bold red", "yellow": "yellow", "green": "green", "grey": "dim"}


class DetailPane(VerticalScroll, can_focus=True):
    """Scrollable text about one task; empty when no task is selected."""

    DEFAULT_CSS = """
    DetailPane { padding: 0 1; }
    DetailPane > Static { width: 1fr; }
    """

    def __init__(self, lang: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tr = Tr(lang)
        self.detail: TaskDetail | None = None
        self.row: TaskRow | None = None
        self._body = Static("", id="detail-body")

    def compose(self) -> ComposeResult:
        yield self._body

    def show(self, detail: TaskDetail | None, row: TaskRow | None, as_of: date) -> None:
        self.detail, self.row = detail, row
        self._body.update(self.render_detail(detail, row, as_of) if detail else Text(self.tr("detail_empty"), style="dim"))
        self.scroll_home(animate=False)

    def render_detail(self, d: TaskDetail, row: TaskRow | None, as_of: date) -> RenderableType:
        tr = self.tr
        t = d.task
        parts: list[RenderableType] = []
        parts.append(Text.assemble((f"{t.plan}:{t.number}", "bold"), "  ", (t.title, "bold")))
        parts.append(Text(f"{tr('col.plan')}: {d.plan_title} ({t.plan})", style="dim"))
        if t.section:
            parts.append(Text(f"{tr('col.section')}: {t.section}", style="dim"))

        status = row.status if row else t.status
        light = row.light if row else "grey"
        line = Text()
        line.append(f"{tr('col.status')}: ")
        line.append(tr(f"status.{status}"), style=LIGHT_STYLE.get(light, ""))
        line.append(f"  {tr('col.progress')}: {row.progress if row else t.progress}%")
        if row and row.days is not None and light != "grey":
            key = "days_late" if row.days < 0 else "days_left"
            line.append("  " + tr(key, n=abs(row.days)), style=LIGHT_STYLE.get(light, ""))
        line.append("  " + tr("as_of_short", date=as_of.isoformat()), style="dim")
        if row and (row.status != t.status):
            line.append("  " + tr("now_status", status=tr(f"status.{t.status}")), style="italic")
        parts.append(line)

        due = Text(f"{tr('col.due')}: ")
        due_day = row.due if row else t.due
        if t.start and due_day:
            due.append(f"{t.start} - {due_day}")
        elif due_day:
            due.append(due_day.isoformat())
        elif t.condition:
            due.append(f"{tr('word.condition')}: {t.condition}")
        elif t.ongoing:
            due.append(tr("word.ongoing"))
        else:
            due.append(tr("word.none"))
        if t.ongoing and due_day:
            due.append(f" ({tr('word.ongoing')})")
        if t.due_source:
            due.append(f"  [{tr(f'due_source.{t.due_source}')}]", style="dim")
        parts.append(due)
        if t.due_text:
            parts.append(Text(f"{tr('deadline_phrase')}: {t.due_text}", style="dim"))
        if t.needs_review:
            parts.append(Text(f"! {tr('word.needs_review')}: {t.review_reason or ''}", style="yellow"))

        parts.append(Text(""))
        parts.append(Text(tr("col.owners"), style="bold underline"))
        if not t.owners:
            parts.append(Text("  " + tr("no_owner"), style="yellow"))
        for o in t.owners:
            owner = Text("  ")
            owner.append(f"{tr(f'role.{o.role}')} ", style="dim")
            inferred = o.provenance == "inferred"
            owner.append(o.name + ("?" if inferred else ""), style="bold yellow" if inferred else "")
            if o.is_group:
                owner.append(f" ({tr('group')})", style="dim")
            owner.append(f"  [{tr(f'provenance.{o.provenance}')}]", style="yellow" if inferred else "dim")
            parts.append(owner)

        parts.append(Text(""))
        first, last = (d.source_lines[0][0], d.source_lines[-1][0]) if d.source_lines else (t.line_start, t.line_end)
        parts.append(Text(tr("source_lines", file=t.source_file, first=first, last=last), style="bold underline"))
        lines = Table.grid(padding=(0, 1), expand=True)
        lines.add_column(style="dim", justify="right", no_wrap=True)
        lines.add_column(ratio=1)
        for number, text in d.source_lines:
            lines.add_row(str(number), Text(text))
        parts.append(lines)

        parts.append(Text(""))
        parts.append(Text(tr("history_title"), style="bold underline"))
        if not d.history:
            parts.append(Text("  " + tr("history_empty"), style="dim"))
        for h in d.history:
            entry = Text("  ")
            entry.append(f"{h.effective_at:%Y-%m-%d}", style="dim")
            entry.append(f" {h.actor} ", style="cyan")
            entry.append(self._field(h.field))
            if h.field == "note":
                entry.append(f": {h.new_value or ''}")
            else:
                entry.append(f": {self._value(h.field, h.old_value)} -> {self._value(h.field, h.new_value)}")
            if h.note:
                entry.append(f"  ({h.note})", style="italic")
            if h.recorded_at.date() != h.effective_at.date():
                entry.append("  " + tr("recorded_on", date=f"{h.recorded_at:%Y-%m-%d}"), style="dim")
            parts.append(entry)
        return Group(*parts)

    def _field(self, name: str) -> str:
        return self.tr.get(f"field_{name}", name)

    def _value(self, field: str, value: str | None) -> str:
        if value is None or value == "":
            return self.tr("word.none")
        if field == "status":
            return self.tr(f"status.{value}")
        if field == "progress":
            return f"{value}%"
        if field == "due_source":
            return self.tr.get(f"due_source.{value}", value)
        return value
