"""The coordinator's dialogs. Each returns data (an :class:`~tui.data.Edit`, a date, a
query…) with ``dismiss`` and writes nothing itself: the main screen applies edits in a
worker, so a refused edit (a conflict) can still be reapplied or discarded.

Input is checked here only as far as a person needs an answer before leaving the dialog
(a date that does not parse, an empty reason); the rules themselves stay in tracker/ —
dates are read by :func:`tracker.services.tasks.parse_date`, whose message is shown as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tracker.errors import TrackerError
from tracker.labels import STATUS_CODES
from tui.data import Edit, Source
from tui.i18n import Tr, localize_bindings
from tui.text import cell_safe

T = TypeVar("T")


class FormModal(ModalScreen[T], Generic[T]):
    """A dialog with a title, fields, a line for errors and OK / Cancel.

    Enter in a field or ctrl+s submits; escape cancels (nothing is written).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "tui.key.cancel", id="modal.cancel"),
        Binding("ctrl+s", "submit", "tui.key.submit", id="modal.submit"),
    ]

    DEFAULT_CSS = """
    FormModal { align: center middle; }
    FormModal > Vertical {
        width: 70; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    FormModal .title { text-style: bold; width: 1fr; margin-bottom: 1; }
    FormModal .error { color: $error; width: 1fr; height: auto; }
    FormModal .hint { color: $text-muted; width: 1fr; }
    FormModal Input { width: 1fr; }
    FormModal OptionList { height: auto; max-height: 12; }
    FormModal .buttons { height: auto; align-horizontal: right; margin-top: 1; }
    FormModal Button { margin-left: 1; min-width: 10; }
    """

    title_key = "dialog"

    def __init__(self, lang: str, **title_values: object) -> None:
        super().__init__()
        self.lang = lang
        self.tr = Tr(lang)
        self._title_values = title_values
        localize_bindings(self, lang)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.tr(self.title_key, **self._title_values)), classes="title")
            yield from self.fields()
            yield Static("", classes="error", id="error")
            with Horizontal(classes="buttons"):
                yield Button(self.tr("ok"), variant="primary", id="ok")
                yield Button(self.tr("cancel"), id="cancel")

    def fields(self) -> ComposeResult:
        yield from ()

    def result(self) -> T:
        """The dialog's value; raise TrackerError (or ValueError) to refuse with a message."""
        raise NotImplementedError

    def error(self, message: str) -> None:
        self.query_one("#error", Static).update(Text(message))

    def action_submit(self) -> None:
        try:
            value = self.result()
        except (TrackerError, ValueError) as exc:
            self.error(str(exc))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)  # type: ignore[arg-type]

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    # helpers
    def value_of(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def optional_date(self, widget_id: str) -> date | None:
        text = self.value_of(widget_id)
        if not text:
            return None
        from tracker.services.tasks import parse_date

        return parse_date(text)


def _date_input(tr: Tr, widget_id: str, value: str = "") -> Input:
    return Input(value=value, placeholder="YYYY-MM-DD", id=widget_id, max_length=12)


class StatusModal(FormModal[Edit | None]):
    """The five statuses, a note and an optional effective date (default: now)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(str(i + 1), f"pick({i})", f"tui.status_key_{i + 1}", show=False, id=f"status.pick{i + 1}")
        for i in range(len(STATUS_CODES))
    ]
    title_key = "status_title"

    def __init__(self, lang: str, task_id: int, ref: str, current: str) -> None:
        super().__init__(lang, ref=ref)
        self.task_id = task_id
        self.current = current

    def fields(self) -> ComposeResult:
        tr = self.tr
        options = [Option(Text(f"{i + 1}  {tr(f'status.{code}')}"), id=code) for i, code in enumerate(STATUS_CODES)]
        status = OptionList(*options, id="status")
        status.highlighted = STATUS_CODES.index(self.current) if self.current in STATUS_CODES else 0
        yield status
        yield Label(tr("note_label"))
        yield Input(id="note", placeholder=tr("note_placeholder"))
        yield Label(tr("effective_label"))
        yield _date_input(tr, "effective")

    def action_pick(self, index: int) -> None:
        self.query_one("#status", OptionList).highlighted = index
        self.query_one("#note", Input).focus()

    @on(OptionList.OptionSelected, "#status")
    def _chosen(self) -> None:
        self.query_one("#note", Input).focus()

    def result(self) -> Edit | None:
        status_list = self.query_one("#status", OptionList)
        index = status_list.highlighted if status_list.highlighted is not None else 0
        return Edit("status", self.task_id, status=STATUS_CODES[index], note=self.value_of("note") or None,
                    effective=self.optional_date("effective"))


class ProgressModal(FormModal[Edit | None]):
    title_key = "progress_title"

    def __init__(self, lang: str, task_id: int, ref: str, current: int) -> None:
        super().__init__(lang, ref=ref)
        self.task_id = task_id
        self.current = current

    def fields(self) -> ComposeResult:
        yield Label(self.tr("progress_label"))
        yield Input(value=str(self.current), id="progress", restrict=r"[0-9]*", max_length=3)
        yield Label(self.tr("note_label"))
        yield Input(id="note", placeholder=self.tr("note_placeholder"))

    def result(self) -> Edit | None:
        text = self.value_of("progress")
        if not text.isdigit() or not 0 <= int(text) <= 100:
            raise ValueError(self.tr("progress_invalid"))
        return Edit("progress", self.task_id, progress=int(text), note=self.value_of("note") or None)


class DueModal(FormModal[Edit | None]):
    """A new due date and the reason (required: it goes to History)."""

    title_key = "due_title"

    def __init__(self, lang: str, task_id: int, ref: str, current: date | None) -> None:
        super().__init__(lang, ref=ref)
        self.task_id = task_id
        self.current = current

    def fields(self) -> ComposeResult:
        yield Label(self.tr("due_label"))
        yield _date_input(self.tr, "due", self.current.isoformat() if self.current else "")
        yield Label(self.tr("reason_label"))
        yield Input(id="reason", placeholder=self.tr("reason_placeholder"))

    def result(self) -> Edit | None:
        day = self.optional_date("due")
        if day is None:
            raise ValueError(self.tr("date_required"))
        reason = self.value_of("reason")
        if not reason:
            raise ValueError(self.tr("reason_required"))
        return Edit("due", self.task_id, day=day, note=reason)


class TriggerModal(FormModal[Edit | None]):
    """The date a task's condition was met (上位法出台…), optional days to the deadline."""

    title_key = "trigger_title"

    def __init__(self, lang: str, task_id: int, ref: str, condition: str) -> None:
        super().__init__(lang, ref=ref)
        self.task_id = task_id
        self.condition = condition

    def fields(self) -> ComposeResult:
        yield Static(Text(f"{self.tr('word.condition')}: {self.condition}"), classes="hint")
        yield Label(self.tr("met_on_label"))
        yield _date_input(self.tr, "met_on")
        yield Label(self.tr("days_label"))
        yield Input(id="days", restrict=r"[0-9]*", max_length=4, placeholder=self.tr("days_placeholder"))
        yield Label(self.tr("note_label"))
        yield Input(id="note", placeholder=self.tr("note_placeholder"))

    def result(self) -> Edit | None:
        day = self.optional_date("met_on")
        if day is None:
            raise ValueError(self.tr("date_required"))
        days = self.value_of("days")
        return Edit("trigger", self.task_id, day=day, days=int(days) if days else None, note=self.value_of("note") or None)


class NoteModal(FormModal[Edit | None]):
    title_key = "note_title"

    def __init__(self, lang: str, task_id: int, ref: str) -> None:
        super().__init__(lang, ref=ref)
        self.task_id = task_id

    def fields(self) -> ComposeResult:
        yield Input(id="note", placeholder=self.tr("note_placeholder"))
        yield Label(self.tr("effective_label"))
        yield _date_input(self.tr, "effective")

    def result(self) -> Edit | None:
        note = self.value_of("note")
        if not note:
            raise ValueError(self.tr("note_required"))
        return Edit("note", self.task_id, note=note, effective=self.optional_date("effective"))


@dataclass(frozen=True)
class _Unit:
    name: str
    is_group: bool
    new: bool = False


class UnitPickerModal(FormModal[Edit | None]):
    """Assign an owner: search units as you type (names and aliases), pick one or create a
    new unit, choose lead or support."""

    title_key = "assign_title"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "tui.key.down", show=False, id="units.down"),
        Binding("up", "move(-1)", "tui.key.up", show=False, id="units.up"),
    ]

    def __init__(self, lang: str, source: Source, task_id: int, ref: str) -> None:
        super().__init__(lang, ref=ref)
        self.source = source
        self.task_id = task_id
        self._units: list[_Unit] = []

    def fields(self) -> ComposeResult:
        yield Input(id="search", placeholder=self.tr("unit_search_placeholder"))
        yield OptionList(id="units")
        role = Select([(self.tr("role.lead"), "lead"), (self.tr("role.support"), "support")], value="lead",
                      allow_blank=False, id="role", compact=True)
        with Horizontal(classes="buttons"):
            yield Label(self.tr("role_label"))
            yield role
            yield Checkbox(self.tr("new_is_group"), id="group", compact=True)

    def on_mount(self) -> None:
        self._search("")

    @on(Input.Changed, "#search")
    def _typed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @work(thread=True, exclusive=True, group="units")
    def _search(self, text: str) -> None:
        from tracker.store.units import normalise_unit_name

        units = self.source.units(text or None, task_id=self.task_id)  # the task's region only
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, normalise_unit_name(text), units)

    def _show(self, text: str, units: list[Any]) -> None:
        self._units = [_Unit(u.name, u.is_group) for u in units[:200]]
        # Creating a unit is a choice of its own, offered only for a name the region lacks
        # (compared as the importer stores names); the service refuses unknown names otherwise.
        if text and all(u.name != text and text not in u.aliases for u in units):
            self._units.append(_Unit(text, False, new=True))
        options = []
        for u in self._units:
            label = Text(cell_safe(u.name))
            if u.new:
                label = Text(self.tr("create_unit", name=u.name), style="italic")
            elif u.is_group:
                label.append(f" ({self.tr('group')})", style="dim")
            options.append(Option(label))
        listing = self.query_one("#units", OptionList)
        listing.set_options(options)
        if options:
            listing.highlighted = 0

    def action_move(self, delta: int) -> None:
        """Up/down in the search box move through the units found (the list keeps its own keys)."""
        listing = self.query_one("#units", OptionList)
        if listing.option_count:
            current = listing.highlighted if listing.highlighted is not None else -delta
            listing.highlighted = max(0, min(listing.option_count - 1, current + delta))

    @on(OptionList.OptionSelected, "#units")
    def _picked(self) -> None:
        self.action_submit()

    def result(self) -> Edit | None:
        listing = self.query_one("#units", OptionList)
        if listing.highlighted is None or not self._units:
            raise ValueError(self.tr("unit_required"))
        unit = self._units[listing.highlighted]
        role = self.query_one("#role", Select).value
        is_group = unit.is_group or (unit.new and self.query_one("#group", Checkbox).value)
        return Edit("assign", self.task_id, unit=unit.name, role=str(role), is_group=is_group, new_unit=unit.new)


class OwnerChoiceModal(FormModal[Edit | None]):
    """Pick one of the task's owners: to remove it (with a reason) or to confirm it."""

    def __init__(self, lang: str, kind: str, task_id: int, ref: str, owners: list[tuple[str, str, str]]) -> None:
        self.title_key = "unassign_title" if kind == "unassign" else "confirm_title"
        super().__init__(lang, ref=ref)
        self.kind = kind
        self.task_id = task_id
        self.owners = owners  # (name, role, provenance)

    def fields(self) -> ComposeResult:
        tr = self.tr
        options = []
        if self.kind == "confirm":
            options.append(Option(Text(tr("confirm_all")), id="\x00all"))
        for name, role, prov in self.owners:
            options.append(Option(Text(f"{tr(f'role.{role}')} {cell_safe(name)}  [{tr(f'provenance.{prov}')}]"), id=name))
        listing = OptionList(*options, id="owners")
        if options:
            listing.highlighted = 0
        yield listing
        if self.kind == "unassign":
            yield Label(tr("reason_label"))
            yield Input(id="note", placeholder=tr("reason_placeholder"))

    @on(OptionList.OptionSelected, "#owners")
    def _picked(self) -> None:
        if self.kind == "confirm":
            self.action_submit()
        else:
            self.query_one("#note", Input).focus()

    def result(self) -> Edit | None:
        listing = self.query_one("#owners", OptionList)
        if listing.highlighted is None:
            raise ValueError(self.tr("unit_required"))
        option = listing.get_option_at_index(listing.highlighted)
        if self.kind == "confirm":
            unit = None if option.id == "\x00all" else option.id
            return Edit("confirm", self.task_id, unit=unit)
        return Edit("unassign", self.task_id, unit=option.id, note=self.value_of("note") or None)


class JumpModal(FormModal[str | None]):
    """Jump to a task by ``plan:number`` (or its id)."""

    title_key = "jump_title"

    def __init__(self, lang: str, plan: str | None = None) -> None:
        super().__init__(lang)
        self.plan = plan

    def fields(self) -> ComposeResult:
        yield Static(Text(self.tr("jump_hint")), classes="hint")
        yield Input(value=f"{self.plan}:" if self.plan else "", id="ref", placeholder="yunnan-2020-2021:21")

    def result(self) -> str | None:
        ref = self.value_of("ref")
        if not ref:
            raise ValueError(self.tr("ref_required"))
        return ref


class AsOfModal(FormModal[date | None]):
    """Review the plans as they stood on another date."""

    title_key = "as_of_title"

    def __init__(self, lang: str, current: date, today: date) -> None:
        super().__init__(lang)
        self.current = current
        self.today = today

    def fields(self) -> ComposeResult:
        yield Static(Text(self.tr("as_of_hint", today=self.today.isoformat())), classes="hint")
        yield _date_input(self.tr, "as_of", self.current.isoformat())

    def result(self) -> date | None:
        return self.optional_date("as_of") or self.today


@dataclass(frozen=True)
class Filters:
    plan: str | None
    section: str | None
    unit: str | None
    status: str | None
    light: str | None


class FilterModal(FormModal[Filters | None]):
    """Filter by plan, section, unit, status and traffic light."""

    title_key = "filter_title"

    def __init__(self, lang: str, current: Filters, plans: list[str], sections: list[tuple[str, str]], units: list[str]) -> None:
        super().__init__(lang)
        self.current = current
        self.plans = plans
        self.sections = sections  # (plan, section)
        self.units = units

    def fields(self) -> ComposeResult:
        tr = self.tr
        c = self.current

        def select(widget_id: str, options: list[tuple[str, str]], value: str | None) -> Select[str]:
            values = {v for _, v in options}
            return Select([(Text(cell_safe(label)), v) for label, v in options], prompt=tr("any"),
                          value=value if value in values else Select.NULL, id=widget_id)

        yield Label(tr("col.plan"))
        yield select("plan", [(p, p) for p in self.plans], c.plan)
        yield Label(tr("col.section"))
        yield select("section", [(f"{p}: {s}", f"{p}\x00{s}") for p, s in self.sections],
                     f"{c.plan}\x00{c.section}" if c.section else None)
        yield Label(tr("col.owners"))
        yield select("unit", [(u, u) for u in self.units], c.unit)
        yield Label(tr("col.status"))
        yield select("status", [(tr(f"status.{s}"), s) for s in STATUS_CODES], c.status)
        yield Label(tr("light_label"))
        yield select("light", [(tr(f"light_{k}"), k) for k in ("red", "yellow", "green", "grey")], c.light)

    def _value(self, widget_id: str) -> str | None:
        value = self.query_one(f"#{widget_id}", Select).value
        return None if value is Select.NULL else str(value)

    def result(self) -> Filters | None:
        plan, section = self._value("plan"), None
        chosen = self._value("section")
        if chosen:
            section_plan, section = chosen.split("\x00", 1)
            plan = section_plan
        return Filters(plan, section, self._value("unit"), self._value("status"), self._value("light"))


class SortModal(FormModal[tuple[str, bool] | None]):
    """Sort by a column; choosing the current one again reverses the order."""

    title_key = "sort_title"
    KEYS = ("number", "title", "owners", "due", "light", "status", "progress")

    def __init__(self, lang: str, current: str, descending: bool) -> None:
        super().__init__(lang)
        self.current = current
        self.descending = descending

    def fields(self) -> ComposeResult:
        tr = self.tr
        names = {"light": tr("col_days_long"), "owners": tr("col.owners")}
        options = []
        for key in self.KEYS:
            name = names.get(key) or tr(f"col.{key}")
            mark = (" v" if self.descending else " ^") if key == self.current else ""
            options.append(Option(Text(name + mark), id=key))
        listing = OptionList(*options, id="sort")
        listing.highlighted = self.KEYS.index(self.current) if self.current in self.KEYS else 0
        yield listing

    @on(OptionList.OptionSelected, "#sort")
    def _picked(self) -> None:
        self.action_submit()

    def result(self) -> tuple[str, bool] | None:
        index = self.query_one("#sort", OptionList).highlighted or 0
        key = self.KEYS[index]
        return key, (not self.descending) if key == self.current else False


class ConflictModal(FormModal[str | None]):
    """Another coordinator changed the task first: show what changed and by whom; the user
    reapplies their edit on top, or discards it (nothing is lost silently)."""

    title_key = "conflict_title"

    def __init__(self, lang: str, ref: str, message: str, edit_text: str) -> None:
        super().__init__(lang, ref=ref)
        self.message = message
        self.edit_text = edit_text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.tr(self.title_key, **self._title_values)), classes="title")
            yield Static(Text(self.message), id="conflict-message")
            yield Static(Text(self.tr("your_edit", edit=self.edit_text), style="bold"), classes="hint")
            with Horizontal(classes="buttons"):
                yield Button(self.tr("reapply"), variant="warning", id="reapply")
                yield Button(self.tr("discard"), id="discard")

    @on(Button.Pressed, "#reapply")
    def _reapply(self) -> None:
        self.dismiss("reapply")

    @on(Button.Pressed, "#discard")
    def _discard(self) -> None:
        self.dismiss("discard")

    def action_submit(self) -> None:
        self.dismiss("reapply")

    def action_cancel(self) -> None:
        self.dismiss("discard")


class ChoiceModal(FormModal[str | None]):
    """Pick one of a few named choices (e.g. the notice's format)."""

    def __init__(self, lang: str, title_key: str, choices: list[tuple[str, str]]) -> None:
        self.title_key = title_key
        super().__init__(lang)
        self.choices = choices

    def fields(self) -> ComposeResult:
        listing = OptionList(*[Option(Text(label), id=key) for key, label in self.choices], id="choices")
        listing.highlighted = 0
        yield listing

    @on(OptionList.OptionSelected, "#choices")
    def _picked(self) -> None:
        self.action_submit()

    def result(self) -> str | None:
        listing = self.query_one("#choices", OptionList)
        return self.choices[listing.highlighted or 0][0]
