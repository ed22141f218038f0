"""Commands of the coordinating office: change tasks, read history, report who is late.

Thin wrappers over tracker.store.changes, tracker.asof.lateness and tracker.services.reports. Confirmations
go to stderr; listings and reports to stdout (or to ``-o FILE``).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from tracker.output.formatters import OutputFormat

ActorOpt = Annotated[Optional[str], typer.Option("--actor", help="操作人（默认登录名或 TRACKER_ACTOR）/ who makes the change")]
OnOpt = Annotated[Optional[str], typer.Option("--on", help="生效日期（默认现在）/ date it took effect (default now)")]
VersionOpt = Annotated[Optional[int], typer.Option("--expect-version", help="读取时的版本号，他人已修改则拒绝 / refuse if the task changed since this version")]
ForceOpt = Annotated[bool, typer.Option("--force", help="任务已从原文撤销也修改 / change a task withdrawn from its document")]
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", help="以该日期为准（默认今天，Asia/Shanghai）/ as of DATE (default today)")]


def _change(
    ctx: typer.Context, actor: str | None, on: str | None, note: str | None, version: int | None, force: bool = False
) -> Any:
    from tracker.cli.main import _date
    from tracker.store.changes import Change, default_actor

    return Change(actor=actor or default_actor(), effective=Change.on_date(_date(on)), note=note, expected_version=version,
                  force=force)


def _task(ctx: typer.Context, ref: str) -> tuple[Any, int]:
    from tracker.cli.main import _ctx
    from tracker.services.tasks import resolve_task

    c = _ctx(ctx)
    engine = c.engine()
    return engine, resolve_task(engine, ref)


def _done(ref: str, result: Any) -> None:
    if result.fields:
        typer.echo(f"已更新 / updated {ref}: {', '.join(result.fields)} (版本 / version {result.version})", err=True)
    else:
        typer.echo(f"无变化 / nothing to change: {ref}", err=True)


def set_cmd(
    ctx: typer.Context,
    task: Annotated[str, typer.Argument(help="规划代号:序号 / SLUG:NUMBER")],
    status: Annotated[Optional[str], typer.Option("--status", help="todo|doing|done|blocked|cancelled 或 未开始|推进中|已完成|受阻|已取消")] = None,
    progress: Annotated[Optional[int], typer.Option("--progress", help="进度 0–100 / progress %")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="说明 / why")] = None,
    on: OnOpt = None,
    actor: ActorOpt = None,
    expect_version: VersionOpt = None,
    force: ForceOpt = False,
) -> None:
    """设置状态或进度 / set a task's status and/or progress.

    Example: tracker set yunnan-2020-2021:21 --status 已完成 --on 2020-12-20 --note 已发布
    """
    from tracker.labels import parse_status
    from tracker.store.changes import set_status

    engine, tid = _task(ctx, task)
    result = set_status(engine, tid, _change(ctx, actor, on, note, expect_version, force),
                        status=parse_status(status) if status else None, progress=progress)
    _done(task, result)


def assign_cmd(
    ctx: typer.Context,
    task: Annotated[str, typer.Argument(help="规划代号:序号 / SLUG:NUMBER")],
    unit: Annotated[str, typer.Argument(help="责任单位（本规划所属地区的单位名称或简称）/ unit name or alias, in the task's region")],
    role: Annotated[str, typer.Option("--role", help="lead（牵头）| support（配合）")] = "lead",
    new_unit: Annotated[bool, typer.Option("--new-unit", help="单位尚不存在时新建 / create the unit if the region has none of this name")] = False,
    group: Annotated[bool, typer.Option("--group", help="新建单位为集合单位 / a new unit is a group")] = False,
    note: Annotated[Optional[str], typer.Option("--note")] = None,
    actor: ActorOpt = None,
    expect_version: VersionOpt = None,
    force: ForceOpt = False,
) -> None:
    """指定责任单位 / assign an owner (lead or support).

    The name is looked up among the units of the task's region (brackets and blanks as the
    importer writes them, aliases too); an unknown name is refused with the closest ones
    (exit 3) unless --new-unit creates it.

    Example: tracker assign yunnan-2020-2021:33 省公安厅 --role lead
    """
    from tracker.store.changes import assign

    engine, tid = _task(ctx, task)
    _done(task, assign(engine, tid, unit, _change(ctx, actor, None, note, expect_version, force), role=role,
                       create=new_unit, is_group=group))


def unassign_cmd(
    ctx: typer.Context,
    task: Annotated[str, typer.Argument(help="规划代号:序号 / SLUG:NUMBER")],
    unit: Annotated[str, typer.Argument(help="责任单位 / unit")],
    note: Annotated[Optional[str], typer.Option("--note")] = None,
    actor: ActorOpt = None,
    expect_version: VersionOpt = None,
    force: ForceOpt = False,
) -> None:
    """移除责任单位（也用于否决推断的单位）/ remove an owner (also how an inferred owner is rejected).

    Example: tracker unassign yunnan-2020-2021:4 省药监局 --note 非本单位职责
    """
    from tracker.store.changes import unassign

    engine, tid = _task(ctx, task)
    _done(task, unassign(engine, tid, unit, _change(ctx, actor, None, note, expect_version, force)))


def confirm_cmd(
    ctx: typer.Context,
    task: Annotated[str, typer.Argument(help="规划代号:序号 / SLUG:NUMBER")],
    unit: Annotated[Optional[str], typer.Option("--unit", help="只确认该单位 / only this unit")] = None,
    actor: ActorOpt = None,
    expect_version: VersionOpt = None,
    force: ForceOpt = False,
) -> None:
    """确认推断的责任单位 / confirm the inferred owners of a task.

    Example: tracker confirm yunnan-2020-2021:2
    """
    from tracker.store.changes import confirm

    engine, tid = _task(ctx, task)
    _done(task, confirm(engine, tid, _change(ctx, actor, None, None, expect_version, force), unit=unit))


def due_cmd(
    ctx: typer.Context,
    task: Annotated[str, typer.Argument(help="规划代号:序号 / SLUG:NUMBER")],
    due: Annotated[str, typer.Argument(help="新期限 / new due date YYYY-MM-DD")],
    reason: Annotated[str, typer.Option("--reason", help="理由（必填）/ why (required)")] = "",
    actor: ActorOpt = None,
    expect_version: VersionOpt = None,
    force: ForceOpt = False,
) -> None:
    """调整期限（须说明理由）/ override a due date, with a reason.

    Example: tracker due yunnan-2020-2021:4 2021-09-30 --reason 经联席会议同意延期
    """
    from tracker.cli.main import _date
    from tracker.store.changes import set_due

    engine, tid = _task(ctx, task)
    new_due = _date(due, "期限 / due date")
    assert new_due is not None
    _done(task, set_due(engine, tid, new_due, _change(ctx, actor, None, reason, expect_version, force)))


def trigger_cmd(
    ctx: typer.Context,
    task: Annotated[str, typer.Argument(help="规划代号:序号 / SLUG:NUMBER")],
    met_on: Annotated[str, typer.Argument(help="条件满足日期 / date the condition was met")],
    days: Annotated[Optional[int], typer.Option("--days", help="期限为其后多少天（默认规划设置，90）/ due this many days later")] = None,
    note: Annotated[Optional[str], typer.Option("--note")] = None,
    actor: ActorOpt = None,
    expect_version: VersionOpt = None,
    force: ForceOpt = False,
) -> None:
    """记录触发条件已满足（如上位法已出台）/ record that a task's condition was met.

    Example: tracker trigger yunnan-2020-2021:1 2021-06-01 --note 专利法修正案施行
    """
    from tracker.cli.main import _date
    from tracker.store.changes import trigger

    engine, tid = _task(ctx, task)
    when = _date(met_on)
    assert when is not None
    _done(task, trigger(engine, tid, when, _change(ctx, actor, None, note, expect_version, force), days=days))


def note_cmd(
    ctx: typer.Context,
    task: Annotated[str, typer.Argument(help="规划代号:序号 / SLUG:NUMBER")],
    text: Annotated[str, typer.Argument(help="备注 / the note")],
    on: OnOpt = None,
    actor: ActorOpt = None,
) -> None:
    """添加备注 / add a note to a task's history.

    Example: tracker note yunnan-2020-2021:21 "已电话督办"
    """
    from tracker.store.changes import add_note

    engine, tid = _task(ctx, task)
    _done(task, add_note(engine, tid, _change(ctx, actor, on, text, None)))


def history_cmd(
    ctx: typer.Context,
    task: Annotated[str, typer.Argument(help="规划代号:序号 / SLUG:NUMBER")],
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table|json|csv")] = OutputFormat.table,
) -> None:
    """任务的修改历史（最新在前）/ a task's history, newest first."""
    from tracker.cli.main import _ctx, _out
    from tracker.output.formatters import make_console, render_table, to_csv, to_json
    from tracker.output.render import history_json
    from tracker.services.tasks import get_task

    c = _ctx(ctx)
    detail = get_task(c.engine(), task)
    if fmt == OutputFormat.json:
        _out(to_json(history_json(detail.history)))
        return
    headers = ["生效 / effective", "记录 / recorded", "操作人 / actor", "字段 / field", "原值 / old", "新值 / new", "说明 / note"]
    rows = [[f"{h.effective_at:%Y-%m-%d %H:%M}", f"{h.recorded_at:%Y-%m-%d %H:%M}", h.actor, h.field,
             h.old_value or "", h.new_value or "", h.note or ""] for h in detail.history]
    if fmt == OutputFormat.csv:
        _out(to_csv(headers, rows))
    else:
        make_console().print(render_table(headers, rows, max_widths={4: 30, 5: 30, 6: 40}))


def _states(ctx: typer.Context, as_of: str | None, plan: str | None, owner: str | None, yellow_days: int) -> tuple[Any, date]:
    from tracker.asof.lateness import StateQuery, task_states
    from tracker.cli.main import _ctx, _date, _today

    c = _ctx(ctx)
    day = _date(as_of) or _today(c)
    states = task_states(c.engine(), StateQuery(as_of=day, plan=plan, owner=owner, yellow_days=yellow_days, tz=c.settings.timezone))
    return states, day


def _summary(ctx: typer.Context, as_of: str | None, plan: str | None, owner: str | None, yellow_days: int, by: str) -> Any:
    """The overdue summary, computed in the database (tracker.asof.overdue).

    A plain SQLite file whose schema is current is read through ``sqlite3`` directly, so
    the command never loads SQLAlchemy; anything else (PostgreSQL, a database to create or
    migrate first) goes through the engine every command uses.
    """
    import sqlite3

    from tracker.asof.lateness import StateQuery
    from tracker.asof.overdue import overdue_summary, sqlalchemy_runner, sqlite_runner
    from tracker.cli.main import _ctx, _today
    from tracker.dates import parse_date
    from tracker.store.sqlite_read import open_at_head, sqlite_path

    c = _ctx(ctx)
    day = parse_date(as_of) if as_of is not None else _today(c)
    q = StateQuery(as_of=day, plan=plan, owner=owner, yellow_days=yellow_days, tz=c.settings.timezone)
    path = sqlite_path(c.db_url)
    conn = open_at_head(path) if path is not None else None
    if conn is None:
        engine = c.engine()  # creates or migrates the schema, as every command does
        conn = open_at_head(path) if path is not None else None
        if conn is None:
            with engine.connect() as sa_conn, sa_conn.begin():
                return overdue_summary(sqlalchemy_runner(sa_conn), q, by)
    try:
        conn.execute("BEGIN")  # one snapshot for every query of the summary
        return overdue_summary(sqlite_runner(conn), q, by)
    except sqlite3.Error as exc:
        from tracker.errors import DatabaseError

        raise DatabaseError.from_exception(exc) from exc
    finally:
        conn.close()


def overdue_cmd(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    by: Annotated[str, typer.Option("--by", help="owner|plan|section")] = "owner",
    plan: Annotated[Optional[str], typer.Option("--plan", help="规划代号 / plan slug")] = None,
    owner: Annotated[Optional[str], typer.Option("--owner", help="责任单位 / unit (substring)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table|md|csv|json|docx")] = "table",
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="写入文件（docx 必填）/ write to FILE (required for docx)")] = None,
    chart: Annotated[Optional[Path], typer.Option("--chart", help="另存逾期柱状图 PNG 或 SVG / also write the bar chart (.png or .svg)")] = None,
    yellow_days: Annotated[int, typer.Option("--yellow-days", help="黄灯：多少天内到期 / yellow when due within N days")] = 30,
) -> None:
    """逾期汇总：谁逾期、什么任务、逾期多久 / who is late, on what, by how long.

    Example: tracker overdue --as-of 2021-01-01 --format md -o 通报.md
    """
    from tracker.cli.main import _ctx
    from tracker.errors import UsageError

    if fmt not in ("table", "md", "csv", "json", "docx"):
        raise UsageError(f"--format 须为 table、md、csv、json 或 docx / unknown format {fmt!r}")
    if fmt == "docx" and output is None:
        raise UsageError("docx 格式须用 -o 指定输出文件 / docx needs -o FILE")
    from tracker.dates import check_count

    check_count(yellow_days, "--yellow-days", high=36500)  # a timedelta past that overflowed
    c = _ctx(ctx)
    summary = _summary(ctx, as_of, plan, owner, yellow_days, by)
    if chart is not None:
        from tracker.output.notice import write_chart

        write_chart(summary, chart, lang=c.language)
    if fmt == "docx":
        from tracker.output.notice import write_docx

        assert output is not None
        write_docx(summary, output, lang=c.language)
        typer.echo(f"已写入 / written: {output}", err=True)
        return
    text = _render_overdue(summary, fmt, c.language)
    if output is not None:
        _write_text(output, text)
        typer.echo(f"已写入 / written: {output}", err=True)
    elif text is not None:
        sys.stdout.write(text)


def _write_text(path: Path, text: str | None) -> None:
    """A report file, atomically (never half a report); a write error is exit 1."""
    from tracker.atomic import write_atomic
    from tracker.errors import FileError

    try:
        write_atomic(path, (text or "").encode("utf-8"))
    except OSError as exc:
        raise FileError(f"无法写入 {path}：{exc.strerror or exc} / cannot write {path}: {exc.strerror or exc}") from exc


def _render_overdue(summary: Any, fmt: str, lang: str) -> str | None:
    from tracker.output.formatters import to_csv, to_json
    from tracker.services.reports import overdue_rows, summary_json

    if fmt == "json":
        return to_json(summary_json(summary))
    if fmt == "csv":
        headers, rows = overdue_rows(summary, lang)
        return to_csv(headers, rows)
    if fmt == "md":
        from tracker.output.notice import render_markdown

        return render_markdown(summary, lang=lang)
    from tracker.output.render import print_overdue

    print_overdue(summary, lang)
    return None


def scorecard_cmd(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    plan: Annotated[Optional[str], typer.Option("--plan")] = None,
    sort: Annotated[str, typer.Option("--sort", help="rate|overdue|owned|late|unit")] = "rate",
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table|json|csv")] = OutputFormat.table,
) -> None:
    """各单位考核表：承担、按期完成、逾期完成、当前逾期、按期率 / per-unit scorecard.

    Example: tracker scorecard --as-of 2021-12-31 --sort overdue
    """
    from tracker.cli.main import _ctx, _out
    from tracker.output.formatters import make_console, render_table, to_csv, to_json
    from tracker.services.reports import as_of_title, scorecard

    c = _ctx(ctx)
    states, day = _states(ctx, as_of, plan, None, 30)
    rows = scorecard(states, sort=sort)
    if fmt == OutputFormat.json:
        _out(to_json({"as_of": day.isoformat(), "units": [r.to_json() for r in rows]}))
        return
    zh = c.language != "en"
    headers = (["责任单位", "承担", "按期完成", "逾期完成", "当前逾期", "未完成", "按期率"] if zh
               else ["unit", "owned", "on time", "late", "overdue", "open", "on-time rate"])
    table = [[r.unit + ("（集合）" if r.is_group and zh else ""), r.owned, r.on_time, r.late, r.overdue, r.open,
              "—" if r.on_time_rate is None else f"{r.on_time_rate:.0%}"] for r in rows]
    if fmt == OutputFormat.csv:
        _out(to_csv(headers, table))
    else:
        make_console().print(render_table(headers, table, title=as_of_title(day, c.language), max_widths={0: 30}))


def plan_cmd(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="规划代号 / plan slug")],
    review_months: Annotated[Optional[int], typer.Option("--review-months", help="持续推进任务督办周期（月，默认 3）/ review ongoing tasks every N months")] = None,
    trigger_days: Annotated[Optional[int], typer.Option("--trigger-days", help="条件满足后多少天到期（默认 90）/ due N days after a condition is met")] = None,
) -> None:
    """查看或设置规划的督办周期与触发期限 / show or set a plan's review interval and trigger days.

    Example: tracker plan yunnan-2020-2021 --review-months 6
    """
    from tracker.cli.main import _ctx
    from tracker.store.changes import configure_plan

    settings = configure_plan(_ctx(ctx).engine(), slug, review_months=review_months, trigger_days=trigger_days)
    typer.echo(f"{slug}\treview_months={settings['review_months']}\ttrigger_days={settings['trigger_days']}")


def register(app: typer.Typer) -> None:
    app.command("plan")(plan_cmd)
    app.command("set")(set_cmd)
    app.command("assign")(assign_cmd)
    app.command("unassign")(unassign_cmd)
    app.command("confirm")(confirm_cmd)
    app.command("due")(due_cmd)
    app.command("trigger")(trigger_cmd)
    app.command("note")(note_cmd)
    app.command("history")(history_cmd)
    app.command("overdue")(overdue_cmd)
    app.command("scorecard")(scorecard_cmd)
