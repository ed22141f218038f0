"""The sidebar: plans as a tree (plan → sections, with task and overdue counts) and the
units (overdue count each, groups marked). Choosing a node filters the task table."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, OptionList, Tree
from textual.widgets.option_list import Option

from tracker.services.tasklist import Overview, SectionCount
from tui.i18n import Tr
from tui.text import cell_safe, fit

ALL = "\x00all"  # option id of "all units" (no unit name can contain NUL)
NAME_WIDTH = 18  # cells of a unit's name in the list (longer names are cut)


@dataclass
class _Node:
    """A plan or a section path prefix, with the counts of everything below it."""

    plan: str
    section: str | None
    label: str
    tasks: int = 0
    red: int = 0
    children: dict[str, _Node] = field(default_factory=dict)


def section_tree(sections: list[SectionCount]) -> list[_Node]:
    """Plans with their sections nested by heading path ("一、… / （三）…"), counts summed up."""
    plans: dict[str, _Node] = {}
    for s in sections:
        plan = plans.setdefault(s.plan, _Node(s.plan, None, s.plan_title))
        plan.tasks += s.tasks
        plan.red += s.red
        if not s.section:
            continue
        node, path = plan, []
        for part in s.section.split(" / "):
            path.append(part)
            node = node.children.setdefault(part, _Node(s.plan, " / ".join(path), part))
            node.tasks += s.tasks
            node.red += s.red
    return list(plans.values())


class Sidebar(Vertical):
    """Plan tree above, unit list below."""

    DEFAULT_CSS = """
    Sidebar { width: 32; }
    Sidebar Tree { height: 2fr; }
    Sidebar OptionList { height: 1fr; }
    Sidebar Label { width: 1fr; background: $panel; padding: 0 1; text-style: bold; }
    """

    @dataclass
    class PlanChosen(Message):
        """A plan (section None) or a section was chosen; plan None means all plans."""

        sidebar: Sidebar
        plan: str | None
        section: str | None

    @dataclass
    class UnitChosen(Message):
        sidebar: Sidebar
        unit: str | None

    def __init__(self, lang: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tr = Tr(lang)

    def compose(self) -> ComposeResult:
        tree: Tree[tuple[str | None, str | None]] = Tree(Text(self.tr("all_plans")), data=(None, None), id="plan-tree")
        tree.show_root = True
        tree.guide_depth = 2
        yield tree
        yield Label(self.tr("units_title"))
        yield OptionList(id="unit-list")

    def show(self, overview: Overview) -> None:
        tree = self.query_one("#plan-tree", Tree)
        expanded = {str(n.data) for n in _walk(tree.root) if n.is_expanded}
        tree.clear()
        tree.root.set_label(self._label(self.tr("all_plans"), overview.tasks, overview.lights.get("red", 0)))
        for plan in section_tree(overview.sections):
            node = tree.root.add(self._label(f"{plan.plan}", plan.tasks, plan.red), data=(plan.plan, None))
            self._add(node, plan, expanded)
            if str(node.data) in expanded:
                node.expand()
        tree.root.expand()
        units = self.query_one("#unit-list", OptionList)
        highlighted = units.highlighted
        options = [Option(Text(self.tr("all_units")), id=ALL)]
        for u in overview.units:
            text = Text()
            text.append(fit(u.name, NAME_WIDTH).rstrip())
            if u.is_group:
                text.append(f" ({self.tr('group')})", style="dim")
            text.append(f" {u.tasks}", style="dim")
            if u.red:
                text.append(f" !{u.red}", style="bold red")
            options.append(Option(text, id=u.name))
        units.set_options(options)
        if highlighted is not None and highlighted < len(options):
            units.highlighted = highlighted

    def _add(self, parent: object, node: _Node, expanded: set[str]) -> None:
        for child in node.children.values():
            data = (child.plan, child.section)
            label = self._label(child.label, child.tasks, child.red)
            if child.children:
                sub = parent.add(label, data=data)  # type: ignore[attr-defined]
                self._add(sub, child, expanded)
                if str(data) in expanded:
                    sub.expand()
            else:
                parent.add_leaf(label, data=data)  # type: ignore[attr-defined]

    def _label(self, name: str, tasks: int, red: int) -> Text:
        text = Text(cell_safe(name))
        text.append(f" {tasks}", style="dim")
        if red:
            text.append(f" !{red}", style="bold red")
        return text

    def on_tree_node_selected(self, event: Tree.NodeSelected[tuple[str | None, str | None]]) -> None:
        event.stop()
        plan, section = event.node.data or (None, None)
        self.post_message(self.PlanChosen(self, plan, section))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        unit = None if event.option.id == ALL else event.option.id
        self.post_message(self.UnitChosen(self, unit))


def _walk(node: object) -> list:  # type: ignore[type-arg]
    out = [node]
    for child in getattr(node, "children", []):
        out += _walk(child)
    return out
