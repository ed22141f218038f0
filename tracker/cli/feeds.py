"""Commands for calendar feeds: `tracker export ics`, `tracker serve`, `tracker feeds …`.

Thin wrappers over tracker.feeds.export (what a feed holds, files, secret addresses) and
tracker.feeds.server (the HTTP feed server). Listings go to stdout; progress and warnings to
stderr.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from tracker.output.formatters import OutputFormat

if TYPE_CHECKING:
    from tracker.feeds.ical import FeedOptions

DEFAULT_BASE_URL = "http://127.0.0.1:8080"

AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", help="以该日期判断逾期（默认今天，Asia/Shanghai）/ mark overdue as of DATE (default today)")]
HideDoneOpt = Annotated[bool, typer.Option("--hide-done", help="不含已完成、已取消的任务 / leave done and cancelled tasks out")]
DoneWindowOpt = Annotated[int, typer.Option("--done-window", help="略去完成超过 N 天的任务（0：全部保留）/ leave out tasks closed more than N days ago (0 keeps all)")]
AlarmOpt = Annotated[Optional[list[int]], typer.Option("--alarm", help="提前 N 天 9:00 提醒，可重复（默认 7 和 1）/ remind N days before at 09:00; repeatable (default 7 and 1)")]
NoAlarmsOpt = Annotated[bool, typer.Option("--no-alarms", help="不设提醒 / no reminders")]
RefreshOpt = Annotated[int, typer.Option("--refresh", help="建议客户端刷新间隔（小时）/ refresh hint for clients, hours")]
DescriptionOpt = Annotated[int, typer.Option("--description-chars", help="描述中原文最多字数 / longest task text in a description")]
BaseUrlOpt = Annotated[str, typer.Option("--base-url", envvar="TRACKER_FEED_URL", help="订阅服务的公开地址 / public address of `tracker serve`")]


def _options(
    ctx: typer.Context,
    *,
    hide_done: bool,
    done_window: int,
    alarm: list[int] | None,
    no_alarms: bool,
    refresh: int,
    description_chars: int,
) -> FeedOptions:
    from tracker.cli.main import _ctx
    from tracker.errors import UsageError
    from tracker.feeds.ical import FeedOptions

    c = _ctx(ctx)
    days = () if no_alarms else tuple(sorted(set(alarm or (7, 1)), reverse=True))
    if any(d < 0 or d > 366 for d in days):
        raise UsageError("--alarm 须在 0–366 天之间 / --alarm must be 0–366 days")
    if not (1 <= refresh <= 8784 and 0 <= done_window <= 36500 and 20 <= description_chars <= 1_000_000):
        raise UsageError(
            "--refresh 须为 1–8784 小时，--done-window 0–36500 天，--description-chars 20–1000000"
            " / --refresh must be 1–8784 hours, --done-window 0–36500 days, --description-chars 20–1000000"
        )
    return FeedOptions(
        lang=c.language, tz=c.settings.timezone, alarm_days=days, refresh=timedelta(hours=refresh),
        description_chars=description_chars, hide_done=hide_done, done_window_days=done_window or None,
    )


def _as_of(ctx: typer.Context, value: str | None) -> Any:
    from tracker.cli.main import _ctx, _date, _today

    return _date(value) or _today(_ctx(ctx))


def export_ics_cmd(
    ctx: typer.Context,
    owner: Annotated[Optional[str], typer.Option("--owner", help="只导出该责任单位的日历 / only this unit's feed")] = None,
    plan: Annotated[Optional[str], typer.Option("--plan", help="只导出该规划的日历 / only this plan's feed")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="输出目录（默认 exports/）/ output folder (default exports/)")] = None,
    todo: Annotated[bool, typer.Option("--todo", help="另写 VTODO 版本 *.todo.ics / also write VTODO feeds")] = False,
    as_of: AsOfOpt = None,
    hide_done: HideDoneOpt = False,
    done_window: DoneWindowOpt = 365,
    alarm: AlarmOpt = None,
    no_alarms: NoAlarmsOpt = False,
    refresh: RefreshOpt = 12,
    description_chars: DescriptionOpt = 1000,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = OutputFormat.table,
) -> None:
    """导出日历订阅文件（.ics）：每个责任单位、每个规划各一个，另有全部任务和 index.html / write calendar feeds.

    Example: tracker export ics --out exports/ --todo
    """
    from tracker.cli.main import _ctx, _out
    from tracker.feeds.export import export_ics

    c = _ctx(ctx)
    opts = _options(ctx, hide_done=hide_done, done_window=done_window, alarm=alarm, no_alarms=no_alarms,
                    refresh=refresh, description_chars=description_chars)
    target = out or c.settings.exports_dir
    report = export_ics(c.engine(), target, as_of=_as_of(ctx, as_of), opts=opts, owner=owner, plan=plan, todo=todo)
    if fmt == OutputFormat.json:
        from tracker.output.formatters import to_json

        _out(to_json(report.to_json()))
    else:
        from tracker.output.formatters import make_console, render_table

        zh = c.language != "en"
        headers = ["文件", "日历", "任务数", "事件数", "大小"] if zh else ["file", "calendar", "tasks", "events", "size"]
        rows = [[f.name, f.title, f.tasks, f.events, f"{f.size / 1024:,.1f} KB"] for f in report.files]
        make_console().print(render_table(headers, rows, max_widths={1: 40}))
    changed = sum(f.changed for f in report.files)
    typer.echo(
        f"已写入 {len(report.files)} 个日历到 {target}（{changed} 个有变化）/ wrote {len(report.files)} feeds to {target} ({changed} changed)"
        + ("；index.html" if report.index else ""),
        err=True,
    )
    if report.waiting:
        typer.echo(f"等待触发条件、未列入：{len(report.waiting)} 项 / waiting on a condition, left out: {len(report.waiting)}", err=True)
    if report.undated:
        typer.echo(f"没有日期、未列入：{'、'.join(report.undated)} / no date, left out", err=True)
    for warning in report.warnings:
        typer.echo(f"注意 / warning: {warning}", err=True)


def serve_cmd(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="监听地址（默认仅本机）/ address to bind (default: this machine only)")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口（0：任选空闲端口）/ port (0: any free port)")] = 8080,
    recheck: Annotated[float, typer.Option("--recheck", help="最多每隔几秒检查数据库变化 / check the database for changes at most every N seconds")] = 1.0,
    as_of: AsOfOpt = None,
    hide_done: HideDoneOpt = False,
    done_window: DoneWindowOpt = 365,
    alarm: AlarmOpt = None,
    no_alarms: NoAlarmsOpt = False,
    refresh: RefreshOpt = 12,
    description_chars: DescriptionOpt = 1000,
    verbose: Annotated[bool, typer.Option("--verbose", help="记录每个请求（不含令牌）/ log each request (tokens redacted)")] = False,
) -> None:
    """在秘密地址上提供各单位、各规划的日历订阅，直到 Ctrl-C / serve the feeds at their secret addresses until Ctrl-C.

    Example: tracker serve --port 8080   (then: tracker feeds list)
    """
    from tracker.cli.main import _ctx, _date
    from tracker.dates import check_count
    from tracker.errors import UsageError
    from tracker.feeds.export import ensure_addresses, load_secret
    from tracker.feeds.server import make_server

    check_count(port, "--port", high=65535)  # bind() raised an OverflowError past it
    if not 0 <= recheck <= 86400:  # also refuses nan
        raise UsageError("--recheck 须为 0–86400 秒 / --recheck must be 0–86400 seconds")
    c = _ctx(ctx)
    day = _date(as_of)
    engine = c.engine()
    opts = _options(ctx, hide_done=hide_done, done_window=done_window, alarm=alarm, no_alarms=no_alarms,
                    refresh=refresh, description_chars=description_chars)
    secret = load_secret(c.settings.data_dir)
    assert secret is not None
    addresses = ensure_addresses(engine, secret)  # new units get an address before anyone asks
    try:
        server = make_server(engine, host=host, port=port, opts=opts, recheck=recheck, as_of=day)
    except OSError as exc:
        raise UsageError(f"无法监听 {host}:{port}：{exc.strerror} / cannot listen on {host}:{port}") from exc
    typer.echo(
        f"日历订阅服务：{server.url} （{len(addresses)} 个地址，`tracker feeds list` 查看；Ctrl-C 停止）"
        f" / serving calendar feeds on {server.url} ({len(addresses)} addresses: tracker feeds list; Ctrl-C stops)",
        err=True,
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo("注意：服务对其他机器可见，请在前面加 HTTPS 反向代理 / note: reachable from other machines; put HTTPS in front", err=True)
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        typer.echo("已停止 / stopped", err=True)
    finally:
        server.server_close()


def feeds_list_cmd(
    ctx: typer.Context,
    base_url: BaseUrlOpt = DEFAULT_BASE_URL,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table|json|csv")] = OutputFormat.table,
) -> None:
    """列出各日历的秘密订阅地址（缺的会新建）/ print every feed's secret address (creating missing ones).

    Example: tracker feeds list --base-url https://feeds.example.gov.cn
    """
    from tracker.cli.main import _ctx, _out
    from tracker.feeds.export import ensure_addresses, load_secret, webcal

    c = _ctx(ctx)
    secret = load_secret(c.settings.data_dir)
    assert secret is not None
    addresses = ensure_addresses(c.engine(), secret)
    created = sum(a.created_now for a in addresses)
    if fmt == OutputFormat.json:
        from tracker.output.formatters import to_json

        _out(to_json([a.to_json(base_url) for a in addresses]))
    else:
        zh = c.language != "en"
        scope_words = {"all": "全部", "plan": "规划", "unit": "单位"} if zh else {"all": "all", "plan": "plan", "unit": "unit"}
        unknown = "（本机无法重现：请轮换）" if zh else "(not derivable here: rotate)"
        headers = ["类别", "日历", "订阅地址", "webcal"] if zh else ["kind", "calendar", "url", "webcal"]
        rows = []
        for a in addresses:
            url = a.url(base_url)
            rows.append([scope_words[a.scope], a.target or ("全部任务" if zh else "everything"), url or unknown,
                         webcal(url) if url else ""])
        if fmt == OutputFormat.csv:
            from tracker.output.formatters import to_csv

            _out(to_csv(headers, rows))
        else:
            from tracker.output.formatters import make_console, render_table

            make_console(width=400).print(render_table(headers, rows))
    if created:
        typer.echo(f"新建了 {created} 个订阅地址 / created {created} new addresses", err=True)
    if any(a.token is None for a in addresses):
        typer.echo("部分地址由另一台机器创建，本机无法显示 / some addresses were made on another machine and cannot be shown here", err=True)


def feeds_rotate_cmd(
    ctx: typer.Context,
    unit: Annotated[Optional[str], typer.Argument(help="责任单位 / unit name")] = None,
    plan: Annotated[Optional[str], typer.Option("--plan", help="轮换该规划的地址 / rotate this plan's address")] = None,
    everything: Annotated[bool, typer.Option("--all", help="轮换“全部任务”日历的地址 / rotate the all-tasks feed's address")] = False,
    base_url: BaseUrlOpt = DEFAULT_BASE_URL,
) -> None:
    """作废一个日历的订阅地址并生成新地址（旧地址从此 404）/ revoke a feed's address and make a new one.

    Example: tracker feeds rotate 省公安厅
    """
    from tracker.cli.main import _ctx, _out
    from tracker.errors import UsageError
    from tracker.feeds.export import load_secret, resolve_plan, resolve_unit, rotate, webcal

    c = _ctx(ctx)
    if sum(x is not None and x is not False for x in (unit, plan, everything)) != 1:
        raise UsageError("请给出一个单位、--plan SLUG 或 --all / give one unit, --plan SLUG or --all")
    engine = c.engine()
    if unit is not None:
        scope, target = "unit", resolve_unit(engine, unit)
    elif plan is not None:
        scope, target = "plan", resolve_plan(engine, plan)
    else:
        scope, target = "all", ""
    secret = load_secret(c.settings.data_dir)
    assert secret is not None
    address = rotate(engine, secret, scope, target)
    url = address.url(base_url)
    assert url is not None
    _out(f"{url}\n{webcal(url)}\n")
    typer.echo(f"已作废旧地址 / the old address of {target or 'all'} now answers 404", err=True)


def register(app: typer.Typer) -> None:
    """Add `export ics`, `serve` and `feeds list|rotate` to the app. Reuses an `export` group
    another module registered, so both sets of export commands live side by side."""
    export_app = next((g.typer_instance for g in app.registered_groups if g.name == "export" and g.typer_instance), None)
    if export_app is None:
        export_app = typer.Typer(help="导出 / export feeds and reports.", no_args_is_help=True)
        app.add_typer(export_app, name="export")
    export_app.command("ics")(export_ics_cmd)
    app.command("serve")(serve_cmd)
    feeds_app = typer.Typer(help="日历订阅地址 / secret calendar feed addresses.", no_args_is_help=True)
    feeds_app.command("list")(feeds_list_cmd)
    feeds_app.command("rotate")(feeds_rotate_cmd)
    app.add_typer(feeds_app, name="feeds")
