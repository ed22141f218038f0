"""plan-tracker's TUI for the coordinating office: ``make_app`` builds it for the CLI
(``tracker tui``, ``tracker start``) and for every test.

Four screens (modes): main (sidebar, task table, detail), overdue (the coordinating
office's summary), targets (indicators) and timeline. The app holds what they share: the
data source, the language, the as-of date (every screen shows the plans as they stood on
it) and the overview counts in the header.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive, var
from textual.worker import get_current_worker

from tracker.errors import TrackerError
from tracker.services.tasklist import BrowseQuery
from tui.commands import KeyCommands
from tui.data import Source
from tui.i18n import Tr, localize_bindings
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.modals import AsOfModal, ChoiceModal
from tui.screens.overdue import OverdueScreen
from tui.screens.targets import TargetsScreen
from tui.screens.timeline import TimelineScreen

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tracker.services.tasklist import Overview
    from tracker.settings import Settings


@dataclass
class Stats:
    """Latency figures taken inside the app (bench/tui.py reads them)."""

    key_at: float | None = None  # a key reached the search box
    filter_latency: float | None = None  # → the table showed the new listing's first rows
    count_latency: float | None = None  # → the new listing was complete (total known)

    def reset(self) -> None:
        self.key_at = self.filter_latency = self.count_latency = None


class TrackerApp(App[None]):
    """The coordinators' TUI."""

    CSS_PATH = "app.tcss"
    TITLE = "plan-tracker"
    MODES: ClassVar[dict[str, Any]] = {
        "main": MainScreen,
        "overdue": OverdueScreen,
        "targets": TargetsScreen,
        "timeline": TimelineScreen,
    }
    DEFAULT_MODE = "main"
    COMMANDS = App.COMMANDS | {KeyCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "show('main')", "tui.key.screen_main", show=False, id="app.main"),
        Binding("2", "show('overdue')", "tui.key.screen_overdue", show=False, id="app.overdue"),
        Binding("3", "show('targets')", "tui.key.screen_targets", show=False, id="app.targets"),
        Binding("4", "show('timeline')", "tui.key.screen_timeline", show=False, id="app.timeline"),
        Binding("A", "as_of", "tui.key.as_of", show=False, id="app.as_of"),
        Binding("e", "export_feeds", "tui.key.export_feeds", show=False, id="app.export_feeds"),
        Binding("w", "write_notice", "tui.key.write_notice", show=False, id="app.write_notice"),
        Binding("question_mark", "help", "tui.key.help", key_display="?", id="app.help"),
        Binding("q", "quit", "tui.key.quit", id="app.quit"),
    ]

    as_of: reactive[date] = reactive(date(2000, 1, 1), init=False)
    overview: var[Overview | None] = var(None)
    data_version: var[int] = var(0)
    """Bumped by every edit made here: screens that show derived figures reload when shown."""

    @dataclass
    class Written(Message):
        message: str
        error: bool = False

    def __init__(self, source: Source, lang: str, as_of: date, db_label: str) -> None:
        super().__init__()
        self.source = source
        self.settings = source.settings
        self.lang = lang
        self.tr = Tr(lang)
        self.db_label = db_label
        self.stats = Stats()
        self.set_reactive(TrackerApp.as_of, as_of)
        localize_bindings(self, lang)

    @property
    def today(self) -> date:
        return datetime.now(ZoneInfo(self.settings.timezone)).date()

    # ------------------------------------------------------------------ screens
    def action_show(self, mode: str) -> None:
        if self.current_mode != mode:
            self.switch_mode(mode)

    def open_task(self, ref: str) -> None:
        """Show task ``ref`` on the main screen (from the overdue list, the palette…)."""

        def jump() -> None:
            if isinstance(self.screen, MainScreen):
                self.screen.jump_to(ref)

        if self.current_mode != "main":
            self.switch_mode("main")
        self.call_after_refresh(jump)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.lang))

    def action_as_of(self) -> None:
        def chosen(day: date | None) -> None:
            if day is not None and day != self.as_of:
                self.overview = None
                self.as_of = day
                self.refresh_overview()

        self.push_screen(AsOfModal(self.lang, self.as_of, self.today), chosen)

    # ------------------------------------------------------------------ shared data
    @work(thread=True, exclusive=True, group="overview")
    def refresh_overview(self) -> None:
        """Counts for the header and the sidebar, as of the app's date (filters ignored)."""
        as_of = self.as_of
        overview = self.source.overview(BrowseQuery(as_of=as_of, tz=self.settings.timezone))
        if not get_current_worker().is_cancelled and as_of == self.as_of:
            self.call_from_thread(setattr, self, "overview", overview)

    # ------------------------------------------------------------------ files
    def action_export_feeds(self) -> None:
        self.notify(self.tr("exporting"), markup=False)
        self._export_feeds(self.as_of)

    @work(thread=True, exclusive=True, group="files")
    def _export_feeds(self, as_of: date) -> None:
        try:
            report = self.source.export_feeds(as_of, self.lang)
        except (TrackerError, OSError) as exc:
            self.post_message(self.Written(str(exc), error=True))
            return
        self.post_message(self.Written(self.tr("exported", n=len(report.files), path=str(report.out_dir))))

    def action_write_notice(self) -> None:
        def chosen(fmt: str | None) -> None:
            if fmt:
                self.notify(self.tr("writing"), markup=False)
                self._write_notice(self.as_of, fmt)

        choices = [("docx", self.tr("notice_docx")), ("md", self.tr("notice_md"))]
        self.push_screen(ChoiceModal(self.lang, "notice_title", choices), chosen)

    @work(thread=True, exclusive=True, group="files")
    def _write_notice(self, as_of: date, fmt: str) -> None:
        try:
            path = self.source.write_notice(as_of, self.lang, fmt)
        except (TrackerError, OSError) as exc:
            self.post_message(self.Written(str(exc), error=True))
            return
        self.post_message(self.Written(self.tr("written", path=str(path))))

    def on_tracker_app_written(self, message: Written) -> None:
        self.notify(message.message, severity="error" if message.error else "information", timeout=10, markup=False)


def make_app(
    engine: Engine,
    settings: Settings,
    lang: str = "zh",
    as_of: date | None = None,
    *,
    actor: str | None = None,
    db_label: str | None = None,
) -> TrackerApp:
    """The app on ``engine``; as of today (in the office's time zone) unless ``as_of``.

    ``db_label`` is what the header calls the database (default: the SQLite file's name,
    or the server and database name).
    """
    from tracker.store.changes import default_actor

    source = Source(engine=engine, settings=settings, actor=actor or default_actor(), source_dirs=[settings.seeds_dir])
    day = as_of or datetime.now(ZoneInfo(settings.timezone)).date()
    return TrackerApp(source, lang, day, db_label or describe_db(engine))


def describe_db(engine: Engine) -> str:
    """The database, briefly: a SQLite file's name, or host/name for a server."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return Path(url.database).name if url.database else "sqlite"
    return f"{url.get_backend_name()}://{url.host or ''}/{url.database or ''}"
