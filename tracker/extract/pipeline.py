"""Document → extracted plans: structure, then each item's deadline and owners.

This is the one path from a file to the rows the store keeps: reading (encodings, formats,
repairs) → structure (headings, items) → deadlines (phrase grammar) → owners (clauses,
lexicon). It touches no database; :mod:`tracker.store.importer` writes what it returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from tracker.extract import budget
from tracker.extract.deadlines import Deadline, in_sentence_deadline, looks_like_deadline, parse_deadline
from tracker.extract.identity import DocumentIdentity, fingerprint, read_identity
from tracker.extract.numerals import cn_to_int, fold_width, normalise
from tracker.extract.owners import (
    Lexicon,
    OwnerClause,
    OwnerRef,
    clean_unit_name,
    find_owner_clauses,
    is_group_name,
    is_unit_name,
)
from tracker.extract.repair import to_simplified_aligned
from tracker.extract.structure import ParsedDocument, ParsedItem, ParsedPlan, is_context, parse_lines

_PHASE_WORDS = re.compile(r"阶段")
_MAIN_PHASE = re.compile(r"(建设|实施|推进|攻坚|全面|落实)")
_GUARANTEE_SECTION = re.compile(r"(组织保障|实施保障|保障措施|组织实施|組織保障|實施保障)")
_DOC_KIND_SLUG = [
    ("实施意见", "opinions"), ("意见", "opinions"), ("工作方案", "plan"), ("实施方案", "plan"),
    ("方案", "plan"), ("推进计划", "schedule"), ("计划", "schedule"), ("规划", "program"),
    ("纲要", "outline"), ("办法", "measures"), ("要点", "points"),
]
@dataclass(frozen=True)
class ReviewNote:
    """Why a task needs a person to look at it, and the source line that shows why."""

    line: int
    text: str

    def __str__(self) -> str:
        return f"第{self.line}行：{self.text}"


@dataclass
class ExtractedTask:
    key: str
    seq: int
    number: str
    section: str
    title: str
    text: str
    kind: str
    deadline: Deadline | None
    due: date | None
    start: date | None
    ongoing: bool
    condition: str | None
    due_source: str | None
    owners: list[OwnerRef]
    needs_review: bool
    review_reasons: list[ReviewNote]
    line_start: int
    line_end: int


@dataclass
class ExtractedPlan:
    slug: str
    title: str
    issuer: str | None
    issued_on: date | None
    period_start: date | None
    period_end: date | None
    language: str
    tasks: list[ExtractedTask] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    line_start: int = 0  # span of the plan in the source file
    line_end: int = 0
    # Identity (tracker.extract.identity): who issued the document and which one it is.
    doc_number: str | None = None  # 文号, shared by a document's appendices
    region: str = ""  # the issuing body's jurisdiction: 云南省, 云阳县; "" when unknown
    region_slug: str = ""  # its slug part: yunnan, yunyang
    part: int = 0  # 0 the main plan, 1… its appendices, in document order
    fingerprint: str = ""  # of the normalised title and items: the same document twice


def section_path(labels: list[str]) -> str:
    """Headings joined top-down; the form the CLI filters and reports group by."""
    return " / ".join(labels)


def task_key(item: ParsedItem, used: dict[str, int]) -> str:
    """The stable key of an item within its plan: its numeric value, made unique when a
    plan restarts its numbering (then the section's number is prefixed, and a counter
    suffixed if that is taken too: `2.1`, `2.1-2`).

    ``used`` holds the keys given so far, each with the next counter to try after it, so
    a plan of thousands of items numbered alike costs no more than one of distinct numbers.
    """
    base = str(item.value) if item.value is not None else item.number
    key = base
    if key in used:
        prefix = ".".join(_heading_value(s) or str(i) for i, s in enumerate(item.section)) or "x"
        stem = key = f"{prefix}.{base}"
        n = used.get(stem, 2)
        while key in used:
            key, n = f"{stem}-{n}", n + 1
        used[stem] = n
    used.setdefault(key, 2)
    return key


_HEADING_NUMBER = re.compile(r"^[（(]?\s*(?:第\s*)?([〇零一二三四五六七八九十百两]+|\d+)")


def _heading_value(label: str) -> str:
    """The number of a heading as digits, for keys: `二、保障措施` → `2`, `第三章 …` → `3`.

    >>> _heading_value("二、保障措施"), _heading_value("（十二）加强领导"), _heading_value("专栏")
    ('2', '12', '')
    """
    m = _HEADING_NUMBER.match(fold_width(label))
    if not m:
        return ""
    value = cn_to_int(m.group(1))
    return str(value) if value is not None else ""


_STOP = re.compile(r"[。；;]")
_COMMA = re.compile(r"[,，]")


def _first_sentence_end(body: str) -> int:
    """Index of the first 。/；outside brackets (a bracket's fields have their own ；).

    Only brackets and stops are visited (one regex search finds each), not every character.

    >>> _first_sentence_end("加强保护（责任单位：甲；乙）。后文；"), _first_sentence_end("无句号")
    (14, 3)
    """
    depth = 0
    for m in _BRACKET_OR_STOP.finditer(body):
        ch = m.group()
        if ch in _OPENER_CHARS:
            depth += 1
        elif ch in _OPENERS:
            if depth:
                depth -= 1
        elif depth == 0:
            return m.start()
    plain = _STOP.search(body)  # an unbalanced bracket: fall back to the first stop
    return plain.start() if plain else len(body)


def _title_of(body: str) -> str:
    """The first clause of an item: up to the first 。 (brackets with deadlines/owners cut)."""
    first = body[: _first_sentence_end(body)]
    first = _strip_trailing_brackets(first).strip()
    if len(first) > 60:
        m = _COMMA.search(first, 8)
        if m:
            first = first[: m.start()]
    return first or body[:40]


def _strip_trailing_brackets(text: str) -> str:
    t = text.rstrip(" 。")
    while True:
        span = _trailing_bracket(t)
        if span is None:
            return t
        inner = t[span[0] + 1 : span[1] - 1]
        if not (looks_like_deadline(inner) or _has_owner_clause(t[span[0]:span[1]])):
            return t
        t = t[: span[0]].rstrip(" 。")


@lru_cache(maxsize=4096)
def _has_owner_clause(text: str) -> bool:
    """Whether a bracket (or a part of one) states owners; brackets repeat across items
    (`（责任单位：县法院、县检察院）`), so the answer is remembered."""
    return bool(find_owner_clauses(text))


_OPENERS = {")": "(", "）": "（", "〕": "〔", "]": "[", "】": "【"}
_OPENER_CHARS = frozenset(_OPENERS.values())
_BRACKET = re.compile("[" + re.escape("".join(_OPENERS) + "".join(_OPENERS.values())) + "]")
_BRACKET_OR_STOP = re.compile("[" + re.escape("".join(_OPENERS) + "".join(_OPENERS.values())) + "。；;]")


def _trailing_bracket(text: str) -> tuple[int, int] | None:
    """Span of the balanced bracket group that ends ``text``, if it ends with one.

    >>> _trailing_bracket("加强执法（省公安厅（牵头））"), _trailing_bracket("（未闭合") is None
    ((4, 14), True)
    """
    t = text.rstrip()
    if not t or t[-1] not in _OPENERS:
        return None
    depth = 0
    for m in reversed(list(_BRACKET.finditer(t))):
        if m.group() in _OPENERS:
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return m.start(), len(t)
    return None


def _bracket_groups(text: str) -> list[tuple[int, int]]:
    """Top-level bracket groups of ``text`` (balanced, nested ones inside).

    >>> _bracket_groups("甲（乙（丙））丁(戊)）")
    [(1, 7), (8, 11)]
    """
    groups: list[tuple[int, int]] = []
    depth, start = 0, 0
    for m in _BRACKET.finditer(text):
        if m.group() in _OPENER_CHARS:
            if depth == 0:
                start = m.start()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                groups.append((start, m.end()))
    return groups


def find_deadline_phrase(body: str) -> str | None:
    """The item's deadline phrase as printed: a bracket that reads as timing, at the end of
    the item or right after its title (`（十七）启动阶段（2022年10月30日前）。…`).

    A bracket may hold owners too, in either order (`（2021年6月底前完成；责任单位：…）`,
    `（省公安厅牵头，2021年底前）`): only its timing parts are the phrase. Words are matched
    on the simplified form, so a traditional-script plan reads the same.

    >>> find_deadline_phrase("加强执法。（省公安厅牵头，2021年底前）")
    '2021年底前'
    >>> find_deadline_phrase("出台办法。（2021年6月底前完成；责任单位：省司法厅）")
    '2021年6月底前完成'
    >>> find_deadline_phrase("推进工作。(2020年12月底前完成)")
    '2020年12月底前完成'
    """
    match = to_simplified_aligned(body)
    candidates: list[str] = []
    first_clause_end = _STOP.search(body)
    limit = first_clause_end.start() if first_clause_end else len(body)
    tail = body.rstrip(" 。\n")
    for start, end in _bracket_groups(body):
        inner = match[start + 1 : end - 1]
        # (only the owner fields at an item's end may follow its deadline: a bracket far from
        # the end is never checked, so a text of many brackets costs no more than one)
        at_end = end >= len(tail) - 1 or (len(body) - end <= _FIELDS_SPAN and _only_owner_fields(body[end:]))
        after_title = end <= limit + 1 and body[end:end + 1] in ("。", "")
        if (at_end or after_title) and looks_like_deadline(inner):
            timing = _timing_parts(body[start + 1 : end - 1], inner)
            if timing:
                candidates.append(timing)
    # `完成时限：2023年底前` / `时限要求:持续推进` on a line of its own under the item
    for line in body.split("\n")[1:]:
        label = _DEADLINE_LABEL.match(fold_width(line))
        if label and looks_like_deadline(line[label.end():]):
            candidates.append(line[label.end():].strip().rstrip("。."))
    return candidates[-1] if candidates else None


_FIELDS_SPAN = 600  # the owner fields after an item's deadline bracket are never longer


def _only_owner_fields(rest: str) -> bool:
    """Whether what follows a bracket is only the item's owner fields (a bracket of owners,
    `责任单位：…` lines): the bracket is then the last of the item's own text."""
    rest = rest.strip(" 。.\n")
    if not rest:
        return True
    for line in rest.split("\n"):
        line = line.strip(" 。.")
        if line and not _has_owner_clause(line) and not _FIELD_LABEL.match(fold_width(line)):
            return False
    return True


_FIELD_LABEL = re.compile(r"^[(〔【]?\s*[\u4e00-\u9fff]{0,8}(?:单位|部门|处室|科室|领导|责任人|联系人)\s*:")


def _timing_parts(printed: str, match: str) -> str | None:
    """The timing parts of a bracket's body, owner parts (`责任单位：…`, `X牵头`) dropped,
    as printed; the whole body when no part stands alone as timing, and None when every
    part is a labelled field of another kind (`责任单位：教体局；一季度目标：…`)."""
    parts: list[tuple[str, str]] = []
    pos = 0
    for piece in re.split(r"([；;，,])", match):
        parts.append((printed[pos : pos + len(piece)], piece))
        pos += len(piece)
    kept: list[str] = []
    fields = 0
    for shown, piece in parts[::2]:
        label = _DEADLINE_LABEL.match(piece)
        if label:  # 完成时限：2022年3月底前 → the phrase without its label
            shown, piece = shown[label.end():], piece[label.end():]
        elif _OTHER_LABEL.match(fold_width(piece)):
            fields += 1
            continue  # 一季度目标：…, 适用范围：…: a field of its own, whatever words it holds
        if looks_like_deadline(piece) and not _OWNER_WORDS.search(piece) and not _has_owner_clause(piece):
            kept.append(shown.strip())
    if not kept:
        segments = [seg for seg in re.split(r"[；;]", match) if seg.strip()]
        labelled = all(_OTHER_LABEL.match(fold_width(seg)) and not _DEADLINE_LABEL.match(seg) for seg in segments)
        return None if fields and labelled else printed
    if len(kept) > 1:  # staged dates in one bracket keep the separator they were printed with
        start = printed.index(kept[0])
        end = printed.index(kept[-1], start) + len(kept[-1])
        return printed[start:end]
    return kept[0]


_OWNER_WORDS = re.compile(r"单位|部门|牵头|配合|负责|会同")
# Words an owner bracket holds one of, simplified or traditional (a cheap test before reading).
_SPEAKS_OF_OWNERS = re.compile(r"单位|部门|牵头|配合|负责|会同|落实|处室|單位|部門|牽頭|負責|會同")
_OTHER_LABEL = re.compile(r"^\s*[^:：,，；;]{2,12}\s*:")
_DEADLINE_LABEL = re.compile(r"^\s*(?:完成时限|完成时间|完成期限|时间节点|时间要求|时限要求|进度安排|时限)\s*[:：]\s*")


def plan_slug(plan: ParsedPlan, region: str) -> str:
    """`yunnan-2020-2021`: region and period; without a period, region, year and kind."""
    if plan.period:
        return f"{region}-{plan.period[0]}-{plan.period[1]}"
    year = plan.issued_on.year if plan.issued_on else (plan.target_years[0] if plan.target_years else None)
    kind = next((slug for word, slug in _DOC_KIND_SLUG if word in plan.title), "plan")
    return f"{region}-{year}-{kind}" if year else f"{region}-{kind}"


def extract_document(
    text: str,
    *,
    source_name: str,
    lexicon: Lexicon | None = None,
    language: str = "zh-Hans",
    title_hint: tuple[int, str] | None = None,
    date_hint: date | None = None,
) -> list[ExtractedPlan]:
    """Every plan in a decoded document, with tasks, deadlines and owners.

    ``title_hint`` is a title recovered from page debris (``(line, title)``), used when the
    document has lost its title line. The lexicon infers owners only for plans of the
    regions it is written for (:meth:`Lexicon.applies_to`).
    """
    with budget.within(len(text)):
        return _extract(text, source_name, lexicon, language, title_hint, date_hint)


def _extract(
    text: str,
    source_name: str,
    lexicon: Lexicon | None,
    language: str,
    title_hint: tuple[int, str] | None,
    date_hint: date | None,
) -> list[ExtractedPlan]:
    lines = text.split("\n")
    doc = parse_lines(lines, title_hint=title_hint, date_hint=date_hint)
    fallback_region = re.split(r"[-_. ]", Path(source_name).stem)[0] or "plan"
    plans: list[ExtractedPlan] = []
    identity: DocumentIdentity | None = None
    for parsed in doc.plans:
        if not parsed.items:
            continue
        if identity is None or not parsed.is_appendix:  # an appendix is its document's
            identity = read_identity(lines, issuer=parsed.issuer, title=parsed.title, fallback_slug=fallback_region)
        plan = _extract_plan(parsed, doc, identity.region_slug, lexicon, language)
        plan.doc_number, plan.region, plan.region_slug = identity.doc_number, identity.region, identity.region_slug
        plan.part = len(plans)
        plan.fingerprint = fingerprint(plan.title, [(t.number, t.text) for t in plan.tasks])
        plans.append(plan)
    slugs: set[str] = set()
    for p in plans:  # two plans of one document must not share a slug
        base, n = p.slug, 2
        while p.slug in slugs:
            p.slug, n = f"{base}-{n}", n + 1
        slugs.add(p.slug)
    return plans


def _extract_plan(
    parsed: ParsedPlan,
    doc: ParsedDocument,
    region: str,
    lexicon: Lexicon | None,
    language: str,
) -> ExtractedPlan:
    ref_year = _reference_year(parsed)
    horizon = parsed.period[1] if parsed.period else (parsed.target_years[0] if parsed.target_years else None)
    plan = ExtractedPlan(
        slug=plan_slug(parsed, region),
        title=parsed.title,
        issuer=parsed.issuer,
        issued_on=parsed.issued_on,
        period_start=date(parsed.period[0], 1, 1) if parsed.period else None,
        period_end=date(parsed.period[1], 12, 31) if parsed.period else None,
        language=language,
        repairs=list(parsed.repairs),
        line_start=parsed.line_start,
        line_end=parsed.line_end,
    )
    # The lexicon names one province's units: out of its region it neither renames stated
    # owners nor infers any.
    scoped = lexicon if lexicon is not None and lexicon.applies_to(region) else None
    used: dict[str, int] = {}
    for seq, item in enumerate(parsed.items, start=1):
        budget.check()
        plan.tasks.append(_extract_task(item, seq, used, ref_year, horizon, doc, scoped))
    _units_as_headings(plan, scoped)
    _inherit_due_dates(plan, parsed)
    _assign_coordinating_office(plan, doc)
    if scoped is not None:
        _infer_owners(plan, parsed, scoped)
    return plan


def _infer_owners(plan: ExtractedPlan, parsed: ParsedPlan, lexicon: Lexicon) -> None:
    """Infer owners from what each item names, only where the document prints none.

    A plan that prints owners for most of its items (a county work plan with 责任单位 on
    every measure) left the others unassigned on purpose; a plan that prints none (the
    Yunnan schedule) is what the lexicon is for.
    """
    stated = sum(1 for t in plan.tasks if any(o.provenance == "stated" for o in t.owners))
    if stated * 2 > len(plan.tasks):
        return
    items = {item.line_start: item for item in parsed.items}
    for task in plan.tasks:
        if task.owners:
            continue
        item = items.get(task.line_start)
        text = _strip_trailing_brackets(item.text) if item else task.text
        task.owners = lexicon.infer(text)


_TITLE_YEAR = re.compile(r"(?<![0-9])(20[0-9]{2}|19[0-9]{2})\s*年(?![0-9]|[—–\-~～至到])")


def _reference_year(parsed: ParsedPlan) -> int | None:
    """The year a date without one (`7月21日前`, `（4月底前）`) falls in: the first year of
    the plan's period, else the one year its title names (`2023年重点工作`), else the year
    it was issued, else the latest year of a document its preamble cites (`常发〔2015〕24号`):
    a notice that prints no date of its own is no older than the papers it answers.

    >>> from tracker.extract.structure import ParsedPlan
    >>> _reference_year(ParsedPlan("立山区政府2023年重点工作任务分解方案", None, date(2022, 12, 30), None, [], ""))
    2023
    """
    if parsed.period:
        return parsed.period[0]
    years = {int(y) for y in _TITLE_YEAR.findall(normalise(parsed.title))}
    if len(years) == 1:
        return years.pop()
    if parsed.issued_on:
        return parsed.issued_on.year
    return parsed.cited_year


def _extract_task(
    item: ParsedItem,
    seq: int,
    used: dict[str, int],
    ref_year: int | None,
    horizon: int | None,
    doc: ParsedDocument,
    lexicon: Lexicon | None,
) -> ExtractedTask:
    body = item.text
    reasons: list[ReviewNote] = []
    phrase = find_deadline_phrase(body)
    deadline = (
        parse_deadline(phrase, year=ref_year) if phrase else in_sentence_deadline(body, ref_year, horizon=horizon)
    )
    title = _title_of(body)
    is_phase = (
        bool(_PHASE_WORDS.search(to_simplified_aligned(title)))
        and deadline is not None
        and deadline.kind in ("window", "date")
    )
    if deadline is not None and deadline.kind == "unknown":
        reasons.append(ReviewNote(_line_of(item, deadline.raw), f"无法识别的期限 / unknown deadline phrase: {deadline.raw}"))
    elif deadline is not None and deadline.kind == "relative":
        reasons.append(
            ReviewNote(_line_of(item, deadline.raw), f"相对期限，需定具体日期 / relative deadline, set a date: {deadline.raw}")
        )
    clauses = find_owner_clauses(body, lead_first=doc.lead_first)
    owners = _stated_owners(body, doc, lexicon, clauses) or _heading_owners(item, doc, lexicon)
    for raw in _unread_owner_brackets(body, [c.span for c in clauses]):
        reasons.append(ReviewNote(_line_of(item, raw), f"责任单位未能拆分 / owner clause not understood: {raw}"))
    known = deadline is not None and deadline.kind != "unknown"
    return ExtractedTask(
        key=task_key(item, used),
        seq=seq,
        number=item.number,
        section=section_path(item.section),
        title=title,
        text=body,
        kind="phase" if is_phase else ("task" if known else "measure"),
        deadline=deadline,
        due=deadline.due if known and deadline else None,
        start=deadline.start if known and deadline else None,
        ongoing=bool(deadline and deadline.ongoing),
        condition=deadline.condition if deadline else None,
        due_source="stated" if known and deadline and deadline.due else None,
        owners=owners,
        needs_review=bool(reasons),
        review_reasons=reasons,
        line_start=item.line_start,
        line_end=item.line_end,
    )


def _line_of(item: ParsedItem, raw: str) -> int:
    """The source line of a phrase in an item's text, for the import report."""
    at = item.text.find(raw)
    line = item.line_start + (item.text.count("\n", 0, at) if at > 0 else 0)
    return min(line, item.line_end)


# A bracket that means to name owners: a label (责任单位：), or a role phrase at its end.
_OWNER_HINT = re.compile(r"(?:单位|部门|处室)\s*[:：]|(?:负责|牵头|配合|落实)\s*$")


def _unread_owner_brackets(body: str, read: list[tuple[int, int]]) -> list[str]:
    """Brackets that mean to name owners (`（责任单位：…）`, `（…负责）`) but yield none: a
    list the owner grammar could not split, for a person to read. ``read`` holds the spans
    of the owner clauses found in ``body``: a bracket inside one of them was read."""
    if not _SPEAKS_OF_OWNERS.search(body):
        return []  # nothing in it speaks of owners: most items
    match = to_simplified_aligned(body)
    out: list[str] = []
    for start, end in _bracket_groups(body):
        if any(a <= start and end <= b for a, b in read):
            continue
        inner = fold_width(match[start + 1 : end - 1]).strip()
        if len(inner) > 120 or not _OWNER_HINT.search(inner):
            continue
        if not _has_owner_clause(body[start:end]):
            out.append(body[start:end])
    return out


def _units_as_headings(plan: ExtractedPlan, lexicon: Lexicon | None) -> None:
    """A list of duties by unit (职责分工: `1.区公安分局。负责…` / `2.派出所。配合开展…`, or
    `（一）区绿化市容局` over its duties): the unit that heads an item, or the section it is
    listed under, owns it.

    Read only where the list is one of units — most items of a section (two at least) are
    titled by a unit name — since a title can end like a unit by chance (`构建宣传格局`)."""
    by_section: dict[str, list[ExtractedTask]] = {}
    for task in plan.tasks:
        by_section.setdefault(task.section, []).append(task)
    for section, tasks in by_section.items():
        heading = _HEADING_DUTIES.sub("", _heading_name(section.split(" / ")[-1])) if section else ""
        if heading and len(heading) <= 20 and is_unit_name(heading):
            named = [(t, heading) for t in tasks]
        else:
            titled = [(t, t.title.strip()) for t in tasks if len(t.title.strip()) <= 20 and is_unit_name(t.title.strip())]
            if len(titled) < 2 or len(titled) * 5 < len(tasks) * 3:
                continue
            named = titled
        for task, name in named:
            if task.owners:
                continue
            canonical = lexicon.canonical(name) if lexicon is not None else clean_unit_name(name)
            task.owners = [OwnerRef(name=canonical, role="lead", provenance="stated", is_group=is_group_name(canonical))]


# A heading over one unit's share of a plan: `一、县示范区管委会牵头工作（8项）`, `县发改局
# 负责事项`; the unit is what comes before.
_HEADING_DUTIES = re.compile(
    r"(?:(?:牵头|负责|承担|主抓)(?:的)?(?:工作|任务|事项)(?:清单)?)?\s*(?:[（(]\s*\d+\s*[项条件个]\s*[）)])?$"
)


def _heading_name(label: str) -> str:
    """A heading label without its number: `（一）区绿化市容局` → `区绿化市容局`."""
    return re.sub(r"^[（(]?\s*(?:第\s*)?[〇零一二三四五六七八九十百两\d]+\s*[）)章节]?[、．.]?\s*", "", label)


def _heading_owners(item: ParsedItem, doc: ParsedDocument, lexicon: Lexicon | None) -> list[OwnerRef]:
    """Owners a heading states for everything under it (`一、扩大有效投资政策（由县发改局牵头
    实施）`), for the items under it that state none; the nearest heading that states any."""
    for label in reversed(item.section):
        bracketed = [c for c in find_owner_clauses(label, lead_first=doc.lead_first) if c.raw[:1] in "(（〔【["]
        if bracketed:
            return _stated_owners(" ".join(c.raw for c in bracketed), doc, lexicon)
    return []


def _stated_owners(
    body: str, doc: ParsedDocument, lexicon: Lexicon | None, clauses: list[OwnerClause] | None = None
) -> list[OwnerRef]:
    owners: list[OwnerRef] = []
    seen: set[str] = set()
    for clause in clauses if clauses is not None else find_owner_clauses(body, lead_first=doc.lead_first):
        for ref in clause.owners:
            name = doc.coordinating_office.get(ref.name, ref.name)
            if lexicon is not None:
                name = lexicon.canonical(name)
            if name in seen:
                continue
            seen.add(name)
            role = "lead" if not owners else ref.role
            owners.append(OwnerRef(name=name, role=role, provenance=ref.provenance, is_group=ref.is_group))
    return owners


def _inherit_due_dates(plan: ExtractedPlan, parsed: ParsedPlan) -> None:
    """Items without a stated deadline take the main phase's end (a phased work plan), else
    the plan's first target year (到2025年 → 2025-12-31), else the end of its period."""
    phases = [t for t in plan.tasks if t.kind == "phase" and t.due]
    main_phase = next((p for p in phases if _MAIN_PHASE.search(p.title)), None)
    if main_phase is None and phases:
        main_phase = max(phases, key=lambda p: ((p.due or date.min) - (p.start or p.due or date.min)).days)
    plan_due: date | None = None
    if parsed.target_years:
        plan_due = date(parsed.target_years[0], 12, 31)
    elif plan.period_end:
        plan_due = plan.period_end
    for task in plan.tasks:
        if task.due is not None or task.kind == "phase" or task.ongoing or task.condition:
            continue
        if task.deadline is not None and task.deadline.kind in ("unknown", "relative"):
            continue  # kept verbatim and flagged; a guessed date would hide the problem
        if is_context([*task.section.split(" / "), task.title]):
            continue  # 指导思想 / 工作目标: context with no deadline of its own, never "late"
        if main_phase is not None:
            task.due, task.due_source = main_phase.due, "phase"
        elif plan_due is not None:
            task.due, task.due_source = plan_due, "plan"
        else:
            task.needs_review = True
            task.review_reasons.append(ReviewNote(task.line_start, "未找到期限 / no deadline found"))


def _assign_coordinating_office(plan: ExtractedPlan, doc: ParsedDocument) -> None:
    """Items of the organisational-guarantee chapter with no owner printed are the
    coordinating office's to drive (领导小组办公室设在X → X)."""
    if not doc.coordinating_office:
        return
    office = next(iter(doc.coordinating_office.values()))
    for task in plan.tasks:
        if task.owners or not _GUARANTEE_SECTION.search(fold_width(task.section)):
            continue
        task.owners = [OwnerRef(name=office, role="lead", provenance="inferred", is_group=False)]
