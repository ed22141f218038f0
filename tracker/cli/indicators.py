"""`tracker indicators` and `tracker record`: the quantified targets (指标) of the plans.

Thin like the rest of the CLI: parse options, call :mod:`tracker.store.indicators`, format. Kept in
its own module and attached to the app by :func:`register`, so the task commands in
:mod:`tracker.cli.main` and these evolve without stepping on each other.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from tracker.output.formatters import OutputFormat

if TYPE_CHECKING:
    from tracker.store.indicators import IndicatorView

# Words of the indicator views, zh / en (the shared catalogue stays with tracker.labels).
_LABELS: dict[str, tuple[str, str]] = {
    "id": ("编号", "ID"),
    "plan": ("规划", "Plan"),
    "name": ("指标", "Indicator"),
    "unit": ("单位", "Unit"),
    "path": ("基期→最新→目标", "Baseline→latest→target"),
    "progress": ("完成度", "Progress"),
    "baseline": ("基期值", "Baseline"),
    "baseline_year": ("基期年", "Baseline year"),
    "target": ("目标值", "Target"),
    "target_year": ("目标年", "Target year"),
    "comparator": ("口径", "Comparator"),
    "kind": ("属性", "Kind"),
    "latest": ("最新值", "Latest"),
    "latest_on": ("最新日期", "Latest on"),
    "progress_pct": ("完成度%", "Progress %"),
    "kind.expected": ("预期性", "expected"),
    "kind.binding": ("约束性", "binding"),
}
# How a target reads next to its number: 超过60万件 → ">600000".
_TARGET_MARKS = {"reach": "{}", "exceed": ">{}", "at_least": "≥{}", "about": "≈{}", "increase_pct": "+{}%", "add": "+{}"}
_BAR_CELLS = 10


def _label(key: str, lang: str) -> str:
    zh, en = _LABELS[key]
    return en if lang == "en" else zh


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:.10g}"


def target_text(view: IndicatorView) -> str:
    """The target with its comparator mark and year: ``≥80 (2025)``, ``+50% (2025)``."""
    if view.target is None:
        return "—"
    text = _TARGET_MARKS.get(view.comparator, "{}").format(_num(view.target))
    return f"{text} ({view.target_year})" if view.target_year else text


def path_text(view: IndicatorView) -> str:
    """Baseline → latest reading → target, each with its year or date."""
    baseline = _num(view.baseline) + (f" ({view.baseline_year})" if view.baseline_year and view.baseline is not None else "")
    latest = _num(view.latest) + (f" ({view.latest_on})" if view.latest_on else "")
    return f"{baseline} → {latest} → {target_text(view)}"


def progress_bar(pct: float | None) -> str:
    """A ten-cell text bar and the percentage; the bar is clamped to 0–100, the number is not.

    >>> progress_bar(45.0), progress_bar(None)
    ('████▌░░░░░  45.0%', '—')
    """
    if pct is None:
        return "—"
    filled = max(0.0, min(100.0, pct)) / 100 * _BAR_CELLS
    whole = int(filled)
    half = "▌" if filled - whole >= 0.5 and whole < _BAR_CELLS else ""
    bar = "█" * whole + half + "░" * (_BAR_CELLS - whole - len(half))
    return f"{bar} {pct:5.1f}%"


def _csv_rows(views: list[IndicatorView], lang: str) -> tuple[list[str], list[list[Any]]]:
    keys = ["id", "plan", "name", "unit", "baseline", "baseline_year", "target", "target_year", "comparator", "kind",
            "latest", "latest_on", "progress_pct"]
    rows = []
    for v in views:
        data = v.to_json()
        data["progress_pct"] = v.progress_pct
        rows.append([data[k] for k in keys])
    return [_label(k, lang) for k in keys], rows


def _print(views: list[IndicatorView], fmt: OutputFormat, lang: str) -> None:
    from tracker.cli.main import _out
    from tracker.output.formatters import make_console, render_table, to_csv, to_json

    if fmt == OutputFormat.json:
        _out(to_json([v.to_json() for v in views]))
        return
    if fmt == OutputFormat.csv:
        headers, rows = _csv_rows(views, lang)
        _out(to_csv(headers, rows))
        return
    headers = [_label(k, lang) for k in ("id", "plan", "name", "unit", "path", "progress")]
    rows = [[v.id, v.plan, v.name, v.unit, path_text(v), progress_bar(v.progress_pct)] for v in views]
    make_console().print(render_table(headers, rows, max_widths={2: 36}))


def _actor(explicit: str | None) -> str:
    """Who records: --actor, else TRACKER_ACTOR, else the login name."""
    if explicit:
        return explicit
    if os.environ.get("TRACKER_ACTOR"):
        return os.environ["TRACKER_ACTOR"]
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return "unknown"


def register(app: typer.Typer) -> None:
    """Attach the indicator commands to the `tracker` app."""

    @app.command("indicators")
    def indicators_cmd(
        ctx: typer.Context,
        plan: Annotated[Optional[str], typer.Option("--plan", help="规划代号 / plan slug")] = None,
        fmt: Annotated[OutputFormat, typer.Option("--format", help="table|json|csv")] = OutputFormat.table,
    ) -> None:
        """列出量化指标：基期→最新→目标与完成度 / list quantified targets: baseline → latest → target, progress.

        Example: tracker indicators --plan sichuan-2021-2025 --format json
        """
        from tracker.cli.main import _ctx
        from tracker.store.indicators import list_indicators

        c = _ctx(ctx)
        _print(list_indicators(c.engine(), plan), fmt, c.language)

    @app.command("record")
    def record_cmd(
        ctx: typer.Context,
        indicator: Annotated[str, typer.Argument(help="指标编号 或 规划代号:指标名称 / id or SLUG:NAME, e.g. sichuan-2021-2025:质押融资")],
        value: Annotated[str, typer.Argument(help="读数 / the value reached, in the indicator's unit")],
        on: Annotated[Optional[str], typer.Option("--on", help="读数日期 / date of the reading, YYYY-MM-DD (default today)")] = None,
        note: Annotated[Optional[str], typer.Option("--note", help="备注（来源等）/ note, e.g. the source of the figure")] = None,
        actor: Annotated[Optional[str], typer.Option("--actor", help="记录人 / who records; env TRACKER_ACTOR, else the login name")] = None,
        fmt: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = OutputFormat.table,
    ) -> None:
        """记录指标读数 / record the value an indicator reached on a date.

        Example: tracker record sichuan-2021-2025:质押融资 85 --on 2023-12-31 --note 省知识产权局年报
        """
        from tracker.cli.main import _ctx, _date, _out
        from tracker.output.formatters import to_json
        from tracker.store.indicators import parse_value, record_reading, today_in

        c = _ctx(ctx)
        number = parse_value(value)
        today = today_in(c.settings.timezone)
        when = _date(on, "读数日期") or today
        view = record_reading(c.engine(), indicator, number, when, note, _actor(actor), today=today)
        if fmt == OutputFormat.json:
            _out(to_json(view.to_json()))
        else:
            _print([view], OutputFormat.table, c.language)
