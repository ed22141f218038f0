"""Which stored plan an extracted plan is: the same document again, a revision, or new.

Issue 12: the slug (region and period) used to be the identity, so a province's second plan
for the same five years was taken for a revision of the first and withdrew all its tasks.
A plan is now recognised by what identifies a document (tracker.extract.identity), in
this order:

1. ``--replaces SLUG``: the user says the document revises that plan (its appendices then
   revise the appendices of that plan's file, by position);
2. the same file (name and position in it) with the same title or 文号: a re-import;
3. the same text (fingerprint) under another file name, or as .docx after .txt: nothing
   is stored again, the report says which plan it is;
4. the same file, the same 文号, or the same title in the same region, with changed text:
   a revision, provided enough of its items are the stored plan's (:data:`REVISION_FLOOR`)
   — a document that shares a title or a file name with another and little else is
   another document, and the report says so and how to override (``--replaces``);
5. anything else is a new plan, with a slug of its own: the region-and-period slug when it
   is free, else that slug with a distinguishing part from its 文号 or its title. The
   report names the stored plan it resembles most, and how much.

A document that merely resembles another is never merged into it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker.extract.identity import distinguishing_parts, item_key, title_key
from tracker.extract.pipeline import ExtractedPlan
from tracker.store.models import plan_t, task_t

REVISION_FLOOR = 0.3  # share of items a title / 文号 / file-name match must keep to be a revision
RESEMBLANCE_SHOWN = 0.2  # a new plan this alike to a stored one is reported as resembling it
SLUG_MAX = 80


@dataclass(frozen=True)
class Resemblance:
    slug: str
    title: str
    share: float  # of the items, in order (difflib ratio over normalised item texts)

    def to_json(self) -> dict[str, Any]:
        return {"plan": self.slug, "title": self.title, "share": round(self.share, 3)}


@dataclass
class Resolution:
    """What an extracted plan is: ``new``, a ``revision`` of ``plan_id``, or the ``same``
    document as ``plan_id`` (nothing to store)."""

    kind: str
    plan_id: int | None = None
    slug: str = ""
    reason: str | None = None  # replaces | file | text | doc_number | title
    resembles: Resemblance | None = None
    notes: list[str] = field(default_factory=list)
    title_key: str = ""  # the plan's title as compared (stored with it)


def plan_item_keys(plan: ExtractedPlan) -> list[str]:
    return [item_key(t.text, t.deadline.raw if t.deadline else None) for t in plan.tasks]


class Resolver:
    """Resolves the plans of one write transaction; remembers stored plans' item texts."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._items: dict[int, list[str]] = {}

    def forget(self, plan_id: int) -> None:
        """A plan was just written: its stored items are read again when next needed."""
        self._items.pop(plan_id, None)

    def share(self, plan_id: int, keys: list[str]) -> float:
        stored = self._items.get(plan_id)
        if stored is None:
            rows = self.session.execute(
                sa.select(task_t.c.text, task_t.c.due_text)
                .where(task_t.c.plan_id == plan_id, task_t.c.withdrawn.is_(False))
                .order_by(task_t.c.seq, task_t.c.id)
            ).all()
            stored = self._items[plan_id] = [item_key(text, due) for text, due in rows]
        if not stored or not keys:
            return 0.0
        return difflib.SequenceMatcher(None, stored, keys, autojunk=False).ratio()

    def resolve(
        self, plan: ExtractedPlan, source_file: str, *, replaces: dict[str, Any] | None, claimed: set[int]
    ) -> Resolution:
        """Which stored plan ``plan`` (from ``source_file``) is. ``replaces`` is the stored
        plan the user named (for the document's main plan) or, for an appendix, the main
        plan's target; ``claimed`` the plans already taken by other plans of the document."""
        tk = title_key(plan.title)
        cols = [plan_t.c[c] for c in ("id", "slug", "title", "title_key", "doc_number", "region", "source_file",
                                      "part", "fingerprint", "period_start", "period_end")]
        terms = [plan_t.c.source_file == source_file, plan_t.c.fingerprint == plan.fingerprint]
        if tk:  # a document whose title was not found shares no "title" with another
            terms.append(plan_t.c.title_key == tk)
        if plan.doc_number:
            terms.append(plan_t.c.doc_number == plan.doc_number)
        if plan.region:
            terms.append(sa.and_(plan_t.c.region == plan.region, plan_t.c.period_start == plan.period_start,
                                 plan_t.c.period_end == plan.period_end))
        if replaces is not None:
            terms.append(plan_t.c.id == replaces["id"])
            if plan.part:
                terms.append(plan_t.c.source_file == replaces["source_file"])
        rows = [dict(r) for r in self.session.execute(sa.select(*cols).where(sa.or_(*terms))).mappings()]
        rows = [r for r in rows if r["id"] not in claimed]
        if not rows:  # a first import, the usual case: nothing to compare
            return Resolution("new", None, self.free_slug(plan), None, title_key=tk)
        rows.sort(key=lambda r: r["id"])
        keys = plan_item_keys(plan)

        def revision(row: dict[str, Any], reason: str) -> Resolution:
            return Resolution("revision", row["id"], row["slug"], reason, title_key=tk)

        if replaces is not None:
            if plan.part == 0:
                return revision(replaces, "replaces")
            same_part = [r for r in rows if r["source_file"] == replaces["source_file"] and r["part"] == plan.part]
            if same_part:
                return revision(same_part[0], "replaces")
        same_doc = [r for r in rows if r["doc_number"] and r["doc_number"] == plan.doc_number]
        same_file = [r for r in rows if r["source_file"] == source_file]
        for r in sorted(same_file, key=lambda r: (r["title_key"] != tk, r["part"] != plan.part)):
            if r["title_key"] == tk or (r in same_doc and r["part"] == plan.part):
                return revision(r, "file")
        for r in rows:
            if r["fingerprint"] == plan.fingerprint:
                return Resolution("same", r["id"], r["slug"], "text", title_key=tk)
        notes: list[str] = []
        for reason, found in (
            ("file", [r for r in same_file if r["part"] == plan.part]),
            ("doc_number", [r for r in same_doc if r["part"] == plan.part]),
            ("title", [r for r in rows if tk and r["title_key"] == tk and _same_region(r["region"], plan.region)
                       and not _other_numbers(r["doc_number"], plan.doc_number)]),
        ):
            if not found:
                continue
            share, best = max(((self.share(r["id"], keys), r) for r in found), key=lambda sr: (sr[0], -sr[1]["id"]))
            if share >= REVISION_FLOOR:
                return revision(best, reason)
            notes.append(_not_a_revision(reason, best["slug"], share))
        resembles = None
        for r in rows:
            share = self.share(r["id"], keys)
            if share >= RESEMBLANCE_SHOWN and (resembles is None or share > resembles.share):
                resembles = Resemblance(r["slug"], r["title"], share)
        return Resolution("new", None, self.free_slug(plan), None, resembles, notes, title_key=tk)

    def free_slug(self, plan: ExtractedPlan) -> str:
        """The plan's region-and-period slug when no plan has it, else that slug with a part
        from its 文号 or title (then a number): the second plan of a region and period is
        told apart, the first keeps the short handle."""
        base = plan.slug[:SLUG_MAX]
        if not self._taken(base):
            return base
        parts = distinguishing_parts(plan.title, plan.doc_number, plan.region)
        for part in parts:
            candidate = f"{base[: SLUG_MAX - len(part) - 1]}-{part}"
            if not self._taken(candidate):
                return candidate
        stem = f"{base}-{parts[-1]}" if parts else base
        n = 2
        while True:
            candidate = f"{stem[: SLUG_MAX - len(str(n)) - 1]}-{n}"
            if not self._taken(candidate):
                return candidate
            n += 1

    def _taken(self, slug: str) -> bool:
        return self.session.execute(sa.select(plan_t.c.id).where(plan_t.c.slug == slug)).first() is not None


def _same_region(a: str, b: str) -> bool:
    return a == b or not a or not b


def _other_numbers(a: str | None, b: str | None) -> bool:
    """Two documents numbered differently are two documents, whatever their titles."""
    return bool(a and b and a != b)


_LABELS = {
    "file": ("文件名", "file name"),
    "doc_number": ("文号", "document number"),
    "title": ("标题", "title"),
}


def _not_a_revision(reason: str, slug: str, share: float) -> str:
    zh, en = _LABELS[reason]
    return (
        f"与 {slug} {zh}相同，但只有 {share:.0%} 的条目相同，作为新规划导入；如为其修订版，请用 --replaces {slug} 导入 / "
        f"same {en} as {slug} but only {share:.0%} of its items alike: imported as a new plan; "
        f"if it revises {slug}, import it with --replaces {slug}"
    )
