"""One catalogue of the words people read, in Chinese (default) and English.

Codes (``todo``, ``lead``…) are what the database and JSON carry; these labels are what
tables, reports, feeds and the TUI show. The CLI accepts either form as input.
"""

from __future__ import annotations

from tracker.errors import UsageError

CATALOGUE: dict[str, dict[str, str]] = {
    # statuses
    "status.todo": {"zh": "未开始", "en": "to do"},
    "status.doing": {"zh": "推进中", "en": "in progress"},
    "status.done": {"zh": "已完成", "en": "done"},
    "status.blocked": {"zh": "受阻", "en": "blocked"},
    "status.cancelled": {"zh": "已取消", "en": "cancelled"},
    # roles and provenance
    "role.lead": {"zh": "牵头", "en": "lead"},
    "role.support": {"zh": "配合", "en": "support"},
    "provenance.stated": {"zh": "原文", "en": "stated"},
    "provenance.inferred": {"zh": "推断待确认", "en": "inferred"},
    "provenance.assigned": {"zh": "已指定", "en": "assigned"},
    # kinds and due sources
    "kind.task": {"zh": "任务", "en": "task"},
    "kind.measure": {"zh": "措施", "en": "measure"},
    "kind.phase": {"zh": "阶段", "en": "phase"},
    "due_source.stated": {"zh": "原文", "en": "stated"},
    "due_source.phase": {"zh": "继承阶段", "en": "from phase"},
    "due_source.plan": {"zh": "继承规划期", "en": "from plan"},
    "due_source.coordinator": {"zh": "协调员设定", "en": "set by coordinator"},
    "due_source.trigger": {"zh": "条件触发", "en": "from trigger"},
    # column headers
    "col.plan": {"zh": "规划", "en": "Plan"},
    "col.number": {"zh": "序号", "en": "No."},
    "col.section": {"zh": "章节", "en": "Section"},
    "col.title": {"zh": "任务", "en": "Task"},
    "col.owners": {"zh": "责任单位", "en": "Owners"},
    "col.due": {"zh": "期限", "en": "Due"},
    "col.status": {"zh": "状态", "en": "Status"},
    "col.progress": {"zh": "进度", "en": "Progress"},
    "col.review": {"zh": "待核", "en": "Review"},
    "col.tasks": {"zh": "任务数", "en": "Tasks"},
    "col.slug": {"zh": "代号", "en": "Slug"},
    "col.period": {"zh": "期间", "en": "Period"},
    "col.issuer": {"zh": "发文机关", "en": "Issuer"},
    # misc words
    "word.ongoing": {"zh": "持续推进", "en": "ongoing"},
    "word.condition": {"zh": "条件", "en": "condition"},
    "word.none": {"zh": "—", "en": "—"},
    "word.needs_review": {"zh": "需人工核对", "en": "needs review"},
}

STATUS_CODES = ("todo", "doing", "done", "blocked", "cancelled")


def label(key: str, lang: str = "zh") -> str:
    entry = CATALOGUE.get(key)
    if entry is None:
        return key.split(".", 1)[-1]
    return entry.get(lang) or entry["zh"]


def parse_status(value: str) -> str:
    """A status code from a code or a label in either language (`已完成` → `done`)."""
    v = value.strip()
    if v.lower() in STATUS_CODES:
        return v.lower()
    for code in STATUS_CODES:
        entry = CATALOGUE[f"status.{code}"]
        if v == entry["zh"] or v.lower() == entry["en"]:
            return code
    choices = "、".join(f"{CATALOGUE[f'status.{c}']['zh']}({c})" for c in STATUS_CODES)
    raise UsageError(f"未知状态“{value}”，可选：{choices} / unknown status {value!r}")
