"""`tracker backup PATH`: a consistent copy of the live database (tracker.store.backup).

Thin: parses options, calls :func:`tracker.store.backup.backup`, prints the backup's path on
stdout (for scripts: ``cp "$(tracker backup /srv/backups)" …``) and a summary on stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def backup_cmd(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="备份文件，或放备份的文件夹 / backup file, or a folder to put it in")],
    overwrite: Annotated[bool, typer.Option("--overwrite", help="覆盖已有的备份文件 / replace an existing backup file")] = False,
) -> None:
    """在线备份数据库（导入和订阅服务运行时也可）/ back up the database while it is in use.

    SQLite only (its online backup API: a consistent snapshot; imports and the feed server
    carry on). For PostgreSQL it prints the pg_dump command to use instead.

    Example: tracker backup /srv/backups/   (writes /srv/backups/tracker-YYYYMMDD-HHMMSS.db)
    """
    from tracker.cli.main import _ctx
    from tracker.store.backup import backup

    # No migration first: a backup taken before an upgrade must hold the old schema.
    engine = _ctx(ctx).engine(migrate=False)
    result = backup(engine, path, overwrite=overwrite)
    typer.echo(str(result.path))
    typer.echo(
        f"已备份：{result.plans} 个规划、{result.tasks} 项任务，{result.bytes / 1e6:.1f} MB"
        f" / backed up {result.plans} plans, {result.tasks} tasks ({result.bytes / 1e6:.1f} MB) to {result.path}",
        err=True,
    )


def register(app: typer.Typer) -> None:
    """Add `backup` to the app."""
    app.command("backup")(backup_cmd)
