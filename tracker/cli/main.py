"""`tracker`: the command line. Thin: parse options, call tracker.services.tasks, format output.

Heavy modules (SQLAlchemy, the extractor) are imported inside commands so that
``tracker --help`` stays fast. Every TrackerError becomes one line on stderr and its exit
code; a traceback means a bug.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from tracker.errors import TrackerError, UsageError
from tracker.output.formatters import OutputFormat

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tracker.settings import Settings

app = typer.Typer(
    name="tracker",
    help="plan-tracker：政府实施方案任务与期限跟踪 / track the tasks and deadlines of government implementation plans.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="数据库结构迁移 / database schema migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@dataclass
class Context:
    db: str | None = None
    lang: str | None = None
    _engine: Any = field(default=None, repr=False)
    _settings: Any = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from tracker.settings import Settings

            self._settings = Settings.load()
        return self._settings  # type: ignore[no-any-return]

    @property
    def db_url(self) -> str:
        if self.db:
            return self.db if "://" in self.db else f"sqlite:///{Path(self.db).expanduser().resolve()}"
        return self.settings.db_url

    @property
    def language(self) -> str:
        return self.lang or self.settings.lang

    def engine(self, *, migrate: bool = True) -> Engine:
        if self._engine is None:
            from tracker.store.db import ensure_schema, make_engine

            url = self.db_url
            if url.startswith("sqlite:///") and not self.db and "TRACKER_DB" not in os.environ:
                # 0700: the folder holds the database and the feed key; nobody else's business.
                self.settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._engine = make_engine(url)
            if migrate:
                ensure_schema(self._engine)
        return self._engine  # type: ignore[no-any-return]


def _ctx(ctx: typer.Context) -> Context:
    obj = ctx.find_root().obj
    assert isinstance(obj, Context)
    return obj


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option("--db", help="数据库（SQLAlchemy 地址或 SQLite 文件）/ database URL or SQLite file; env TRACKER_DB.")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="界面语言 zh|en / language of labels; env TRACKER_LANG.")] = None,
) -> None:
    ctx.obj = Context(db=db, lang=lang)


def _date(value: str | None, what: str = "日期 / date") -> date | None:
    if value is None:
        return None
    from tracker.services.tasks import parse_date

    return parse_date(value, what=what)


def _out(text: str) -> None:
    sys.stdout.write(text)


# ---------------------------------------------------------------- import
@app.command("import")
def import_cmd(
    ctx: typer.Context,
    paths: Annotated[Optional[list[Path]], typer.Argument(help="文件或文件夹，默认 seeds/ / files or folders (default seeds/).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示报告，不写入 / show the report, write nothing.")] = False,
    replaces: Annotated[Optional[str], typer.Option("--replaces", help="该文件是此规划的修订版 / the document revises the plan SLUG")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = OutputFormat.table,
) -> None:
    """导入实施方案文档 / import plan documents (.txt, .docx, .html).

    A document is a revision of a stored plan when it is the same file, has the same title
    or 文号 (and keeps enough of its items), or when --replaces SLUG says so; otherwise it
    is a new plan. The same text imported twice is recognised and not stored again.

    Example: tracker import seeds/yunyang-2022-ip-county-plan.txt
    """
    from tracker.output.render import import_report_json, print_import_report
    from tracker.store.importer import collect_documents, import_paths

    c = _ctx(ctx)
    targets = paths or [c.settings.seeds_dir]
    engine = c.engine()
    files = collect_documents(targets)
    lexicon = _lexicon()
    if sys.stderr.isatty() and len(files) > 1:
        from rich.progress import Progress

        with Progress(console=_stderr_console(), transient=True) as bar:
            job = bar.add_task("导入 / importing", total=len(files))
            report = import_paths(engine, files, lexicon=lexicon, dry_run=dry_run, replaces=replaces,
                                  progress=lambda _p: bar.advance(job))
    else:
        report = import_paths(engine, files, lexicon=lexicon, dry_run=dry_run, replaces=replaces)
    if fmt == OutputFormat.json:
        from tracker.output.formatters import to_json

        _out(to_json(import_report_json(report)))
    else:
        print_import_report(report, lang=c.language)
    if report.errors:
        for err in report.errors:
            typer.echo(f"错误 / error: {err}", err=True)
        raise typer.Exit(4)


def _lexicon() -> Any:
    from tracker.errors import FileError
    from tracker.extract.owners import Lexicon, default_lexicon_path

    path = default_lexicon_path()
    if not path.is_file():
        typer.echo(f"提示：未找到责任单位词表 {path}，不推断责任单位 / no owner lexicon, owners not inferred", err=True)
        return None
    try:
        return Lexicon.load(path)
    except OSError as exc:
        raise FileError(f"无法读取责任单位词表 / cannot read the owner lexicon {path}: {exc.strerror or exc}") from exc
    except (ValueError, TypeError, AttributeError, KeyError, UnicodeDecodeError) as exc:
        # tomllib's syntax errors are ValueErrors naming line and column; a table where a
        # list belongs fails on its type. Either way: the file, and what is wrong, on one line.
        detail = " ".join(str(exc).split())
        raise FileError(f"责任单位词表格式错误 / the owner lexicon is malformed: {path}: {detail}") from exc


def _stderr_console() -> Any:
    from tracker.output.formatters import make_console

    return make_console(stderr=True)


# ---------------------------------------------------------------- tasks
@app.command("tasks")
def tasks_cmd(
    ctx: typer.Context,
    plan: Annotated[Optional[str], typer.Option("--plan", help="规划代号 / plan slug")] = None,
    owner: Annotated[Optional[str], typer.Option("--owner", help="责任单位（名称或简称的一部分）/ unit name or alias (substring)")] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="todo|doing|done|blocked|cancelled 或 未开始|推进中|已完成|受阻|已取消")] = None,
    due_before: Annotated[Optional[str], typer.Option("--due-before", help="期限早于 / due before DATE")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只看逾期 / only overdue tasks")] = False,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="以该日期为准 / as of DATE (default today)")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table|json|csv")] = OutputFormat.table,
) -> None:
    """列出任务 / list tasks.

    Example: tracker tasks --plan yunnan-2020-2021 --due-before 2021-01-01 --format json
    """
    from tracker.labels import parse_status
    from tracker.services.tasks import TaskFilter, list_tasks

    c = _ctx(ctx)
    flt = TaskFilter(
        plan=plan,
        owner=owner,
        status=parse_status(status) if status else None,
        due_before=_date(due_before),
        overdue=overdue,
        as_of=_date(as_of) or _today(c),
    )
    tasks = list_tasks(c.engine(), flt)
    _print_tasks(tasks, fmt, c.language)


def _today(c: Context) -> date:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(c.settings.timezone)).date()


def _print_tasks(tasks: list[Any], fmt: OutputFormat, lang: str) -> None:
    from tracker.output.formatters import to_csv, to_json
    from tracker.output.render import task_table, task_table_rows

    if fmt == OutputFormat.json:
        _out(to_json([t.to_json() for t in tasks]))
    elif fmt == OutputFormat.csv:
        headers, rows = task_table_rows(tasks, lang, full=True)
        _out(to_csv(headers, rows))
    else:
        from tracker.output.formatters import make_console

        make_console().print(task_table(tasks, lang))


# ---------------------------------------------------------------- show
@app.command("show")
def show_cmd(
    ctx: typer.Context,
    task: Annotated[str, typer.Argument(help="规划代号:序号 或 编号 / SLUG:NUMBER or id, e.g. yunnan-2020-2021:21")],
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = OutputFormat.table,
) -> None:
    """显示任务原文、责任单位和历史 / show a task's source text, owners and history.

    Example: tracker show yunyang-2022-2025:（十七）
    """
    from tracker.output.render import print_task_detail, task_detail_json
    from tracker.services.tasks import get_task

    c = _ctx(ctx)
    detail = get_task(c.engine(), task, source_dirs=[c.settings.seeds_dir])
    if fmt == OutputFormat.json:
        from tracker.output.formatters import to_json

        _out(to_json(task_detail_json(detail)))
    else:
        print_task_detail(detail, lang=c.language)


# ---------------------------------------------------------------- plans
@app.command("plans")
def plans_cmd(
    ctx: typer.Context,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table|json|csv")] = OutputFormat.table,
) -> None:
    """列出已导入的规划 / list imported plans."""
    from tracker.labels import label
    from tracker.output.formatters import make_console, render_table, to_csv, to_json
    from tracker.services.tasks import list_plans

    c = _ctx(ctx)
    plans = list_plans(c.engine())
    if fmt == OutputFormat.json:
        _out(to_json([p.to_json() for p in plans]))
        return
    headers = [label(f"col.{k}", c.language) for k in ("slug", "title", "issuer", "period", "tasks")]
    rows = [
        [p.slug, p.title, p.issuer or "", f"{p.period_start or ''}–{p.period_end or ''}" if p.period_start else "", p.tasks]
        for p in plans
    ]
    if fmt == OutputFormat.csv:
        _out(to_csv(headers, rows))
    else:
        make_console().print(render_table(headers, rows, max_widths={1: 50, 2: 24}))


# ---------------------------------------------------------------- start
@app.command("start")
def start_cmd(ctx: typer.Context) -> None:
    """首次运行：建库、导入 seeds/，然后打开任务列表 / first run: create the database, import seeds/, open the tracker."""
    from tracker.services.tasks import has_plans

    c = _ctx(ctx)
    engine = c.engine()
    if not has_plans(engine):
        from tracker.output.render import print_import_report
        from tracker.store.importer import import_paths

        typer.echo(f"首次运行，导入 {c.settings.seeds_dir} / first run: importing seeds", err=True)
        report = import_paths(engine, [c.settings.seeds_dir], lexicon=_lexicon())
        print_import_report(report, lang=c.language, stream=sys.stderr)
    if sys.stdin.isatty() and sys.stdout.isatty():  # a person at a terminal: the TUI
        _run_tui(c, None, None)
        return
    from tracker.services.tasks import TaskFilter, list_tasks

    _print_tasks(list_tasks(engine, TaskFilter()), OutputFormat.table, c.language)


# ---------------------------------------------------------------- tui
@app.command("tui")
def tui_cmd(
    ctx: typer.Context,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="以该日期查看 / review the plans as of DATE (default today)")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="界面语言 zh|en（默认按 TRACKER_LANG 或系统语言）/ zh or en (default: TRACKER_LANG, else the locale)")] = None,
) -> None:
    """打开协调员终端界面 / open the coordinators' terminal UI.

    Example: tracker tui --as-of 2021-01-01 --lang en
    """
    c = _ctx(ctx)
    _run_tui(c, _date(as_of), lang)


def _run_tui(c: Context, as_of: date | None, lang: str | None) -> None:
    """The TUI on this context's database. Imported here: the core never needs Textual."""
    from tui.app import make_app
    from tui.i18n import resolve_lang

    make_app(c.engine(), c.settings, lang=resolve_lang(lang or c.lang), as_of=as_of).run()


# ---------------------------------------------------------------- db / locate
@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context, revision: Annotated[str, typer.Argument(help="目标版本 / target revision")] = "head") -> None:
    """升级数据库结构到最新版本 / migrate the schema (Alembic) to REVISION (default head)."""
    from tracker.store.db import current_revision, upgrade

    c = _ctx(ctx)
    engine = c.engine(migrate=False)
    try:
        upgrade(engine, revision)
    except Exception as exc:
        from tracker.errors import DatabaseError

        raise DatabaseError.from_exception(exc, engine) from exc
    typer.echo(f"数据库版本 / schema revision: {current_revision(engine)}")


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """显示数据库结构版本 / print the schema revision."""
    from tracker.store.db import current_revision

    typer.echo(current_revision(_ctx(ctx).engine(migrate=False)) or "（空库 / empty）")


@app.command("locate")
def locate_cmd(ctx: typer.Context) -> None:
    """显示数据库、种子文件和导出目录的位置 / print where the database, seeds and exports are."""
    c = _ctx(ctx)
    s = c.settings
    from sqlalchemy.engine import make_url

    typer.echo(f"database\t{make_url(c.db_url).render_as_string(hide_password=True)}")
    typer.echo(f"data_dir\t{s.data_dir}")
    typer.echo(f"seeds\t{s.seeds_dir}")
    typer.echo(f"exports\t{s.exports_dir}")
    typer.echo(f"timezone\t{s.timezone}")
    typer.echo(f"lang\t{c.language}")


from tracker.cli.coordination import register as _register_coordination  # noqa: E402

_register_coordination(app)
from tracker.cli.backup import register as _register_backup  # noqa: E402

_register_backup(app)
from tracker.cli.feeds import register as _register_feeds  # noqa: E402

_register_feeds(app)
from tracker.cli.indicators import register as _register_indicators  # noqa: E402

_register_indicators(app)


def _usage_line(exc: Exception) -> str:
    """Click's usage error as one line (its own form is a usage block of four lines), with
    the command to ask for help."""
    fmt = getattr(exc, "format_message", None)
    text = " ".join((fmt() if callable(fmt) else str(exc)).split())
    ctx = getattr(exc, "ctx", None)
    sub = ""
    if ctx is not None:  # the subcommand's path, whatever the program was called (python -m tracker)
        sub = ctx.command_path[len(ctx.find_root().command_path):].strip()
    return f"用法错误 / usage: {text} (tracker {sub + ' ' if sub else ''}--help)"


def main() -> None:
    """Entry point: run the Typer app, turning TrackerError into one line and an exit code."""
    # A file name that is not UTF-8 reaches Python as lone surrogates; printed to stdout
    # they raised an error half-way through a listing. Shown as \xff instead.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if callable(reconfigure):
            reconfigure(errors="backslashreplace")
    try:
        # Outside standalone mode click returns (not raises) the code of typer.Exit.
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except TrackerError as exc:
        typer.echo(f"错误 / error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("已取消 / aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors (typer vendors click privately)
        show = getattr(exc, "show", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and callable(show):
            show()  # `tracker` or `tracker feeds` alone: the help it asked for, not an error
        else:
            typer.echo(f"错误 / error: {_usage_line(exc)}", err=True)
        sys.exit(int(getattr(exc, "exit_code", 2)))
    except BrokenPipeError:  # `tracker tasks | head`: the reader left; nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except OSError as exc:  # the environment, not a bug: a folder that cannot be made, a full disk
        where = f": {exc.filename}" if exc.filename else ""
        typer.echo(f"错误 / error: 文件读写失败 / file system error: {exc.strerror or exc}{where}", err=True)
        sys.exit(1)
    except Exception as exc:  # database driver errors
        import sqlite3

        from sqlalchemy.exc import DatabaseError as DriverError
        from sqlalchemy.exc import InternalError, OperationalError, ProgrammingError

        # The bare DatabaseError class is sqlite3's "file is not a database"; IntegrityError
        # and the other subclasses mean a bug and keep their traceback.
        if isinstance(exc, OperationalError | ProgrammingError | InternalError | sqlite3.OperationalError) or type(exc) is DriverError:
            from tracker.errors import DatabaseError

            err = DatabaseError.from_exception(exc)
            typer.echo(f"错误 / error: {err.message}", err=True)
            sys.exit(err.exit_code)
        raise


__all__ = ["UsageError", "app", "main"]
