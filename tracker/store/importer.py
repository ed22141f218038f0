"""Writing extracted plans into the store: idempotent, all-or-nothing, and fast.

Which stored plan a document's plan is — the same document again, a revision, or a new
plan — is decided from the document's identity (:mod:`tracker.store.plan_identity`), never from
its slug alone. Re-importing a document never duplicates a task and never overwrites what
coordinators own (status, progress, owners they set, notes, due dates they changed); it
updates only what the document says, bumps the version of every task it changes and
records the change in its History. A revision is aligned with the stored plan as a whole
(:mod:`tracker.store.alignment`), so an inserted item that shifts the numbers does not turn every
later task into a "changed" one, and a doubtful pair is never made: a task gone from the
document is marked withdrawn, never deleted, and restored if it comes back.

Speed (bench/import.py): documents are read and extracted in worker processes, one per core,
while this process writes, in file order. Writes are batched: one write transaction holds
up to :data:`BATCH_FILES` files (or :data:`BATCH_TASKS` tasks), each file inside its own
savepoint, so an import killed half-way leaves every file either fully imported or not at
all, and a file that fails to store leaves the files before it committed, as one
transaction per file did. A dry run still rolls back file by file. Rows go in with
executemany (Core inserts), not one ORM object at a time.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.dates import EARLIEST, LATEST
from tracker.errors import DocumentImportError, NotFoundError, UsageError
from tracker.extract.budget import BudgetExceeded
from tracker.extract.identity import item_key, text_key
from tracker.extract.indicators import ExtractedIndicator, extract_indicators
from tracker.extract.owners import Lexicon, OwnerRef
from tracker.extract.pipeline import ExtractedPlan, ExtractedTask, ReviewNote, extract_document
from tracker.extract.reading import DocumentError, read_document
from tracker.extract.repair import Repair, is_traditional, page_title, repair_text, strip_pinyin, to_simplified
from tracker.extract.structure import page_date
from tracker.store.alignment import Alignment, Item, align, pair_leftovers
from tracker.store.db import FTS_TABLE, has_fts, write_session
from tracker.store.indicators import store_document_indicators
from tracker.store.models import history_t, owner_t, plan_t, task_t, unit_t, utcnow
from tracker.store.plan_identity import Resemblance, Resolver
from tracker.textsafe import display_path

IMPORT_ACTOR = "import"
DOCUMENT_SUFFIXES = {".txt", ".text", ".docx", ".html", ".htm"}

# Document-derived fields a re-import refreshes. Coordinator-owned fields are absent.
_DOC_FIELDS = ("seq", "number", "section", "title", "text", "kind", "due_text", "line_start", "line_end", "search_text")
_DEADLINE_FIELDS = ("due", "start", "ongoing", "condition", "due_source", "milestones")
# A change to one of these is a change of the task: its version grows (a coordinator's
# --expect-version from before the import is refused). Order and line numbers are not.
_CONTENT_FIELDS = frozenset({"number", "section", "title", "text", "kind", "due_text", *_DEADLINE_FIELDS} - {"due_source"})


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
    needs_review: list[tuple[str, ReviewNote]] = field(default_factory=list)  # (number, why and where)
    needs_owner: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)  # numbers of tasks gone from the document
    restored: list[str] = field(default_factory=list)  # withdrawn tasks that came back
    # Identity (tracker.store.plan_identity): new | revision | same (the same document, not stored again)
    identity: str = "new"
    matched_by: str | None = None  # replaces | file | text | doc_number | title
    same_as: str | None = None  # the plan this document already is
    resembles: Resemblance | None = None
    notes: list[str] = field(default_factory=list)
    doc_number: str | None = None
    region: str = ""
    # A revision's changes task by task, old → new (the --dry-run preview), and the pairs
    # the alignment doubted (imported as withdrawn + added, for a person to check).
    changes: list[dict[str, Any]] = field(default_factory=list)
    doubtful: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ImportReport:
    plans: list[PlanReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dry_run: bool = False
    indicators: dict[str, int] = field(default_factory=dict)  # plan slug → quantified targets (指标)

    @property
    def task_count(self) -> int:
        return sum(p.tasks for p in self.plans)


def collect_documents(paths: list[Path]) -> list[Path]:
    """Files to import: each named file, and the documents inside each named folder.

    A folder entry with a document's name that is no regular file (a FIFO, a device, a
    dangling link) is kept in the list, so that reading it says why it is skipped
    (tracker.extract.reading refuses it without blocking) instead of passing over it in
    silence; sub-folders are not entered.
    """
    found: list[Path] = []
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise DocumentImportError(f"路径不存在 / no such file or folder: {display_path(path)}")
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in DOCUMENT_SUFFIXES and not p.is_dir()))
        else:
            found.append(path)
    return found


def _name_problem(path: Path) -> str | None:
    """Why a file name cannot be stored, or None. Its bytes must be UTF-8 (the name is kept
    as the plan's source file and printed); a name in GBK, as archives made on Chinese
    Windows unpack, is recognised and the readable name suggested."""
    try:
        path.name.encode("utf-8")
        return None
    except UnicodeEncodeError:
        pass
    raw = os.fsencode(path.name)
    try:
        hint = f"（似为 GBK 编码：{raw.decode('gb18030')}）"
        hint_en = f" (it reads as GBK: {raw.decode('gb18030')})"
    except UnicodeDecodeError:
        hint = hint_en = ""
    return (
        f"文件名不是 UTF-8 编码{hint}，已跳过，请改名后再导入 / the file name is not UTF-8{hint_en}, skipped: "
        f"rename it and import again: {display_path(path)}"
    )


@dataclass(frozen=True)
class LoadedSource:
    """A document decoded and repaired, ready for the grammar."""

    path: Path
    text: str
    checksum: str
    language: str
    repair_notes: list[str]
    title_hint: tuple[int, str] | None = None  # (line, title) recovered from page debris
    date_hint: date | None = None  # the date the page's metadata gives the document
    damaged_lines: tuple[int, ...] = ()  # lines where the source lost text (青,F代化)


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
        title_hint=page_title(source.text),
        date_hint=page_date(source.text.split("\n", 60)[:60]),
        damaged_lines=tuple(sorted({r.line for r in repairs if r.kind in ("lost-text", "stray-word")})),
    )


def summarise_repairs(repairs: list[Repair]) -> list[str]:
    """What the reader fixed, for the import report: counts for routine clean-up, and every
    place where text was lost (kept as printed, for a person to check)."""
    notes: list[str] = []
    pinyin_lines = [r for r in repairs if r.kind == "pinyin"]
    pinyin = sum(strip_pinyin(r.before)[1] for r in pinyin_lines)
    chrome = [r.line for r in repairs if r.kind in ("debris", "page-artefact")]
    if pinyin_lines:
        notes.append(
            f"删除拼音注音 {pinyin} 处（{len(pinyin_lines)} 行）/ stripped {pinyin} pinyin readings "
            f"on {len(pinyin_lines)} lines"
        )
    if chrome:
        notes.append(f"忽略网页残留 {len(chrome)} 行 / ignored {len(chrome)} lines of web-page debris (lines {chrome[0]}–{chrome[-1]})")
    for r in repairs:
        if r.kind == "lost-text":
            notes.append(f"第{r.line}行原文缺字，需核对 / line {r.line}: text lost in the source, check: {r.after[:30]}")
        elif r.kind == "stray-word":
            notes.append(
                f"第{r.line}行删除多余外文词，需核对 / line {r.line}: removed a stray word, check: {r.before[:30]}"
            )
    return notes


def extract_file(path: Path, lexicon: Lexicon | None) -> tuple[LoadedSource, list[ExtractedPlan]]:
    source = load_source(path)
    try:
        plans = _extract_source(source, path, lexicon)
    except BudgetExceeded as exc:
        raise DocumentImportError(f"{path}: {exc}") from exc
    _flag_damaged(plans, source.damaged_lines)
    _drop_impossible_dates(plans)
    if not plans:
        raise DocumentImportError(f"未找到编号任务，文件不像实施方案 / no numbered tasks found in {path}")
    return source, plans


def _extract_source(source: LoadedSource, path: Path, lexicon: Lexicon | None) -> list[ExtractedPlan]:
    return extract_document(
        source.text, source_name=path.name, lexicon=lexicon, language=source.language, title_hint=source.title_hint,
        date_hint=source.date_hint,
    )


def _drop_impossible_dates(plans: list[ExtractedPlan]) -> None:
    """A date outside 1949–2100 (``9999年12月底前完成``, a typo or a test) is no deadline:
    stored, it broke the calendar feeds (the day after it does not exist) and the feed
    server. The task keeps its phrase, loses the date and waits for a person to check it,
    as every date a coordinator types is held to the same range (tracker.dates)."""
    def sane(d: date | None) -> bool:
        return d is None or EARLIEST <= d <= LATEST

    for plan in plans:
        for name in ("issued_on", "period_start", "period_end"):
            if not sane(getattr(plan, name)):
                setattr(plan, name, None)
        for task in plan.tasks:
            milestones = task.deadline.milestones if task.deadline else ()
            if sane(task.due) and sane(task.start) and all(sane(m) for m in milestones):
                continue
            task.due = task.start = None
            task.due_source = None
            if task.deadline is not None:
                task.deadline = dataclasses.replace(task.deadline, due=None, start=None, milestones=())
            task.needs_review = True
            task.review_reasons.append(ReviewNote(
                task.line_start,
                f"期限超出 {EARLIEST.year}–{LATEST.year} 年，未采用，需核对 / the deadline is outside "
                f"{EARLIEST.year}–{LATEST.year}: not used, check it",
            ))


def _flag_damaged(plans: list[ExtractedPlan], lines: tuple[int, ...]) -> None:
    """A task whose source lost text (a scraper's `?I化`) needs a person to check it."""
    for plan in plans:
        for task in plan.tasks:
            hit = [n for n in lines if task.line_start <= n <= task.line_end]
            if hit:
                task.needs_review = True
                task.review_reasons.append(
                    ReviewNote(hit[0], f"原文缺字或有残留，需核对 / source line {hit[0]} lost text, check it")
                )


BATCH_FILES = 50  # files per write transaction (each in a savepoint of its own)
BATCH_TASKS = 5000  # … or fewer, once this many tasks are waiting to commit


@dataclass
class _Extracted:
    """What a worker hands back for one file: the source, its plans and its indicators."""

    source: LoadedSource
    plans: list[ExtractedPlan]
    indicators: list[ExtractedIndicator]


def _extract_for_import(path: Path, lexicon: Lexicon | None) -> _Extracted | str:
    """Everything of one file that needs no database; an unreadable file gives its error."""
    problem = _name_problem(path)
    if problem is not None:  # found before any file of the folder is stored: never half a folder
        return problem
    try:
        source, plans = extract_file(path, lexicon)
    except DocumentImportError as exc:
        return display_path(exc)
    return _Extracted(source, plans, extract_indicators(source.text))


_worker_lexicon: Lexicon | None = None
_ORPHAN_POLL_S = 0.2


def _init_worker(lexicon: Lexicon | None, parent: int) -> None:
    """Set up an extraction worker: the lexicon, and a watch on the importer.

    An importer killed outright (``kill -9``, the OOM killer) cannot stop its pool, and
    workers waiting for their next file would wait forever; each worker therefore leaves as
    soon as its parent is gone.
    """
    global _worker_lexicon
    _worker_lexicon = lexicon

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_ORPHAN_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


def _extract_in_worker(path: Path) -> _Extracted | str:
    result = _extract_for_import(path, _worker_lexicon)
    if isinstance(result, _Extracted):  # the writer needs the text no more: not sent back
        result.source = dataclasses.replace(result.source, text="")
    return result


def _worker_count(files: int, workers: int | None) -> int:
    """Processes to extract with: one per core by default, never more than files; none when
    this process runs other threads (a TUI), which forking could deadlock."""
    if workers is None:
        workers = os.cpu_count() or 1
        if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
            workers = 1
    return max(1, min(workers, files))


def _extracted(files: list[Path], lexicon: Lexicon | None, workers: int) -> Iterator[tuple[Path, _Extracted | str]]:
    """Each file's extraction, in file order; from a pool of worker processes when
    ``workers`` > 1, which keep only a few files ahead of the writer (so a corpus of
    thousands of documents never waits in memory)."""
    if workers <= 1:
        for path in files:
            yield path, _extract_for_import(path, lexicon)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(lexicon, os.getpid())) as pool:
        ahead: deque[tuple[Path, Future[_Extracted | str]]] = deque()
        pending = iter(files)
        for path in pending:
            ahead.append((path, pool.submit(_extract_in_worker, path)))
            if len(ahead) >= 4 * workers:
                break
        while ahead:
            path, future = ahead.popleft()
            result = future.result()
            nxt = next(pending, None)
            if nxt is not None:
                ahead.append((nxt, pool.submit(_extract_in_worker, nxt)))
            yield path, result


@dataclass
class _Batch:
    """What the files of one write transaction share: unit ids by (region, name), the plan
    resolver (and its cache of stored plans' items), and the plan a --replaces names."""

    session: Session
    units: dict[tuple[str, str], int] = field(default_factory=dict)
    resolver: Resolver | None = None
    replaces: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self.resolver = Resolver(self.session)


def _store_file(batch: _Batch, item: _Extracted, lexicon: Lexicon | None, report: ImportReport) -> None:
    claimed: set[int] = set()
    spans: list[ExtractedPlan] = []
    for i, plan in enumerate(item.plans):
        plan_report = store_plan(batch.session, plan, item.source, lexicon, units=batch.units, resolver=batch.resolver,
                                 replaces=batch.replaces, claimed=claimed)
        if i == 0:  # the document's repairs are reported once, with its first plan
            plan_report.repairs = item.source.repair_notes + plan_report.repairs
        report.plans.append(plan_report)
        # A plan already stored as another file holds its targets already.
        spans.append(plan if plan_report.identity != "same" else dataclasses.replace(plan, slug=""))
    report.indicators.update(store_document_indicators(batch.session, spans, item.source.text, items=item.indicators))


def import_paths(
    engine: Engine,
    paths: list[Path],
    *,
    lexicon: Lexicon | None = None,
    dry_run: bool = False,
    progress: Any = None,
    workers: int | None = None,
    replaces: str | None = None,
) -> ImportReport:
    """Import documents, each file all or nothing. A bad file is reported and skipped.

    ``workers``: processes extracting documents (default: one per core; 1 extracts here).
    ``replaces``: the slug of the plan the one document imported revises (its main plan;
    its appendices revise that plan's file's appendices).
    """
    report = ImportReport(dry_run=dry_run)
    files = collect_documents(paths)
    target = _replaced_plan(engine, replaces, files) if replaces is not None else None
    batch: list[tuple[Path, _Extracted | str]] = []
    tasks = 0
    for path, result in _extracted(files, lexicon, _worker_count(len(files), workers)):
        batch.append((path, result))
        if isinstance(result, _Extracted):
            tasks += sum(len(p.tasks) for p in result.plans)
        if dry_run or len(batch) >= BATCH_FILES or tasks >= BATCH_TASKS:
            _write(engine, batch, lexicon, report, dry_run, progress, target)
            batch, tasks = [], 0
    if batch:
        _write(engine, batch, lexicon, report, dry_run, progress, target)
    return report


def _replaced_plan(engine: Engine, slug: str, files: list[Path]) -> dict[str, Any]:
    """The stored plan ``--replaces`` names; it takes exactly one document."""
    if len(files) != 1:
        raise UsageError(f"--replaces 只能用于一个文件（现有 {len(files)} 个）/ --replaces takes exactly one file, got {len(files)}")
    from tracker.store.db import read_session

    with read_session(engine) as s:
        row = s.execute(
            sa.select(plan_t.c.id, plan_t.c.slug, plan_t.c.source_file).where(plan_t.c.slug == slug.strip())
        ).mappings().first()
    if row is None:
        raise NotFoundError(f"没有代号为“{slug}”的规划 / no plan {slug!r} (see: tracker plans)")
    return dict(row)


def _write(
    engine: Engine,
    batch: list[tuple[Path, _Extracted | str]],
    lexicon: Lexicon | None,
    report: ImportReport,
    dry_run: bool,
    progress: Any,
    replaces: dict[str, Any] | None = None,
) -> None:
    """Store a batch of files in one transaction, each in a savepoint: a file that fails
    rolls back alone, the files before it are committed, and the error goes on up."""
    if any(isinstance(result, _Extracted) for _, result in batch):
        failure: BaseException | None = None
        with write_session(engine) as session:
            shared = _Batch(session, replaces=replaces)
            for _, result in batch:
                if not isinstance(result, _Extracted):
                    continue
                try:
                    with session.begin_nested():
                        _store_file(shared, result, lexicon, report)
                except BaseException as exc:  # the files before it still commit
                    failure = exc
                    break
            if dry_run:
                session.rollback()
        if failure is not None:
            raise failure
    for path, result in batch:
        if isinstance(result, str):
            report.errors.append(result)
        if progress:
            progress(path)


def _insert_rows(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """``INSERT`` many rows of one shape, as Core would store them.

    On SQLite the rows go straight to the driver's executemany, each value converted by the
    column type's own bind processor (dates and times written exactly as SQLAlchemy writes
    them): Core's per-row parameter handling costs more than SQLite's insert itself. Other
    databases take Core's batched multi-row inserts.
    """
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        session.execute(sa.insert(table), rows)
        return
    names = list(rows[0])
    quote = conn.dialect.identifier_preparer.quote
    columns = []
    for name in names:  # column by column: map() and zip() run in C
        values = [row[name] for row in rows]
        # The processor SQLAlchemy itself applies to each bound value of that column type.
        processor = table.c[name].type._cached_bind_processor(conn.dialect)
        columns.append(list(map(processor, values)) if processor else values)
    sql = f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) VALUES ({', '.join('?' * len(names))})"
    conn.exec_driver_sql(sql, list(zip(*columns, strict=True)))


def _index_for_search(session: Session, plan_id: int, first: int, last: int) -> None:
    """Add the tasks just inserted (ids ``first``..``last`` of the plan) to SQLite's full-text
    index (migration 0006), in one statement: triggers keep it in step on update and delete,
    but a trigger per inserted row would double the time of a large import."""
    conn = session.connection()
    if not has_fts(conn):
        return
    conn.exec_driver_sql(
        f"INSERT INTO {FTS_TABLE} (rowid, search_text) SELECT id, search_text FROM task "
        "WHERE id BETWEEN ? AND ? AND plan_id = ?",
        (first, last, plan_id),
    )


def _unit_ids(
    session: Session,
    owners: list[OwnerRef],
    lexicon: Lexicon | None,
    known: dict[tuple[str, str], int] | None = None,
    *,
    region: str = "",
    region_slug: str = "",
) -> dict[str, int]:
    """Unit name → id for ``owners`` within ``region`` (a unit is its name in its region:
    Yunnan's 省公安厅 is not Sichuan's), creating the units not stored yet. ``known`` holds
    the ids already looked up in this transaction (a batch of files names the same units).
    The lexicon's aliases go only to units of the regions it is written for."""
    known = {} if known is None else known
    names = sorted({o.name for o in owners})
    if not names:
        return {}
    unknown = [n for n in names if (region, n) not in known]
    if unknown:
        existing = dict(session.execute(
            sa.select(unit_t.c.name, unit_t.c.id).where(unit_t.c.region == region, unit_t.c.name.in_(unknown))
        ).all())
        missing = [n for n in unknown if n not in existing]
        if missing:
            groups = {o.name for o in owners if o.is_group}
            alias_map = lexicon.aliases() if lexicon and lexicon.applies_to(region_slug) else {}
            rows = [{"name": n, "region": region, "is_group": n in groups, "aliases": "\n".join(alias_map.get(n, []))}
                    for n in missing]
            session.execute(sa.insert(unit_t), rows)
            existing.update(dict(session.execute(
                sa.select(unit_t.c.name, unit_t.c.id).where(unit_t.c.region == region, unit_t.c.name.in_(missing))
            ).all()))
        known.update({(region, n): uid for n, uid in existing.items()})
    return {n: known[(region, n)] for n in names}


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
        "review_reason": "；".join(str(r) for r in t.review_reasons) or None,
        "withdrawn": False,
        "version": 1,
        "line_start": t.line_start,
        "line_end": t.line_end,
        "milestones": "\n".join(d.isoformat() for d in t.deadline.milestones) if t.deadline else "",
        "search_text": to_simplified(f"{t.number} {t.title} {t.text}"),
        "created_at": now,
        "updated_at": now,
    }


def _history(task_id: int, field_name: str, old: Any, new: Any, note: str, now: Any, version: int | None) -> dict[str, Any]:
    return {
        "task_id": task_id, "actor": IMPORT_ACTOR, "recorded_at": now, "effective_at": now,
        "field": field_name, "old_value": old, "new_value": new, "note": note, "task_version": version,
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _items(rows: list[dict[str, Any]]) -> list[Item]:
    """Tasks as the alignment compares them: key, text without its deadline, deadline."""
    return [Item(r["key"], item_key(r["text"], r["due_text"]), text_key(r["due_text"] or "")) for r in rows]


def _change_entry(kind: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    """One line of a revision's preview: a task added, withdrawn, changed or restored."""
    entry: dict[str, Any] = {"change": kind, "number": (new or old or {}).get("number")}
    if old is not None:
        entry.update(old_number=old["number"], old_text=old["text"], old_due=_iso(old["due"]), old_due_text=old["due_text"])
    if new is not None:
        entry.update(new_text=new["text"], new_due=_iso(new["due"]), new_due_text=new["due_text"])
    return entry


def store_plan(
    session: Session,
    plan: ExtractedPlan,
    source: LoadedSource,
    lexicon: Lexicon | None = None,
    *,
    units: dict[tuple[str, str], int] | None = None,
    resolver: Resolver | None = None,
    replaces: dict[str, Any] | None = None,
    claimed: set[int] | None = None,
) -> PlanReport:
    """Store one extracted plan: as a new plan, as a revision of the stored plan it is, or
    not at all when the same document is stored already (tracker.store.plan_identity)."""
    now = utcnow()
    resolver = resolver or Resolver(session)
    claimed = set() if claimed is None else claimed
    res = resolver.resolve(plan, source.path.name, replaces=replaces, claimed=claimed)
    report = PlanReport(
        slug=res.slug, title=plan.title, source_file=source.path.name, repairs=list(plan.repairs),
        identity=res.kind, matched_by=res.reason, resembles=res.resembles, notes=res.notes,
        doc_number=plan.doc_number, region=plan.region,
    )
    if res.plan_id is not None:
        claimed.add(res.plan_id)
    if res.kind == "same":
        report.same_as = res.slug
        return report
    plan.slug = res.slug  # the plan's indicators are stored under it
    meta = {
        "title": plan.title,
        "issuer": plan.issuer,
        "issued_on": plan.issued_on,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "source_file": source.path.name,
        "source_checksum": source.checksum,
        "language": plan.language,
        "doc_number": plan.doc_number,
        "title_key": res.title_key,
        "fingerprint": plan.fingerprint,
        "part": plan.part,
        "updated_at": now,
    }
    stored: list[dict[str, Any]] = []
    region = plan.region
    if res.plan_id is None:
        plan_id = session.execute(
            sa.insert(plan_t).values(slug=res.slug, region=region, created_at=now, **meta).returning(plan_t.c.id)
        ).scalar_one()
    else:
        plan_id = res.plan_id
        # A plan keeps its region: its units are that region's (a migrated plan without one
        # takes the document's).
        region = session.execute(sa.select(plan_t.c.region).where(plan_t.c.id == plan_id)).scalar_one() or plan.region
        session.execute(sa.update(plan_t).where(plan_t.c.id == plan_id).values(region=region, **meta))
        stored = [
            dict(row)
            for row in session.execute(
                sa.select(task_t).where(task_t.c.plan_id == plan_id).order_by(task_t.c.seq, task_t.c.id)
            ).mappings()
        ]
        resolver.forget(plan_id)

    fresh_rows = [_task_row(plan_id, t, now) for t in plan.tasks]
    pairs, alignment, live = _pair(fresh_rows, stored)
    report.doubtful = [
        {"number": fresh_rows[d.new]["number"], "old_number": live[d.old]["number"], "similarity": d.similarity}
        for d in alignment.doubtful
    ]
    matched_ids = {row["id"] for row in pairs.values()}
    gone = [row for row in stored if row["id"] not in matched_ids]
    new_keys = {r["key"] for r in fresh_rows}
    note = f"({source.path.name})"

    # Keys are UNIQUE per plan: rows whose key changes, and withdrawn rows holding a key the
    # new version uses, first move to temporary keys no task can have.
    moving = [row for i, row in pairs.items() if row["key"] != fresh_rows[i]["key"]]
    blocking = [row for row in gone if row["key"] in new_keys]
    for row in moving + blocking:
        session.execute(sa.update(task_t).where(task_t.c.id == row["id"]).values(key=f"~{row['id']}"))
    for row in blocking:
        parked = f"{row['key']}~{row['id']}"[-64:]
        session.execute(sa.update(task_t).where(task_t.c.id == row["id"]).values(key=parked))

    history: list[dict[str, Any]] = []
    for row in gone:
        if row["withdrawn"]:
            continue
        version = _bump(session, row["id"], {"withdrawn": True}, now)
        history.append(_history(row["id"], "withdrawn", "false", "true", f"原文已删除此项 / gone from the document {note}", now, version))
        report.withdrawn.append(row["number"])
        report.changes.append(_change_entry("withdrawn", row, None))

    for i, old in sorted(pairs.items()):
        fresh, t = fresh_rows[i], plan.tasks[i]
        change = {f: fresh[f] for f in ("key", *_DOC_FIELDS) if old[f] != fresh[f]}
        if old["due_source"] not in ("coordinator", "trigger"):
            change.update({f: fresh[f] for f in _DEADLINE_FIELDS if old[f] != fresh[f]})
        events: list[tuple[str, Any, Any, str]] = []
        if old["withdrawn"]:
            change["withdrawn"] = False
            report.restored.append(t.number)
            events.append(("withdrawn", "true", "false", f"原文恢复此项 / back in the document {note}"))
        if "text" in change:
            events.append(("text", old["text"], fresh["text"], f"原文变更 / source text changed {note}"))
        if "number" in change:
            events.append(("number", old["number"], fresh["number"], f"序号变更 / renumbered {note}"))
        if "section" in change:
            events.append(("section", old["section"], fresh["section"], f"所属章节变更 / moved to another section {note}"))
        if "due" in change:
            events.append(("due", _iso(old["due"]), _iso(fresh["due"]), f"原文期限变更 / deadline changed in the document {note}"))
        edited = "text" in change or "due" in change or "due_text" in change
        if edited:
            report.changed.append(t.number)
        elif not old["withdrawn"]:
            report.unchanged += 1
        if old["withdrawn"]:
            report.changes.append(_change_entry("restored", old, fresh))
        elif edited:
            report.changes.append(_change_entry("changed", old, fresh))
        if not change:
            continue
        if events or _CONTENT_FIELDS & change.keys():
            version = _bump(session, old["id"], change, now)
            history.extend(_history(old["id"], f, o, n, why, now, version) for f, o, n, why in events)
        else:  # only its place in the document moved: not a change of the task
            session.execute(sa.update(task_t).where(task_t.c.id == old["id"]).values(**change, updated_at=now))

    new_tasks = [(t, fresh_rows[i]) for i, t in enumerate(plan.tasks) if i not in pairs]
    if new_tasks:
        # One executemany, then the new ids by key (unique in the plan): RETURNING in
        # parameter order would make SQLite insert the rows one statement at a time.
        _insert_rows(session, task_t, [row for _, row in new_tasks])
        id_of = dict(session.execute(sa.select(task_t.c.key, task_t.c.id).where(task_t.c.plan_id == plan_id)).all())
        ids = [id_of[row["key"]] for _, row in new_tasks]
        _index_for_search(session, plan_id, min(ids), max(ids))
        owners_all = [o for t, _ in new_tasks for o in t.owners]
        unit_ids = _unit_ids(session, owners_all, lexicon, units, region=region, region_slug=plan.region_slug)
        owner_rows = [
            {"task_id": task_id, "unit_id": unit_ids[o.name], "role": o.role, "provenance": o.provenance, "position": k}
            for task_id, (t, _) in zip(ids, new_tasks, strict=True)
            for k, o in enumerate(t.owners)
        ]
        if owner_rows:
            _insert_rows(session, owner_t, owner_rows)
        report.added = [t.number for t, _ in new_tasks]
        if stored:
            report.changes.extend(_change_entry("added", None, row) for _, row in new_tasks)
    if history:
        session.execute(sa.insert(history_t), history)

    _summarise(plan, report)
    return report


def _pair(
    fresh: list[dict[str, Any]], stored: list[dict[str, Any]]
) -> tuple[dict[int, dict[str, Any]], Alignment, list[dict[str, Any]]]:
    """New index → stored row: the live tasks aligned with the new version as a whole, then
    the items still unpaired against the withdrawn tasks (an item that comes back)."""
    if not stored:
        return {}, Alignment(), []
    live = [r for r in stored if not r["withdrawn"]]
    withdrawn = [r for r in stored if r["withdrawn"]]
    new_items = _items(fresh)
    alignment = align(new_items, _items(live))
    pairs = {i: live[j] for i, j in alignment.pairs.items()}
    if withdrawn:
        back = Alignment()
        pair_leftovers(new_items, _items(withdrawn), [i for i in range(len(fresh)) if i not in pairs],
                       list(range(len(withdrawn))), back)
        pairs.update({i: withdrawn[j] for i, j in back.pairs.items()})
    return pairs, alignment, live


def _bump(session: Session, task_id: int, values: dict[str, Any], now: Any) -> int:
    """Update a task the document changed and grow its version, in one statement (a
    coordinator's edit racing the import is then refused by its compare-and-swap)."""
    return int(session.execute(
        sa.update(task_t).where(task_t.c.id == task_id)
        .values(**values, version=task_t.c.version + 1, updated_at=now).returning(task_t.c.version)
    ).scalar_one())


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
