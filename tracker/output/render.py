"""Turning service results into what people read in a terminal (and their JSON twins).

Kept apart from services so the TUI can reuse the services without Rich tables, and from
the CLI so the CLI stays a thin list of commands.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Group
from rich.text import Text

from tracker.labels import label
from tracker.output.formatters import make_console, render_table
from tracker.textsafe import printable

if TYPE_CHECKING:  # the service layer loads SQLAlchemy: `tracker overdue` needs none of it
    from rich.console import Console

    from tracker.asof.lateness import Summary
    from tracker.services.tasks import HistoryEntry, TaskDetail, TaskView
    from tracker.store.importer import ImportReport


def owners_text(task: TaskView, lang: str, *, mark_inferred: bool = True) -> str:
    """Owners lead first; inferred ones marked with ? until a coordinator confirms them."""
    parts = []
    for o in task.owners:
        name = o.name + ("?" if mark_inferred and o.provenance == "inferred" else "")
        parts.append(name)
    return "、".join(parts)


def due_text(task: TaskView, lang: str) -> str:
    if task.due and task.start:
        return f"{task.start}–{task.due}"
    if task.due:
        suffix = "+" if task.ongoing else ""
        return f"{task.due}{suffix}"
    if task.condition:
        return label("word.condition", lang) + "：" + task.condition
    if task.ongoing:
        return label("word.ongoing", lang)
    return task.due_text or label("word.none", lang)


def task_table_rows(tasks: list[TaskView], lang: str, *, full: bool = False) -> tuple[list[str], list[list[Any]]]:
    keys = ["plan", "number", "section", "title", "owners", "due", "status", "progress", "review"]
    headers = [label(f"col.{k}", lang) for k in keys]
    rows: list[list[Any]] = []
    for t in tasks:
        rows.append([
            t.plan,
            t.number,
            t.section if full else t.section.split(" / ")[-1],
            t.title,
            owners_text(t, lang),
            due_text(t, lang),
            label(f"status.{t.status}", lang),
            f"{t.progress}%",
            "!" if t.needs_review else "",
        ])
    if full:
        headers += ["due_text", "text"]
        for row, t in zip(rows, tasks):
            row += [t.due_text or "", t.text]
    return headers, rows


def task_table(tasks: list[TaskView], lang: str) -> Any:
    headers, rows = task_table_rows(tasks, lang)
    return render_table(headers, rows, max_widths={2: 18, 3: 36, 4: 28, 5: 24})


def print_task_detail(detail: TaskDetail, *, lang: str) -> None:
    t = detail.task
    console = make_console()
    head = Text(f"{t.plan}:{t.number}  {t.title}", style="bold")
    meta = [
        f"{label('col.plan', lang)}：{detail.plan_title}（{t.plan}）",
        f"{label('col.section', lang)}：{t.section}",
        f"{label('col.due', lang)}：{due_text(t, lang)}"
        + (f"（{label('due_source.' + t.due_source, lang)}）" if t.due_source else "")
        + (f"  原文：{t.due_text}" if t.due_text else ""),
        f"{label('col.status', lang)}：{label('status.' + t.status, lang)}  {label('col.progress', lang)}：{t.progress}%",
    ]
    if t.needs_review:
        meta.append(f"{label('word.needs_review', lang)}：{t.review_reason or ''}")
    source = Text()
    for no, line in detail.source_lines:
        source.append(f"{no:>5} │ ", style="dim")
        source.append(line + "\n")
    owners = Text()
    for o in t.owners:
        owners.append(f"  {printable(o.name)}", style="bold" if o.role == "lead" else "")
        owners.append(f"  [{label('role.' + o.role, lang)} · {label('provenance.' + o.provenance, lang)}]\n", style="dim")
    if not t.owners:
        owners.append("  " + label("word.none", lang) + "\n")
    history = Text()
    for h in detail.history:
        # Stored text is printed escaped: a note cannot send the terminal escape sequences.
        history.append(printable(f"  {h.effective_at:%Y-%m-%d %H:%M}  {h.actor}  {h.field}: {h.old_value or ''} → {h.new_value or ''}"))
        history.append(f"  {printable(h.note)}\n" if h.note else "\n")
    if not detail.history:
        history.append("  " + label("word.none", lang) + "\n")
    console.print(head)
    console.print("\n".join(meta))
    from rich.panel import Panel

    console.print(Panel(source, title="原文 / source", title_align="left"))
    console.print(Group(Text(label("col.owners", lang), style="bold"), owners))
    console.print(Group(Text("历史 / history", style="bold"), history))


def history_json(history: list[HistoryEntry]) -> list[dict[str, Any]]:
    return [
        {
            "actor": h.actor,
            "recorded_at": h.recorded_at.isoformat(),
            "effective_at": h.effective_at.isoformat(),
            "field": h.field,
            "old_value": h.old_value,
            "new_value": h.new_value,
            "note": h.note,
        }
        for h in history
    ]


def task_detail_json(detail: TaskDetail) -> dict[str, Any]:
    data = detail.task.to_json()
    data["source_lines"] = [{"line": n, "text": s} for n, s in detail.source_lines]
    data["history"] = history_json(detail.history)
    return data


_LIGHT_STYLE = {"red": "bold red", "yellow": "yellow", "green": "green", "grey": "dim"}


def print_overdue(summary: Summary, lang: str) -> None:
    """The overdue summary for a terminal: totals, then each unit's late tasks worst first.

    Piped or redirected (no colours, 240 columns), the same bytes Rich would print are
    built here directly: Rich lays a table out at about a millisecond a row, and a report on
    100,000 tasks lists tens of thousands (see :func:`plain_table`).
    """
    from tracker.services.reports import as_of_title, counts_text, group_title, status_label

    console = make_console()
    zh = lang != "en"
    head = ("逾期情况汇总 " if zh else "Overdue summary ") + as_of_title(summary.as_of, lang)
    totals = (
        (f"任务 {summary.tasks} 项；逾期 {summary.overdue} 项，督办逾期 {summary.review_overdue} 项；" if zh
         else f"{summary.tasks} tasks; {summary.overdue} overdue, {summary.review_overdue} review overdue; ")
        + counts_text(summary.totals, lang)
    )
    headers = (["序号", "任务", "期限", "逾期天数", "状态", "最近更新", "角色"] if zh
               else ["task", "title", "due", "days late", "status", "last update", "role"])
    widths = {0: 26, 1: 34}
    role_label = {role: label(f"role.{role}", lang) for role in ("lead", "support")}
    status_of: dict[str, str] = {}
    sections: list[tuple[str, str, list[list[Any]]]] = []  # (group title, its counts, rows)
    for g in summary.groups:
        if not g.overdue and not g.review_overdue:
            continue
        rows = []
        for t, role in g.overdue + g.review_overdue:
            status = status_of.get(t.status)
            if status is None:
                status = status_of[t.status] = status_label(t.status, lang)
            rows.append([
                t.ref, t.title, t.due.isoformat() if t.due else "", t.days_late, status,
                t.last_update.isoformat() if t.last_update else "—", role_label.get(role) or label(f"role.{role}", lang),
            ])
        sections.append((printable(group_title(g, lang)), "  " + counts_text(g.counts, lang), rows))
    quiet = sum(1 for g in summary.groups if not g.overdue and not g.review_overdue)
    tail = (f"另有 {quiet} 个单位无逾期任务。" if zh else f"{quiet} more units have nothing late.") if quiet else None

    if _plain_console(console):
        out: list[str] = [head, totals]
        memo: dict[str, int] = {}
        for name, counts, rows in sections:
            title = f"{name} {counts}"  # Rich joins the two texts with a space
            table = plain_table(headers, rows, widths, memo)
            if table is None or not _plain_line(title):
                break
            out += ["", title, table]
        else:
            if tail is not None:
                out += ["", tail]
            if all(_plain_line(line) for line in (head, totals)):
                console.file.write("\n".join(out) + "\n")
                return
    console.print(Text(head, style="bold"))
    console.print(totals)
    for name, counts, rows in sections:
        console.print()
        console.print(Text(name, style="bold"), Text(counts, style="dim"))
        console.print(render_table(headers, rows, max_widths=widths))
    if tail is not None:
        console.print(f"\n{tail}")


# What Rich could treat differently from plain text: markup ([…]), emoji codes (:name:),
# control characters (stripped), tabs and line breaks (expanded, split).
_NOT_PLAIN = re.compile("[\\[\x00-\x1f\x7f-\x9f\u2028\u2029]|:\\S*?:")
_PLAIN_WIDTH = 240  # tracker.output.formatters.make_console: the width of piped output


def _plain_console(console: Console) -> bool:
    """Whether ``console`` prints plain UTF-8 text 240 columns wide: no colours, no
    terminal, no Windows legacy or ASCII-only box drawing."""
    return (
        not console.is_terminal and console.color_system is None and not console.legacy_windows
        and not console.is_jupyter and console.width == _PLAIN_WIDTH
        and console.encoding.lower().replace("-", "").startswith("utf")
    )


def _plain_line(text: str) -> bool:
    from rich.cells import cell_len

    return _NOT_PLAIN.search(text) is None and cell_len(text) < _PLAIN_WIDTH


def _cut(text: str, cells: int, set_cell_size: Any) -> str:
    """``rich.cells.set_cell_size(text, cells)`` for text longer than ``cells``: the longest
    prefix that fits, a space where a wide character would straddle the edge. Done here for
    text whose every character is one or two cells wide (Chinese titles); anything else
    (zero-width, joiners) is left to Rich."""
    from rich.cells import get_character_cell_size

    used = 0
    for k, ch in enumerate(text):
        size = get_character_cell_size(ch)
        if size == 0 or ch in "\u200d\ufe0f":
            return str(set_cell_size(text, cells))
        if used + size > cells:
            return text[:k] + " " * (cells - used)
        used += size
    return str(set_cell_size(text, cells))


def plain_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], max_widths: dict[int, int], memo: dict[str, int] | None = None
) -> str | None:
    """A table as :func:`tracker.output.formatters.render_table` prints on a plain console, or
    None when Rich would print it differently (markup, control characters, too wide).

    The layout is Rich's, with Rich's own cell measures: each column as wide as its widest
    cell plus padding (one space, none at the table's outer edges), capped at its maximum;
    a cell too long is cut to one cell less and ends in …; heavy head box. ``memo`` keeps
    cell widths (-1: not plain) across the tables of one report.
    ``tests/unit/test_render_plain.py`` compares the bytes with Rich's on generated tables.
    """
    from rich.cells import cell_len, set_cell_size

    memo = {} if memo is None else memo
    n = len(headers)
    cells: list[list[str]] = []
    sizes: list[list[int]] = []
    for row in [headers, *rows]:
        if len(row) != n:
            return None
        texts = ["" if v is None else str(v) for v in row]
        measured = []
        for text in texts:
            size = memo.get(text)
            if size is None:
                size = memo[text] = -1 if _NOT_PLAIN.search(text) else cell_len(text)
            if size < 0:
                return None
            measured.append(size)
        cells.append(texts)
        sizes.append(measured)
    widths = [max(column) for column in zip(*sizes, strict=True)]
    for i, limit in max_widths.items():
        if i < n and widths[i] > limit:
            widths[i] = limit
    pads = [(0 if i == 0 else 1, 0 if i == n - 1 else 1) for i in range(n)]
    outer = [w + left + right for w, (left, right) in zip(widths, pads, strict=True)]
    if sum(outer) > _PLAIN_WIDTH - (n + 1):
        return None
    lefts = [" " * left for left, _ in pads]
    rights = [" " * right for _, right in pads]
    lines = ["┏" + "┳".join("━" * w for w in outer) + "┓"]
    for r, (texts, measured) in enumerate(zip(cells, sizes, strict=True)):
        parts = []
        for i in range(n):
            value, size, width = texts[i], measured[i], widths[i]
            if size > width:
                value = _cut(value, width - 1, set_cell_size) + "…"
            elif size < width:
                value += " " * (width - size)
            parts.append(lefts[i] + value + rights[i])
        bar = "┃" if r == 0 else "│"
        lines.append(bar + bar.join(parts) + bar)
        if r == 0:
            lines.append("┡" + "╇".join("━" * w for w in outer) + "┩")
    lines.append("└" + "┴".join("─" * w for w in outer) + "┘")
    return "\n".join(lines)


def import_report_json(report: ImportReport) -> dict[str, Any]:
    return {
        "dry_run": report.dry_run,
        "errors": report.errors,
        "plans": [
            {
                "slug": p.slug,
                "title": p.title,
                "source_file": p.source_file,
                "indicators": report.indicators.get(p.slug, 0),
                "tasks": p.tasks,
                "added": p.added,
                "changed": p.changed,
                "unchanged": p.unchanged,
                "owners": p.owners,
                "with_due": p.with_due,
                "ongoing": p.ongoing,
                "conditional": p.conditional,
                "needs_review": [{"line": r.line, "number": n, "reason": r.text} for n, r in p.needs_review],
                "needs_owner": p.needs_owner,
                "repairs": p.repairs,
                "withdrawn": p.withdrawn,
                "restored": p.restored,
                "identity": p.identity,
                "matched_by": p.matched_by,
                "same_as": p.same_as,
                "resembles": p.resembles.to_json() if p.resembles else None,
                "notes": p.notes,
                "doc_number": p.doc_number,
                "region": p.region or None,
                "changes": p.changes,
                "doubtful": p.doubtful,
            }
            for p in report.plans
        ],
    }


_MATCHED = {
    "replaces": ("按 --replaces 指定", "as --replaces says"),
    "file": ("同一文件", "same file"),
    "doc_number": ("文号相同", "same 文号"),
    "title": ("标题相同", "same title"),
}


def _identity_line(p: Any) -> str | None:
    """What the importer took the document for, when it is not plainly a first import."""
    if p.identity == "same":
        return f"[{p.slug}] 与已导入的 {p.same_as} 为同一文件（内容相同），未重复导入 / same document as {p.same_as} (same text): nothing imported again"
    if p.identity == "revision" and p.matched_by in _MATCHED and (p.matched_by != "file" or p.changes):
        zh, en = _MATCHED[p.matched_by]
        return f"[{p.slug}] 修订版（{zh}）/ revision of {p.slug} ({en})"
    if p.identity == "new" and p.resembles is not None:
        r = p.resembles
        return f"[{p.slug}] 新规划，与 {r.slug} 相似（{r.share:.0%} 的条目相同）/ new plan, resembles {r.slug} ({r.share:.0%} of items alike)"
    return None


def _deadline(due: str | None, text: str | None) -> str:
    return f"{due or '—'}（{text}）" if text else (due or "—")


def _print_changes(console: Any, p: Any) -> None:
    """A revision task by task, old → new: what a dry run is for."""
    for c in p.changes:
        kind = c["change"]
        if kind == "added":
            console.print(f"  + {c['number']} 新增 / added: {c['new_text']}  期限 / due {_deadline(c['new_due'], c['new_due_text'])}", markup=False)
        elif kind == "withdrawn":
            console.print(f"  - {c['number']} 撤销 / withdrawn: {c['old_text']}  期限 / due {_deadline(c['old_due'], c['old_due_text'])}", markup=False)
        else:
            word = "恢复 / restored" if kind == "restored" else "变更 / changed"
            number = c["number"] if c["old_number"] == c["number"] else f"{c['old_number']} → {c['number']}"
            console.print(f"  ~ {number} {word}:", markup=False)
            if c["old_text"] != c["new_text"]:
                console.print(f"      原文 / text: {c['old_text']}", markup=False)
                console.print(f"           → {c['new_text']}", markup=False)
            old_due, new_due = _deadline(c["old_due"], c["old_due_text"]), _deadline(c["new_due"], c["new_due_text"])
            if old_due != new_due:
                console.print(f"      期限 / due: {old_due} → {new_due}", markup=False)


def print_import_report(report: ImportReport, *, lang: str, stream: TextIO | None = None) -> None:
    console = make_console(stderr=stream is sys.stderr)
    title = "导入报告（试运行，未写入）/ import report (dry run)" if report.dry_run else "导入报告 / import report"
    headers = ["规划 / plan", "文件 / file", "任务 / tasks", "新增 / added", "原文变更 / changed",
               "撤销 / withdrawn", "有期限 / dated", "持续 / ongoing", "条件 / conditional", "责任单位 / owners",
               "待核 / review", "缺责任单位 / no owner"]
    rows = [
        [p.slug, p.source_file, p.tasks, len(p.added), len(p.changed), len(p.withdrawn), p.with_due, p.ongoing,
         p.conditional, p.owners, len(p.needs_review), len(p.needs_owner)]
        for p in report.plans
    ]
    console.print(render_table(headers, rows, title=title, max_widths={1: 30}))
    for p in report.plans:  # plain text: a slug in [brackets] is not Rich markup
        line = _identity_line(p)
        if line:
            console.print(line, markup=False)
        for note in p.notes:
            console.print(f"[{p.slug}] 注意 / note: {note}", markup=False)
        for d in p.doubtful:
            console.print(
                f"[{p.slug}] 疑似同一任务，未关联（按撤销 + 新增处理），请核对 / possible match not made (withdrawn + added), "
                f"check: {d['old_number']} → {d['number']} ({d['similarity']:.0%})", markup=False,
            )
        if report.dry_run and p.changes:
            _print_changes(console, p)
        # A first import adds every task: listing them all says nothing; a re-import's are news.
        if p.added and len(p.added) < p.tasks:
            console.print(f"[{p.slug}] 新增 / added: {'、'.join(p.added)}", markup=False)
        if p.changed:
            console.print(f"[{p.slug}] 原文变更 / changed text: {'、'.join(p.changed)}", markup=False)
        if p.withdrawn:
            console.print(f"[{p.slug}] 原文已删除，标为撤销 / withdrawn (gone from the document): {'、'.join(p.withdrawn)}", markup=False)
        if p.restored:
            console.print(f"[{p.slug}] 原文恢复 / restored: {'、'.join(p.restored)}", markup=False)
        if p.needs_review:
            console.print(f"[{p.slug}] 需人工核对 / needs review:", markup=False)
            for number, reason in p.needs_review:
                console.print(f"   {number}（第{reason.line}行 / line {reason.line}）: {reason.text}", markup=False)
        if p.needs_owner:
            console.print(f"[{p.slug}] 缺责任单位 / needs an owner: {'、'.join(p.needs_owner)}", markup=False)
        for note in p.repairs:
            console.print(f"[{p.slug}] 修复 / repair: {note}", markup=False)
    indicators = sum(report.indicators.values())
    console.print(
        f"合计 / total: {len(report.plans)} 个规划 / plans, {report.task_count} 项任务 / tasks, "
        f"{indicators} 项指标 / targets"
    )
