"""The tables plan-tracker stores: plans, their tasks, responsible units, and the history.

The shapes follow the genre (实施意见 / 工作方案 / 规划): a plan is a document, a task is a
numbered item of it, a unit is a responsible body (责任单位), and every coordinator change is
appended to History so that a report "as of" any date can be rebuilt.

Enumerations are stored as short English codes (``todo``, ``lead``, ``stated``); the Chinese
labels people read live in :mod:`tracker.labels`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# Constraint names are fixed so Alembic batch migrations on SQLite can address them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Aware UTC now; stored naive-UTC by SQLite, aware by PostgreSQL."""
    return datetime.now(UTC)


class Status(StrEnum):
    """Task status (任务状态). The codes are the contract; labels are in tracker.labels."""

    TODO = "todo"  # 未开始
    DOING = "doing"  # 推进中
    DONE = "done"  # 已完成
    BLOCKED = "blocked"  # 受阻
    CANCELLED = "cancelled"  # 已取消


class TaskKind(StrEnum):
    TASK = "task"  # an item of a schedule (推进计划 item)
    MEASURE = "measure"  # a measure paragraph of opinions / a work plan (措施)
    PHASE = "phase"  # a phase with a window (启动阶段 / 建设阶段 / 验收阶段)


class DueSource(StrEnum):
    """Where a task's due date came from."""

    STATED = "stated"  # printed with the item
    PHASE = "phase"  # inherited from the phase that contains the work
    PLAN = "plan"  # inherited from the plan period / first target year
    COORDINATOR = "coordinator"  # set by a coordinator (tracker due …)
    TRIGGER = "trigger"  # computed from the date a condition was met


class Role(StrEnum):
    LEAD = "lead"  # 牵头单位
    SUPPORT = "support"  # 配合单位


class Provenance(StrEnum):
    STATED = "stated"  # printed in the document
    INFERRED = "inferred"  # inferred from the words of the item (lexicon)
    ASSIGNED = "assigned"  # set or confirmed by a coordinator


class Plan(SQLModel, table=True):
    """One plan document (or one plan inside a document: an appendix is a plan of its own).

    A plan is identified by its document (migration 0007, tracker.store.plan_identity): the file
    it came from and its place in it (``part``), its 文号, its title within its region, and
    the ``fingerprint`` of its normalised text. The slug is only a readable handle, unique,
    kept across re-imports.
    """

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(index=True, unique=True, max_length=80)
    title: str
    issuer: str | None = None
    issued_on: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    source_file: str = Field(index=True)
    source_checksum: str = Field(max_length=64)
    doc_number: str | None = Field(default=None, index=True, max_length=64)  # 文号: 云阳府发〔2022〕20号
    region: str = Field(default="", index=True, max_length=64)  # issuing jurisdiction: 云南省, 云阳县
    title_key: str = Field(default="", index=True)  # the title as compared (simplified, no blanks)
    fingerprint: str | None = Field(default=None, index=True, max_length=64)  # normalised title + items
    part: int = 0  # 0 the document's main plan, 1… its appendices
    language: str = Field(default="zh-Hans", max_length=16)  # zh-Hans | zh-Hant
    review_months: int = 3  # ongoing (持续推进) tasks are reviewed every N months
    trigger_days: int = 90  # a triggered condition gives a due date N days later
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Task(SQLModel, table=True):
    """A numbered item of a plan, with its deadline and coordination state.

    ``key`` is stable within the plan (the numeric value of the printed number, or a
    position-derived key for unnumbered paragraphs), so re-imports find the same row.
    ``version`` is bumped on every coordinator change and checked on update (optimistic
    locking: two coordinators never silently overwrite each other).
    """

    __table_args__ = (
        sa.UniqueConstraint("plan_id", "key"),
        # Covers what a listing reads, in plan and document order, and what a search word
        # is compared with besides the text (migration 0006): the TUI counts, orders and
        # searches 100k tasks without touching the wide rows.
        sa.Index(
            "ix_task_listing", "plan_id", "seq", "withdrawn", "status", "due", "progress", "ongoing", "number", "key",
            "triggered_on",
        ),
        # The few tasks waiting on a condition, so a report that reads the listing index
        # learns which they are without reading every row (condition texts can be longer
        # than a PostgreSQL B-tree entry allows, so they are not in ix_task_listing).
        sa.Index(
            "ix_task_conditional", "id",
            sqlite_where=sa.text("condition IS NOT NULL AND condition != ''"),
            postgresql_where=sa.text("condition IS NOT NULL AND condition != ''"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    key: str = Field(max_length=64)
    seq: int = 0  # document order within the plan
    number: str = Field(default="", max_length=32)  # as printed: "21", "（十七）"
    section: str = ""  # heading path, " / "-joined: "四、优化知识产权快保护关键环节"
    title: str = ""
    text: str = ""
    kind: str = Field(default=TaskKind.TASK, max_length=16)
    due: date | None = Field(default=None, index=True)
    start: date | None = None
    due_text: str | None = None  # the deadline phrase verbatim
    ongoing: bool = False  # 持续推进
    condition: str | None = None  # event trigger text, e.g. 上位法出台后及时启动修订工作
    triggered_on: date | None = None  # when the condition was met (tracker trigger)
    milestones: str = ""  # staged deadlines, newline-separated ISO dates; due is the last
    due_source: str | None = Field(default=None, max_length=16)
    status: str = Field(default=Status.TODO, max_length=16, index=True)
    progress: int = 0
    needs_review: bool = False
    review_reason: str | None = None
    withdrawn: bool = False  # gone from a re-imported document; kept, never deleted
    version: int = Field(default=1)
    line_start: int = 0
    line_end: int = 0
    search_text: str = ""  # simplified-Chinese number + title + text, for search
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Unit(SQLModel, table=True):
    """A responsible body (责任单位). Groups (各乡镇（街道）, 25个成员单位) are flagged.

    A unit belongs to a jurisdiction: Yunnan's 省公安厅 and Sichuan's 省公安厅 are two
    bodies. It is identified by its name within its ``region`` (the issuing region of the
    plans naming it, tracker.extract.identity), with aliases (migration 0007).
    """

    __table_args__ = (sa.Index("ix_unit_region_name", "region", "name", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    region: str = Field(default="", max_length=64)  # 云南省; "" for plans of no known region
    aliases: str = ""  # newline-separated alternative names
    is_group: bool = False

    def alias_list(self) -> list[str]:
        return [a for a in self.aliases.split("\n") if a]


class TaskOwner(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("task_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    role: str = Field(default=Role.LEAD, max_length=16)
    provenance: str = Field(default=Provenance.STATED, max_length=16)
    position: int = 0  # order as printed; lead first


class History(SQLModel, table=True):
    """Append-only log of every change to a task. Never updated, never deleted.

    ``recorded_at`` is when the change was entered; ``effective_at`` when it happened
    (offices often record a completion days later), which is what "as of" reports use.
    Reports replay a task's changes in effective order: the (task_id, effective_at) index
    hands them over in that order, unsorted.
    """

    __table_args__ = (sa.Index("ix_history_task_id_effective_at", "task_id", "effective_at"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    actor: str
    recorded_at: datetime = Field(default_factory=utcnow)
    effective_at: datetime = Field(default_factory=utcnow)
    field: str = Field(max_length=32)
    old_value: str | None = None
    new_value: str | None = None
    note: str | None = None
    task_version: int | None = None  # the task version this change produced (None: no bump)


class Comparator(StrEnum):
    """How a target is stated (指标口径)."""

    REACH = "reach"  # 达到
    EXCEED = "exceed"  # 超过
    AT_LEAST = "at_least"  # 以上
    ABOUT = "about"  # 左右
    INCREASE_PCT = "increase_pct"  # 提高X%（相对基期）
    ADD = "add"  # 新增


class Indicator(SQLModel, table=True):
    """A quantified target a plan is judged by (e.g. 每万人口高价值发明专利拥有量 5.67件)."""

    __table_args__ = (sa.UniqueConstraint("plan_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    key: str = Field(max_length=120)  # stable within the plan (the name, simplified)
    seq: int = 0
    name: str
    unit: str = Field(default="", max_length=16)  # 件, %, 亿元, 个, 分 …
    baseline: float | None = None
    baseline_year: int | None = None
    target: float | None = None
    target_year: int | None = None
    comparator: str = Field(default=Comparator.REACH, max_length=16)
    kind: str | None = Field(default=None, max_length=16)  # 预期性 expected | 约束性 binding
    source_text: str = ""
    line_start: int = 0
    line_end: int = 0


class IndicatorReading(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    value: float
    on: date
    note: str | None = None
    actor: str = ""
    recorded_at: datetime = Field(default_factory=utcnow)


class FeedToken(SQLModel, table=True):
    """A secret calendar-feed address. Only a hash of the token is stored; rotating a feed
    revokes its token (the row is kept, so an old address keeps answering 404)."""

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=8)  # unit | plan | all
    target: str = ""  # unit name or plan slug ("" for all)
    token_hash: str = Field(max_length=64, index=True, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


# Core table handles: bulk inserts and set-based queries use these (typed ``.c`` columns),
# the ORM classes above are for reading whole rows.
plan_t: sa.Table = Plan.__table__  # type: ignore[attr-defined]
task_t: sa.Table = Task.__table__  # type: ignore[attr-defined]
unit_t: sa.Table = Unit.__table__  # type: ignore[attr-defined]
owner_t: sa.Table = TaskOwner.__table__  # type: ignore[attr-defined]
history_t: sa.Table = History.__table__  # type: ignore[attr-defined]
indicator_t: sa.Table = Indicator.__table__  # type: ignore[attr-defined]
reading_t: sa.Table = IndicatorReading.__table__  # type: ignore[attr-defined]
feed_token_t: sa.Table = FeedToken.__table__  # type: ignore[attr-defined]
