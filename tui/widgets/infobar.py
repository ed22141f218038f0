"""The header line: which screen, which database, the as-of date and the counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from tui.i18n import Tr

if TYPE_CHECKING:
    from tui.app import TrackerApp


class InfoBar(Static):
    """One line at the top of every screen; redrawn when the as-of date or counts change."""

    DEFAULT_CSS = """
    InfoBar { dock: top; height: 1; background: $primary-background; color: $text; padding: 0 1; }
    """

    def __init__(self, screen_key: str, lang: str) -> None:
        super().__init__("")
        self.screen_key = screen_key
        self.tr = Tr(lang)

    def on_mount(self) -> None:
        app: TrackerApp = self.app  # type: ignore[assignment]
        self.watch(app, "as_of", lambda _: self.redraw(), init=False)
        self.watch(app, "overview", lambda _: self.redraw(), init=False)
        self.redraw()

    def redraw(self) -> None:
        app: TrackerApp = self.app  # type: ignore[assignment]
        tr = self.tr
        text = Text()
        text.append(tr(f"screen_{self.screen_key}"), style="bold")
        text.append("  ")
        text.append(app.db_label, style="dim")
        text.append("  ")
        text.append(tr("as_of_header", date=app.as_of.isoformat()), style="bold")
        if app.as_of != app.today:
            text.append(" " + tr("reviewing"), style="italic")
        o = app.overview
        if o is not None:
            text.append("  ")
            text.append(tr("count_tasks", n=o.tasks))
            text.append("  ")
            text.append(tr("count_red", n=o.lights.get("red", 0)), style="bold red")
            text.append("  ")
            text.append(tr("count_yellow", n=o.lights.get("yellow", 0)), style="yellow")
            if o.inferred:
                text.append("  ")
                text.append(tr("count_inferred", n=o.inferred), style="dim")
        self.update(text, layout=False)  # always one line
