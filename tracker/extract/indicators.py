"""Quantified targets (指标): the numbers a plan promises to reach by its horizon.

Plans of this genre state their targets in two ways, and this module is a grammar of both:

* **Target tables** (主要目标表, often a 专栏 box): a header row naming the indicator, unit,
  baseline (基期值) and target (目标值) columns, usually with their years (``2020年 基期值``),
  and a kind column (属性: 预期性 / 约束性), then one row per indicator, tab- or multi-space
  separated once the document is flattened to text.
* **Target sentences**: ``到2025年，…`` followed by comma-separated clauses that pair a name
  with a comparator and a counted quantity (``有效注册商标拥有量超过60万件``,
  ``社会满意度保持在80分以上``, ``每万人发明专利拥有量提高50%``, ``新增地理标志100个``).
  The year clause opens a scope that runs to the end of its paragraph or the next year
  clause. Inside a boxed programme (专栏) of a plan with a horizon, counted quantities are
  targets for that horizon even without a year clause (``建成国家级网点8家以上``).

Everything else with a number is history (``从2015年的65分提升至2020年的78.81分`` in a
review of the last plan period) or a task, and is left alone. Qualitative clauses
(``保护能力明显增强``) have no number and give nothing.

Matching runs on a width-folded, simplified-character copy of each line whose characters are
aligned one-to-one with the printed line, so traditional documents (Qinghai) are read with
the same grammar while names are kept as printed. The key of an indicator is its simplified
name without spaces: stable across re-imports and across 繁/简 or spacing differences.

This module is pure: text in, :class:`ExtractedIndicator` out; :mod:`tracker.store.indicators`
stores them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from tracker.extract.numerals import fold_width
from tracker.extract.repair import to_simplified

# Comparator codes (tracker.store.models.Comparator); repeated as strings to keep this module free
# of the ORM.
REACH, EXCEED, AT_LEAST, ABOUT, INCREASE_PCT, ADD = "reach", "exceed", "at_least", "about", "increase_pct", "add"
KINDS = {"预期性": "expected", "约束性": "binding"}

# ----------------------------------------------------------------------------- vocabulary
# Units, longest first so that 个百分点 wins over 个 and 亿元 over 元. Money units keep their
# 万/亿 (亿元 is the unit the plan reports in); counts fold 万/亿/千 into the number (60万件 →
# 600000 件), which is why the multiplier never takes the 万 of 万元.
_UNITS = (
    "个百分点", "亿美元", "万美元", "亿元", "万元", "元", "人次", "件次", "户次", "平方米", "公里", "小时",
    "件", "个", "家", "所", "项", "名", "人", "次", "场", "座", "部", "篇", "本", "种", "条", "户", "分", "%",
    "倍", "天", "亩", "吨", "套", "台", "期", "批", "支", "处",
)
_UNIT_RE = "|".join(re.escape(u) for u in _UNITS)
_MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1_000)}
# Words before the number, as printed in simplified form, and the comparator they state.
# 提高/增长 are relative (提高50% → increase_pct) when the unit is %, absolute otherwise.
_PREFIXES: list[tuple[str, str]] = [
    ("累计达到", REACH), ("达到", REACH), ("保持在", REACH), ("稳定在", REACH), ("控制在", REACH),
    ("提升至", REACH), ("提升到", REACH), ("提高至", REACH), ("提高到", REACH), ("增长至", REACH),
    ("增长到", REACH), ("增加到", REACH), ("增加至", REACH), ("上升至", REACH), ("上升到", REACH),
    ("增至", REACH), ("缩短至", REACH), ("压缩至", REACH), ("达", REACH),
    ("超过", EXCEED), ("突破", EXCEED), ("高于", EXCEED), ("多于", EXCEED),
    ("不低于", AT_LEAST), ("不少于", AT_LEAST), ("至少", AT_LEAST),
    ("大约", ABOUT), ("约", ABOUT), ("近", ABOUT),
    ("新增", ADD), ("增加", ADD),
    ("提高", INCREASE_PCT), ("提升", INCREASE_PCT), ("增长", INCREASE_PCT), ("上升", INCREASE_PCT),
]
_PREFIX_RE = "|".join(re.escape(p) for p, _ in sorted(_PREFIXES, key=lambda pc: -len(pc[0])))
_PREFIX_CODE = dict(_PREFIXES)
# Suffixes after the unit: 以上 → at least, 左右 → about; 以内/以下/不超过 are ceilings, which
# the Comparator codes cannot express, so such a clause is not read as a target.
_SUFFIX_CODE = {"以上": AT_LEAST, "左右": ABOUT, "余": EXCEED}
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"

# One counted quantity: [comparator] [YYYY年的] number [万|亿|千] [余] unit [以上|左右|以内…]
_QUANTITY = re.compile(
    rf"(?P<prefix>{_PREFIX_RE})?\s*(?:(?P<year>\d{{4}})\s*年(?:底|末)?的?\s*)?"
    rf"(?<![\d.])(?P<number>{_NUMBER})\s*(?P<mult>[万亿千](?![美元]))?\s*(?P<yu>余)?\s*"
    rf"(?P<unit>{_UNIT_RE})(?P<suffix>\s*(?:以上|左右|以内|以下))?"
)
# A target-year clause: 到2025年 / 到2025年底 / 至2035年, not "提升至2020年的…" or
# "截至2020年底" (history).
_YEAR_CLAUSE = re.compile(r"(?<![升高长增加达截])(?:到|至)\s*(?P<year>\d{4})\s*年(?:底|末)?(?:前)?(?!\s*的)")
_CLAUSE_SPLIT = re.compile(r"[,，;；。!！?？:：]")
_SENTENCE_END = re.compile(r"[。!！?？;；]")
# Scope and lead-in words before an indicator's name, and the verbs of a counted action
# (建成…网点8家); used with ``pattern.match(text, pos)``, so no ``^``. New-count verbs make the quantity an addition, and, as Chinese lists elide
# a shared verb, so do the verb-less quantities that follow in the same sentence.
_LEAD_WORDS = re.compile(r"(?:力争|确保|其中|累计|全省|全市|全县|全区|全州|全国|我省|我市|我县|我区|并|和|及|以及|与|、|\s)+")
_ADD_VERBS = re.compile(r"(?:新增|新培育|新认定|新建|新创建|新引进|新登记)")
_ACTION_VERBS = re.compile(
    r"(?:建成|建设|培育|打造|创建|认定|引进|培养|形成|组建|设立|建立|举办|开展|完成|实现|推动|支持|扶持|遴选|评选)"
)
# Where a name read after its count ends: the next list item (和/及 also occur inside words: 普及).
_NAME_STOP = re.compile(r"、|以上|左右")
_FOOTNOTE = re.compile(r"\s*(?:\^\s*)?[①-⑳]\s*|\s*\^\s*\d+\s*|\s*\[\d+\]\s*")
_BOX = re.compile(r"^\s*专栏\s*\d+")
_HEADING = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百零〇\d]+[章节部分篇]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|专栏\s*\d+)"
)
_FOOTNOTE_LINE = re.compile(r"^\s*[①-⑳]")


@dataclass
class ExtractedIndicator:
    """One quantified target as the document states it.

    ``target`` is a plain number in ``unit`` as printed, except that 万/亿 before a count
    unit are folded into the number (``60万件`` → 600000 件) while money units keep them
    (``12亿元`` → 12 亿元). For ``increase_pct`` the target is the percentage (提高50% → 50,
    unit %); for ``add`` it is the amount to be added. ``kind`` is ``expected`` (预期性),
    ``binding`` (约束性) or None when the document does not say.
    """

    key: str
    name: str
    unit: str
    baseline: float | None
    baseline_year: int | None
    target: float | None
    target_year: int | None
    comparator: str
    kind: str | None
    source_text: str
    line_start: int
    line_end: int


def extract_indicators(text: str) -> list[ExtractedIndicator]:
    """Every quantified target of a decoded, repaired document, in document order.

    Lines are numbered from 1 as in the file.

    >>> doc = "指标\\t单位\\t2020年 基期值\\t2025年 目标值\\t属性\\n发明专利拥有量 ^①\\t件\\t2.94\\t5.67\\t预期性"
    >>> [(i.name, i.unit, i.baseline, i.target, i.target_year, i.kind) for i in extract_indicators(doc)]
    [('发明专利拥有量', '件', 2.94, 5.67, 2025, 'expected')]
    >>> found = extract_indicators("到2025年，有效注册商标拥有量超过60万件，社会满意度80分以上。")
    >>> [(i.name, i.target, i.unit, i.comparator) for i in found]
    [('有效注册商标拥有量', 600000.0, '件', 'exceed'), ('社会满意度', 80.0, '分', 'at_least')]
    """
    lines = text.split("\n")
    matching = [_matching_form(line) for line in lines]
    found: list[tuple[int, int, ExtractedIndicator]] = []
    table_lines: set[int] = set()
    table_year: int | None = None
    for header_index in range(len(lines)):
        if header_index in table_lines:
            continue
        table = _read_table(lines, matching, header_index)
        if table is None:
            continue
        rows, used = table
        table_lines.update(used)
        for item in rows:
            found.append((item.line_start, -1, item))
            table_year = table_year or item.target_year
    horizon = table_year or _first_target_year(matching)
    in_box = False
    for index, (line, match_line) in enumerate(zip(lines, matching)):
        if _HEADING.match(match_line):
            in_box = bool(_BOX.match(match_line))
        if index in table_lines or _FOOTNOTE_LINE.match(match_line) or _BOX.match(match_line):
            continue
        for pos, item in _sentence_targets(line, match_line, index + 1, horizon if in_box else None):
            found.append((index + 1, pos, item))
    found.sort(key=lambda f: (f[0], f[1]))
    return _unique_keys([item for _line, _pos, item in found])


# ----------------------------------------------------------------------------- helpers
def _matching_form(line: str) -> str:
    """The line as the grammar reads it: width-folded and simplified, aligned character by
    character with the printed line (a phrase conversion that changes the length falls back
    to converting character by character)."""
    folded = fold_width(line)
    simple = to_simplified(folded)
    if len(simple) != len(folded):
        simple = "".join(to_simplified(ch) if len(to_simplified(ch)) == 1 else ch for ch in folded)
    return simple


def make_key(name: str) -> str:
    """The stable key of an indicator: its simplified name without spaces or footnote marks.

    >>> make_key("每萬人口高價值發明專利擁有量 ^①"), make_key("占 GDP 比重")
    ('每万人口高价值发明专利拥有量', '占GDP比重')
    """
    return re.sub(r"\s+", "", to_simplified(fold_width(clean_name(name))))


def clean_name(name: str) -> str:
    """A name as printed, without footnote marks (``^①``) and with spaces collapsed.

    >>> clean_name("商业秘密保护基地 ^② 数量"), clean_name("占 GDP  比重 ")
    ('商业秘密保护基地数量', '占 GDP 比重')
    """
    name = _FOOTNOTE.sub("", name)
    return re.sub(r"\s+", " ", name).strip(" 　、,，的")


def parse_value(cell: str) -> tuple[float | None, str | None]:
    """A table cell's number and the comparator its marks state (≥5, >600, 80左右, 〔5〕).

    >>> parse_value("5.67"), parse_value("≥ 80"), parse_value("20左右"), parse_value("—")
    ((5.67, None), (80.0, 'at_least'), (20.0, 'about'), (None, None))
    """
    v = fold_width(cell).strip().strip("[]〔〕【】()（）")
    comparator = None
    for marks, code in ((("≥", ">=", "不低于", "不少于"), AT_LEAST), ((">", "超过"), EXCEED), (("约", "~", "～"), ABOUT)):
        for mark in marks:
            if v.startswith(mark):
                v, comparator = v[len(mark):].strip(), code
                break
        if comparator:
            break
    for word, code in (("以上", AT_LEAST), ("左右", ABOUT)):
        if v.endswith(word):
            v, comparator = v[: -len(word)].strip(), code
    number = _to_decimal(v)
    return (float(number) if number is not None else None), comparator


def _to_decimal(text: str) -> Decimal | None:
    if not re.fullmatch(_NUMBER, text.strip()):
        return None
    try:
        return Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None


def _first_target_year(matching: list[str]) -> int | None:
    for line in matching:
        m = _YEAR_CLAUSE.search(line)
        if m:
            return int(m.group("year"))
    return None


def _unique_keys(items: list[ExtractedIndicator]) -> list[ExtractedIndicator]:
    """Keys are unique per document: a repeated statement of the same target is dropped, a
    second target under the same name (a 2035 value after a 2025 one) gets its year."""
    seen: dict[str, ExtractedIndicator] = {}
    out: list[ExtractedIndicator] = []
    for item in items:
        first = seen.get(item.key)
        if first is not None:
            if (first.target, first.target_year, first.unit) == (item.target, item.target_year, item.unit):
                continue
            key, n = f"{item.key}@{item.target_year or ''}", 2
            while key in seen:
                key, n = f"{item.key}@{item.target_year or ''}#{n}", n + 1
            item.key = key
        seen[item.key] = item
        out.append(item)
    return out


# ----------------------------------------------------------------------------- tables
# What separates the cells of a flattened row (see _cells); a line without any is one cell.
_CELL_BREAK = re.compile(r"\t|\s{2,}|\u3000")


def _cells(line: str) -> list[str]:
    """A flattened table row's cells: tab-separated, else separated by two or more spaces."""
    if "\t" in line:
        cells = [c.strip() for c in line.split("\t")]
    else:
        cells = [c.strip() for c in re.split(r"\s{2,}|\u3000+", line.strip())]
    while cells and not cells[-1]:
        cells.pop()
    return cells


@dataclass
class _Columns:
    name: int
    target: int
    unit: int | None = None
    baseline: int | None = None
    kind: int | None = None
    baseline_year: int | None = None
    target_year: int | None = None


def _header(cells: list[str]) -> _Columns | None:
    """The columns of a target table header, or None if the row is not one.

    >>> _header(["指标名称", "单位", "2020年 基期值", "2025年 目标值", "属性"])
    _Columns(name=0, target=3, unit=1, baseline=2, kind=4, baseline_year=2020, target_year=2025)
    """
    if len([c for c in cells if c]) < 3:
        return None
    name = target = unit = baseline = kind = None
    years: dict[int, int] = {}
    for i, raw in enumerate(cells):
        cell = re.sub(r"\s+", "", to_simplified(fold_width(raw)))
        year = re.search(r"(\d{4})年?", cell)
        if year:
            years[i] = int(year.group(1))
        if re.search(r"属性|类型|性质", cell):
            kind = i
        elif unit is None and "单位" in cell:
            unit = i
        elif re.search(r"基期|基准|现状|基数|现值", cell):
            baseline = i
        elif "目标" in cell and "指标" not in cell:
            target = i
        elif name is None and re.search(r"指标|名称|项目", cell):
            name = i
    if target is None and len(years) >= 2:  # bare year columns: earliest baseline, latest target
        ordered = sorted(years, key=lambda i: years[i])
        baseline = ordered[0] if baseline is None else baseline
        target = ordered[-1]
    if name is None or target is None:
        return None
    return _Columns(
        name=name, target=target, unit=unit, baseline=baseline, kind=kind,
        baseline_year=years.get(baseline) if baseline is not None else None, target_year=years.get(target),
    )


def _read_table(lines: list[str], matching: list[str], index: int) -> tuple[list[ExtractedIndicator], set[int]] | None:
    """The indicators of the table whose header is line ``index``, and the lines it spans."""
    if _CELL_BREAK.search(matching[index]) is None:
        return None  # one cell at most: no header (it needs three)
    columns = _header(_cells(matching[index]))
    if columns is None:
        return None
    rows: list[ExtractedIndicator] = []
    used = {index}
    needed = max(columns.name, columns.target) + 1
    for j in range(index + 1, len(lines)):
        match_line = matching[j]
        if not match_line.strip():
            continue
        cells = _cells(match_line)
        printed = _cells(lines[j])
        if len(cells) >= needed and len(printed) == len(cells) and cells[columns.name]:
            target, comparator = parse_value(cells[columns.target])
            if target is not None:
                rows.append(_table_row(lines[j], printed, cells, columns, target, comparator, j + 1))
                used.add(j)
                continue
        if len(cells) == 1 and len(cells[0]) <= 20 and not re.search(r"[。，,；;]", cells[0]) and not _HEADING.match(match_line):
            continue  # a category row (知识产权创造) between indicator rows
        break
    return (rows, used) if rows else None


def _table_row(
    line: str, printed: list[str], cells: list[str], columns: _Columns, target: float, comparator: str | None, number: int
) -> ExtractedIndicator:
    def cell(i: int | None) -> str:
        return cells[i] if i is not None and i < len(cells) else ""

    name = clean_name(printed[columns.name])
    unit = cell(columns.unit).strip()
    if not unit:  # 有效发明专利拥有量（件）: the unit in brackets after the name
        m = re.search(r"[（(]([^（）()]{1,6})[）)]$", name)
        if m:
            name, unit = name[: m.start()].strip(), m.group(1)
    baseline, _ = parse_value(cell(columns.baseline)) if columns.baseline is not None else (None, None)
    kind_cell = re.sub(r"\s+", "", cell(columns.kind))
    kind = next((code for word, code in KINDS.items() if word in kind_cell), None)
    return ExtractedIndicator(
        key=make_key(name), name=name, unit=to_simplified(unit), baseline=baseline,
        baseline_year=columns.baseline_year if baseline is not None else None,
        target=target, target_year=columns.target_year, comparator=comparator or REACH, kind=kind,
        source_text=line.strip(), line_start=number, line_end=number,
    )


# ----------------------------------------------------------------------------- sentences
def _sentence_targets(
    line: str, match_line: str, number: int, box_year: int | None
) -> list[tuple[int, ExtractedIndicator]]:
    """Targets stated in one paragraph: in the scope of each 到YYYY年 clause, and, inside a
    专栏 box, anywhere (for the plan's horizon ``box_year``)."""
    scopes: list[tuple[int, int, int | None]] = []  # (start, end, target year)
    clauses = list(_YEAR_CLAUSE.finditer(match_line))
    if box_year is not None:
        first = clauses[0].start() if clauses else len(match_line)
        scopes.append((0, first, box_year))
    for i, m in enumerate(clauses):
        end = clauses[i + 1].start() if i + 1 < len(clauses) else len(match_line)
        scopes.append((m.end(), end, int(m.group("year"))))
    found: list[tuple[int, ExtractedIndicator]] = []
    for start, end, year in scopes:
        if not re.search(r"\d", match_line[start:end]):
            continue
        scope_items = _scope_targets(line, match_line, start, end, year, number)
        kind = next((code for word, code in KINDS.items() if word in match_line[start:end]), None)
        for pos, item in scope_items:
            item.kind = item.kind or kind
            found.append((pos, item))
    return found


def _scope_targets(
    line: str, match_line: str, start: int, end: int, year: int | None, number: int
) -> list[tuple[int, ExtractedIndicator]]:
    """Targets in ``match_line[start:end]``, clause by clause, sentence by sentence."""
    found: list[tuple[int, ExtractedIndicator]] = []
    sentence_start = clause_start = start
    shared_add = False  # a leading 新增 carries over the verb-less clauses of its sentence
    for boundary in [*(m.start() for m in _CLAUSE_SPLIT.finditer(match_line, start, end)), end]:
        if re.search(r"\d", match_line[clause_start:boundary]):
            sentence = _sentence_around(line, match_line, sentence_start, end)
            items, shared_add = _clause_targets(line, match_line, (clause_start, boundary), year, number, shared_add, sentence)
            found.extend(items)
        if boundary < end and _SENTENCE_END.match(match_line[boundary]):
            shared_add = False
            sentence_start = boundary + 1
        clause_start = boundary + 1
    return found


def _sentence_around(line: str, match_line: str, start: int, end: int) -> str:
    """The printed sentence that starts at ``start`` (the source text of its targets)."""
    m = _SENTENCE_END.search(match_line, start, end)
    stop = m.end() if m else end
    return line[start:stop].strip(" ,，")


def _clause_targets(
    line: str,
    match_line: str,
    clause: tuple[int, int],
    year: int | None,
    number: int,
    shared_add: bool,
    sentence: str,
) -> tuple[list[tuple[int, ExtractedIndicator]], bool]:
    """Quantities of one clause, each named by the words before it (or, for a verb-first
    count such as 建设100个中小学…学校, by the words after it). Returns them and whether a
    新增 verb now carries over to the next clauses of the sentence."""
    start, end = clause
    found: list[tuple[int, ExtractedIndicator]] = []
    cursor = start
    baseline: tuple[float, int | None] | None = None
    baseline_name = (start, start)
    for q in _QUANTITY.finditer(match_line, start, end):
        if q.start() < cursor:
            continue
        if (q.group("suffix") or "").strip() in ("以内", "以下"):
            cursor = q.end()
            continue  # a ceiling: not something the Comparator codes can hold
        value = _quantity_value(q)
        # 从2015年的65分提升至80分: the quantity after 从/由 is the baseline of the next one.
        history = re.search(r"(?:从|由)\s*$", match_line[cursor : q.start()])
        if history and not q.group("prefix"):
            baseline = (float(value), int(q.group("year")) if q.group("year") else None)
            baseline_name = _name_span(match_line, cursor, cursor + history.start())
            cursor = q.end()
            continue
        span = _name_span(match_line, cursor, q.start())
        if span[0] >= span[1] and baseline is not None:
            span = baseline_name
        own_add = own_verb = False
        verb = _ADD_VERBS.match(match_line, span[0], span[1]) or _ACTION_VERBS.match(match_line, span[0], span[1])
        if verb:
            own_add = bool(_ADD_VERBS.match(verb.group(0)))
            own_verb = True
            span = _name_span(match_line, verb.end(), span[1])
        cursor = q.end()
        if span[0] >= span[1]:
            # verb-first count: 建设 100 个中小学知识产权普及教育试点示范学校
            stop = _NAME_STOP.search(match_line, q.end(), end)
            span = _name_span(match_line, q.end(), stop.start() if stop else end)
            cursor = max(cursor, span[1])
        name = clean_name(line[span[0] : span[1]])
        if not re.search(r"[\u4e00-\u9fffA-Za-z]", name):
            baseline = None
            continue
        if own_add:
            shared_add = True
        elif own_verb:
            shared_add = False
        comparator = _comparator(q, q.group("unit"), own_add or (shared_add and not own_verb and not q.group("prefix")))
        target_year = int(q.group("year")) if q.group("year") else year
        found.append((q.start(), ExtractedIndicator(
            key=make_key(name), name=name, unit=to_simplified(q.group("unit")),
            baseline=baseline[0] if baseline else None, baseline_year=baseline[1] if baseline else None,
            target=float(value), target_year=target_year, comparator=comparator, kind=None,
            source_text=sentence, line_start=number, line_end=number,
        )))
        baseline = None
    return found, shared_add


def _name_span(match_line: str, start: int, end: int) -> tuple[int, int]:
    """Trim lead-in words (力争, 全省, 、) and trailing particles from a name's span."""
    lead = _LEAD_WORDS.match(match_line, start, end)
    if lead:
        start = lead.end()
    while end > start and match_line[end - 1] in " 的是为":
        end -= 1
    return start, end


def _quantity_value(q: re.Match[str]) -> Decimal:
    """The number of a quantity in its unit, 万/亿/千 of a count folded in (60万件 → 600000)."""
    value = Decimal(q.group("number").replace(",", ""))
    if q.group("mult"):
        value *= _MULTIPLIERS[q.group("mult")]
    return value


def _comparator(q: re.Match[str], unit: str, add: bool) -> str:
    """The comparator of one quantity: its suffix (以上, 左右) first, then its prefix word,
    then a 新增 verb before its name or shared by its sentence; 达到 by default."""
    suffix = (q.group("suffix") or "").strip()
    if suffix in _SUFFIX_CODE:
        return _SUFFIX_CODE[suffix]
    if q.group("yu"):
        return EXCEED
    prefix = q.group("prefix")
    if prefix:
        code = _PREFIX_CODE[prefix]
        if code == INCREASE_PCT and unit != "%":
            return ADD  # 提高5个百分点 / 增长200件: an absolute increase
        return code
    return ADD if add else REACH
