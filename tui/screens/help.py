"""`?`: every key of every screen, read from the same bindings the footer and the command
palette use (so the list cannot go stale)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui.i18n import Tr, localize_bindings
from tui.text import fit


def _bindings(cls: type) -> list[Binding]:
    out = []
    for b in getattr(cls, "BINDINGS", []):
        if isinstance(b, Binding) and b.description:
            out.append(b)
    return out


def key_sections() -> list[tuple[str, list[Binding]]]:
    """(section title key, bindings) for the help screen and the README."""
    from tui.app import TrackerApp
    from tui.screens.main import MainScreen
    from tui.screens.modals import FormModal
    from tui.screens.overdue import OverdueScreen
    from tui.screens.targets import TargetsScreen
    from tui.screens.timeline import TimelineScreen, TimelineView
    from tui.widgets.task_table import TaskTable

    # The status dialog's five digit keys, listed as one line.
    pick = Binding("1,2,3,4,5", "pick", "tui.status_keys", key_display="1-5", id="status.pick")

    return [
        ("help_app", _bindings(TrackerApp)),
        ("help_main", _bindings(MainScreen) + _bindings(TaskTable)),
        ("help_overdue", _bindings(OverdueScreen)),
        ("help_targets", _bindings(TargetsScreen)),
        ("help_timeline", _bindings(TimelineScreen) + _bindings(TimelineView)),
        ("help_dialogs", [*_bindings(FormModal), pick]),
    ]


def key_name(b: Binding) -> str:
    if b.key_display:
        return b.key_display
    names = {"slash": "/", "question_mark": "?", "pageup": "PgUp", "pagedown": "PgDn", "escape": "Esc"}
    return ", ".join(names.get(k, k) for k in b.key.split(","))


class HelpScreen(ModalScreen[None]):
    """All keys, by screen; escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "tui.key.close", id="help.close"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 84; max-width: 100%; height: 90%; border: thick $primary; background: $surface; }
    HelpScreen Label { text-style: bold; width: 1fr; padding: 0 1; background: $panel; }
    HelpScreen VerticalScroll { padding: 0 1; }
    """

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.tr = Tr(lang)
        localize_bindings(self, lang)

    def compose(self) -> ComposeResult:
        tr = self.tr
        text = Text()
        for title, bindings in key_sections():
            text.append(tr(title) + "\n", style="bold underline")
            for b in bindings:
                description = tr(b.description) if b.description.startswith("tui.") else b.description
                text.append("  " + fit(key_name(b), 14), style="bold cyan")
                text.append(description + "\n")
            text.append("\n")
        text.append(tr("help_tab") + "\n", style="dim")
        text.append(tr("help_mouse") + "\n", style="dim")
        text.append(tr("help_palette") + "\n", style="dim")
        with Vertical():
            yield Label(tr("help_title"))
            with VerticalScroll():
                yield Static(text, id="help-text")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
