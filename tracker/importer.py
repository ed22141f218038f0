"""Writing extracted plans into the store: idempotent, all-or-nothing, and fast.

Re-importing a document never duplicates a task and never overwrites what coordinators own
(status, progress, owners they set, notes, due dates they changed); it updates only what
the document says, and reports changed source text. Each file is imported in one write
transaction, so an import killed half-way leaves the database as it was before. Rows go in
with executemany (Core inserts), not one ORM object at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.db import write_session
from tracker.errors import DocumentImportError
from tracker.extract.owners import Lexicon, OwnerRef
from tracker.extract.pipeline import ExtractedPlan, ExtractedTask, extract_document
from tracker.extract.reading import DocumentError, read_document
from tracker.extract.repair import Repair, is_traditional, repair_text, to_simplified
from tracker.models import history_t, owner_t, plan_t, task_t, unit_t, utcnow

IMPORT_ACTOR = "import"
DOCUMENT_SUFFIXES = {".txt", ".text", ".docx", ".html", ".htm"}

# Document-derived fields a re-import refreshes. Coordinator-owned fields are absent.
_DOC_FIELDS = ("seq", "number", "section", "title", "text", "kind", "due_text", "line_start", "line_end", "search_text")
_DEADLINE_FIELDS = ("due", "start", "ongoing", "condition", "due_source", "milestones")


@dataclass
class PlanReport:
    slug: str
    title: str
    source_file: str
    tasks: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    owners: int = 0
    with_due: int = 0
    ongoing: int = 0
    conditional: int = 0
    needs_review: list[tuple[str, str]] = field(default_factory=list)  # (number, reason)
    needs_owner: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    plans: list[PlanReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def task_count(self) -> int:
        return sum(p.tasks for p in self.plans)


def collect_documents(paths: list[Path]) -> list[Path]:
    """Files to import: each named file, and the documents inside each named folder."""
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise DocumentImportError(f"路径不存在 / no such file or folder: {path}")
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES))
        else:
            found.append(path)
    return found


@dataclass(frozen=True)
class LoadedSource:
    """A document decoded and repaired, ready for the grammar."""

    path: Path
    text: str
    checksum: str
    language: str
    repair_notes: list[str]


def load_source(path: Path) -> LoadedSource:
    try:
        source = read_document(path)
    except DocumentError as exc:
        raise DocumentImportError(str(exc)) from exc
    text, repairs = repair_text(source.text)
    return LoadedSource(
        path=path,
        text=text,
        checksum=source.checksum,
        language="zh-Hant" if is_traditional(text) else "zh-Hans",
        repair_notes=summarise_repairs(repairs),
    )


def summarise_repairs(repairs: list[Repair]) -> list[str]:
    """What the reader fixed, for the import report: counts for routine clean-up, and every
    place where text was lost (kept as printed, for a person to check)."""
    notes: list[str] = []
    pinyin = sum(1 for r in repairs if r.kind == "pinyin")
    chrome = [r.line for r in repairs if r.kind in ("debris", "page-artefact")]
    if pinyin:
        notes.append(f"删除拼音注音 {pinyin} 处 / stripped {pinyin} pinyin readings")
    if chrome:
        notes.append(f"忽略网页残留 {len(chrome)} 行 / ignored {len(chrome)} lines of web-page debris (lines {chrome[0]}–{chrome[-1]})")
    for r in repairs:
        if r.kind == "lost-text":
            notes.append(f"第{r.line}行原文缺字，需核对 / line {r.line}: text lost in the source, check: {r.after[:30]}")
    return notes


def extract_file(path: Path, lexicon: Lexicon | None) -> tuple[LoadedSource, list[ExtractedPlan]]:
    source = load_source(path)
    plans = extract_document(source.text, source_name=path.name, lexicon=lexicon, language=source.language)
    if not plans:
        raise DocumentImportError(f"未找到编号任务，文件不像实施方案 / no numbered tasks found in {path}")
    return source, plans


def import_paths(
    engine: Engine,
    paths: list[Path],
    *,
    lexicon: Lexicon | None = None,
    dry_run: bool = False,
    progress: Any = None,
) -> ImportReport:
    """Import documents; one transaction per file. A bad file is reported and skipped."""
    report = ImportReport(dry_run=dry_run)
    files = collect_documents(paths)
    for path in files:
        try:
            source, plans = extract_file(path, lexicon)
        except DocumentImportError as exc:
            report.errors.append(str(exc))
            if progress:
                progress(path)
            continue
        with write_session(engine) as session:
            for i, plan in enumerate(plans):
                plan_report = store_plan(session, plan, source, lexicon)
                if i == 0:  # the document's repairs are reported once, with its first plan
                    plan_report.repairs = source.repair_notes + plan_report.repairs
                report.plans.append(plan_report)
            if dry_run:
                session.rollback()
        if progress:
            progress(path)
    return report


def _unit_ids(session: Session, owners: list[OwnerRef], lexicon: Lexicon | None) -> dict[str, int]:
    names = sorted({o.name for o in owners})
    if not names:
        return {}
    existing = dict(session.execute(sa.select(unit_t.c.name, unit_t.c.id).where(unit_t.c.name.in_(names))).all())
    missing = [n for n in names if n not in existing]
    if missing:
        groups = {o.name for o in owners if o.is_group}
        alias_map = lexicon.aliases() if lexicon else {}
        rows = [{"name": n, "is_group": n in groups, "aliases": "\n".join(alias_map.get(n, []))} for n in missing]
        session.execute(sa.insert(unit_t), rows)
        existing.update(
            dict(session.execute(sa.select(unit_t.c.name, unit_t.c.id).where(unit_t.c.name.in_(missing))).all())
        )
    return existing


def _task_row(plan_id: int, t: ExtractedTask, now: Any) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        "key": t.key,
        "seq": t.seq,
        "number": t.number,
        "section": t.section,
        "title": t.title,
        "text": t.text,
        "kind": t.kind,
        "due": t.due,
        "start": t.start,
        "due_text": t.deadline.raw if t.deadline else None,
        "ongoing": t.ongoing,
        "condition": t.condition,
        "due_source": t.due_source,
        "status": "todo",
        "progress": 0,
        "needs_review": t.needs_review,
        "review_reason": "；".join(t.review_reasons) or None,
        "withdrawn": False,
        "version": 1,
        "line_start": t.line_start,
        "line_end": t.line_end,
        "milestones": "\n".join(d.isoformat() for d in t.deadline.milestones) if t.deadline else "",
        "search_text": to_simplified(f"{t.number} {t.title} {t.text}"),
        "created_at": now,
        "updated_at": now,
    }


def store_plan(session: Session, plan: ExtractedPlan, source: LoadedSource, lexicon: Lexicon | None = None) -> PlanReport:
    now = utcnow()
    report = PlanReport(slug=plan.slug, title=plan.title, source_file=source.path.name, repairs=list(plan.repairs))
    meta = {
        "title": plan.title,
        "issuer": plan.issuer,
        "issued_on": plan.issued_on,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "source_file": source.path.name,
        "source_checksum": source.checksum,
        "language": plan.language,
        "updated_at": now,
    }
    plan_id = session.execute(sa.select(plan_t.c.id).where(plan_t.c.slug == plan.slug)).scalar_one_or_none()
    if plan_id is None:
        plan_id = session.execute(
            sa.insert(plan_t).values(slug=plan.slug, created_at=now, **meta).returning(plan_t.c.id)
        ).scalar_one()
        existing: dict[str, dict[str, Any]] = {}
    else:
        session.execute(sa.update(plan_t).where(plan_t.c.id == plan_id).values(**meta))
        existing = {
            row["key"]: dict(row)
            for row in session.execute(sa.select(task_t).where(task_t.c.plan_id == plan_id)).mappings()
        }

    new_tasks = [t for t in plan.tasks if t.key not in existing]
    if new_tasks:
        rows = [_task_row(plan_id, t, now) for t in new_tasks]
        ids = session.execute(
            sa.insert(task_t).returning(task_t.c.id, sort_by_parameter_order=True), rows
        ).scalars().all()
        owners_all = [o for t in new_tasks for o in t.owners]
        unit_ids = _unit_ids(session, owners_all, lexicon)
        owner_rows = [
            {"task_id": task_id, "unit_id": unit_ids[o.name], "role": o.role, "provenance": o.provenance, "position": i}
            for task_id, t in zip(ids, new_tasks)
            for i, o in enumerate(t.owners)
        ]
        if owner_rows:
            session.execute(sa.insert(owner_t), owner_rows)
        report.added = [t.number for t in new_tasks]

    updates: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    for t in plan.tasks:
        old = existing.get(t.key)
        if old is None:
            continue
        fresh = _task_row(plan_id, t, now)
        change = {f: fresh[f] for f in _DOC_FIELDS if old[f] != fresh[f]}
        if old["due_source"] not in ("coordinator", "trigger"):
            change.update({f: fresh[f] for f in _DEADLINE_FIELDS if old[f] != fresh[f]})
        if old["withdrawn"]:
            change["withdrawn"] = False
        if not change:
            report.unchanged += 1
            continue
        if "text" in change:
            report.changed.append(t.number)
            history.append({
                "task_id": old["id"], "actor": IMPORT_ACTOR, "recorded_at": now, "effective_at": now,
                "field": "text", "old_value": old["text"], "new_value": fresh["text"],
                "note": f"原文变更 / source text changed ({source.path.name})",
            })
        else:
            report.unchanged += 1
        updates.append({"_id": old["id"], **change, "updated_at": now})
    for row in updates:
        task_id = row.pop("_id")
        session.execute(sa.update(task_t).where(task_t.c.id == task_id).values(**row))
    if history:
        session.execute(sa.insert(history_t), history)

    _summarise(plan, report)
    return report


def _summarise(plan: ExtractedPlan, report: PlanReport) -> None:
    report.tasks = len(plan.tasks)
    for t in plan.tasks:
        report.owners += len(t.owners)
        report.with_due += t.due is not None
        report.ongoing += t.ongoing
        report.conditional += t.condition is not None
        for reason in t.review_reasons:
            report.needs_review.append((t.number, reason))
        if not t.owners:
            report.needs_owner.append(t.number)
