"""task listing index and full-text search for the TUI

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 05:10:00

The TUI lists, counts and filters 100,000 tasks as the coordinator types (issue 5: a
keystroke to an updated table in 100 ms):

* ``ix_task_listing`` covers the columns a listing reads, in plan and document order, the
  number and key a search word may be, and what `tracker overdue` reads of every task, so
  counting, ordering, searching and classifying never read the wide rows (text,
  search_text); ``ix_task_conditional`` (partial) lists the tasks waiting on a condition;
* on SQLite, ``task_fts`` is an FTS5 trigram index over ``task.search_text`` (an external
  content table: the text is stored once, in ``task``). A search word of three characters
  or more is looked up in it (2 ms at 100k tasks) instead of matched against every task
  (90 ms). Triggers keep it in step when a task's search text changes or a task is
  deleted; new tasks are indexed by the importer, the one place tasks are inserted, in one
  statement per plan (per-row insert triggers doubled the time of a 100k-task import).
  The table is not in the models (SQLModel cannot declare a virtual table);
  tracker.store.db.include_object keeps Alembic's comparison from proposing to drop it. A later
  migration that rebuilds ``task`` (batch mode on SQLite) drops these triggers with the old
  table and must create them again (FTS_TRIGGERS).

SQLite builds without FTS5's trigram tokenizer (before 3.34) skip the table; searches then
match with LIKE, as on PostgreSQL.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

FTS_TRIGGERS = (
    "CREATE TRIGGER task_fts_delete AFTER DELETE ON task BEGIN "
    "INSERT INTO task_fts (task_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER task_fts_update AFTER UPDATE OF search_text ON task BEGIN "
    "INSERT INTO task_fts (task_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO task_fts (rowid, search_text) VALUES (new.id, new.search_text); END",
)


def _has_trigram_tokenizer() -> bool:
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE VIRTUAL TABLE temp.fts_probe USING fts5(x, tokenize='trigram')")
            bind.exec_driver_sql("DROP TABLE temp.fts_probe")
    except sa.exc.OperationalError:
        return False
    return True


def upgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index(
            'ix_task_listing',
            ['plan_id', 'seq', 'withdrawn', 'status', 'due', 'progress', 'ongoing', 'number', 'key', 'triggered_on'],
            unique=False,
        )
        batch_op.create_index(
            'ix_task_conditional', ['id'], unique=False,
            sqlite_where=sa.text("condition IS NOT NULL AND condition != ''"),
            postgresql_where=sa.text("condition IS NOT NULL AND condition != ''"),
        )
    if op.get_bind().dialect.name == "sqlite" and _has_trigram_tokenizer():
        op.execute(
            "CREATE VIRTUAL TABLE task_fts USING fts5(search_text, content='task', content_rowid='id', tokenize='trigram')"
        )
        op.execute("INSERT INTO task_fts (task_fts) VALUES ('rebuild')")
        for statement in FTS_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("task_fts_delete", "task_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS task_fts")
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_conditional')
        batch_op.drop_index('ix_task_listing')
