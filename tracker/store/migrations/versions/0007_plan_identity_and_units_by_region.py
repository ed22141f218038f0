"""plan identity from the document; units belong to a region

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 09:00:00

Issue 12: a plan is identified by its document, not by its slug, and a unit by its name
within its issuing region (Yunnan's 省公安厅 is not Sichuan's).

* ``plan`` gains ``doc_number`` (文号), ``region`` (the issuing jurisdiction, 云南省),
  ``title_key``, ``fingerprint`` (of the normalised title and items) and ``part`` (0 the
  main plan of its file, 1… its appendices), each indexed where the importer looks plans
  up by it, and an index on ``source_file``;
* ``unit`` gains ``region``; its name is unique per region (``ix_unit_region_name``), no
  longer overall.

Existing plans are read again from what is stored: the region from the title and issuer
(then the places the tasks call their own, 我省), as the importer reads a document
(tracker.extract.identity.issuing_region), the fingerprint from the title and the live
tasks, the part from the order of the plans of one file. The 文号 and the signature are
not stored, so ``doc_number`` stays empty until the document is imported again (it is
then recognised by its file).

A unit owning tasks in plans of several regions becomes one unit per region: the row keeps
the region with the most tasks (so its id, its owners there and its feed address stay), and
a copy (same name, aliases, group flag) takes the tasks of each other region. Statuses,
owners' roles and provenance, and History are untouched: only ``taskowner.unit_id`` moves.

Only ``plan`` and ``unit`` are altered, with ALTER TABLE ADD COLUMN and index changes (no
batch rebuild): the full-text triggers on ``task`` (0006) are not touched.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)


revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('doc_number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('title_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('part', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index(batch_op.f('ix_plan_doc_number'), ['doc_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_region'), ['region'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_title_key'), ['title_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_fingerprint'), ['fingerprint'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_source_file'), ['source_file'], unique=False)
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=''))
        batch_op.drop_index('ix_unit_name')
        batch_op.create_index('ix_unit_name', ['name'], unique=False)
    _identify_plans(op.get_bind())
    _split_units(op.get_bind())
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_index('ix_unit_region_name', ['region', 'name'], unique=True)


def _identify_plans(bind: sa.Connection) -> None:
    """Region, title key, fingerprint and part of every stored plan."""
    from tracker.extract.identity import fingerprint, issuing_region, title_key

    plans = bind.execute(sa.text("SELECT id, title, issuer, source_file FROM plan ORDER BY id")).all()
    first_line: dict[int, int] = {}
    for pid, title, issuer, _source in plans:
        tasks = bind.execute(
            sa.text("SELECT number, text, line_start FROM task WHERE plan_id = :pid AND NOT withdrawn ORDER BY seq, id"),
            {"pid": pid},
        ).all()
        body = "\n".join(t for _, t, _ in tasks)
        region = issuing_region(issuer, None, None, title, lambda body=body: body) or ""
        first_line[pid] = min((line for _, _, line in tasks), default=0)
        bind.execute(
            sa.text("UPDATE plan SET region = :region, title_key = :tk, fingerprint = :fp WHERE id = :pid"),
            {"region": region, "tk": title_key(title), "fp": fingerprint(title, [(n, t) for n, t, _ in tasks]), "pid": pid},
        )
    by_file: dict[str, list[int]] = {}
    for pid, _title, _issuer, source in plans:
        by_file.setdefault(source, []).append(pid)
    for ids in by_file.values():
        for part, pid in enumerate(sorted(ids, key=lambda i: (first_line[i], i))):
            if part:
                bind.execute(sa.text("UPDATE plan SET part = :part WHERE id = :pid"), {"part": part, "pid": pid})


def _split_units(bind: sa.Connection) -> None:
    """One unit per (name, region) it owns tasks in; the existing row keeps its busiest region."""
    rows = bind.execute(sa.text(
        "SELECT o.unit_id, p.region, COUNT(*) FROM taskowner o JOIN task t ON t.id = o.task_id "
        "JOIN plan p ON p.id = t.plan_id GROUP BY o.unit_id, p.region"
    )).all()
    regions: dict[int, list[tuple[int, str]]] = {}
    for uid, region, n in rows:
        regions.setdefault(uid, []).append((int(n), region))
    for uid, found in sorted(regions.items()):
        found.sort(key=lambda nr: (-nr[0], nr[1]))
        keep, *others = [region for _, region in found]
        bind.execute(sa.text("UPDATE unit SET region = :region WHERE id = :uid"), {"region": keep, "uid": uid})
        for region in others:
            name, aliases, is_group = bind.execute(
                sa.text("SELECT name, aliases, is_group FROM unit WHERE id = :uid"), {"uid": uid}
            ).one()
            bind.execute(
                sa.text("INSERT INTO unit (name, region, aliases, is_group) VALUES (:name, :region, :aliases, :grp)"),
                {"name": name, "region": region, "aliases": aliases, "grp": is_group},
            )
            copy = bind.execute(
                sa.text("SELECT id FROM unit WHERE name = :name AND region = :region"), {"name": name, "region": region}
            ).scalar_one()
            bind.execute(
                sa.text(
                    "UPDATE taskowner SET unit_id = :copy WHERE unit_id = :uid AND task_id IN "
                    "(SELECT t.id FROM task t JOIN plan p ON p.id = t.plan_id WHERE p.region = :region)"
                ),
                {"copy": copy, "uid": uid, "region": region},
            )


def downgrade() -> None:
    bind = op.get_bind()
    # Units of one name become one again (the oldest row); a task has one unit per name.
    dupes = bind.execute(sa.text(
        "SELECT u.id, (SELECT MIN(v.id) FROM unit v WHERE v.name = u.name) FROM unit u "
        "WHERE u.id != (SELECT MIN(v.id) FROM unit v WHERE v.name = u.name)"
    )).all()
    for uid, keep in dupes:
        bind.execute(sa.text("UPDATE taskowner SET unit_id = :keep WHERE unit_id = :uid"), {"keep": keep, "uid": uid})
        bind.execute(sa.text("DELETE FROM unit WHERE id = :uid"), {"uid": uid})
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_region_name')
        batch_op.drop_index('ix_unit_name')
        batch_op.create_index('ix_unit_name', ['name'], unique=True)
        batch_op.drop_column('region')
    with op.batch_alter_table('plan', schema=None) as batch_op:
        for name in ('source_file', 'fingerprint', 'title_key', 'region', 'doc_number'):
            batch_op.drop_index(batch_op.f(f'ix_plan_{name}'))
        for name in ('part', 'fingerprint', 'title_key', 'region', 'doc_number'):
            batch_op.drop_column(name)
