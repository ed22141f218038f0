"""The grammar of the genre: a document's lines → plans → sections → numbered items.

Implementation plans share one shape whatever their issuer:

* numbering styles nest — ``第X章`` > ``一、`` > ``（一）`` > ``1.`` / ``1、`` > ``（1）`` — but
  which style sits at which depth varies from document to document, and numbering restarts
  in each section. So depth is not looked up in a table: a *style stack* is kept, and a line
  of a style already on the stack closes everything below it (the classic outline rule);
* a numbered line is a **heading** when it is a bare phrase (`二、加大知识产权行政执法和司法
  保护力度`) and an **item** when it carries a sentence (`（三）加强知识产权统筹管理。建立…`)
  or a deadline / owner clause;
* an appendix (``附件``) is a plan of its own with its own title and numbering;
* web-page chrome before the title and after the last item (breadcrumbs, footers,
  ``(2020年10月19日,云南日报)``) belongs to no item: only prose continues an item.

The output is plain data (:class:`ParsedDocument`); deadlines and owners are read from each
item's text by :mod:`tracker.extract.deadlines` and :mod:`tracker.extract.owners`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from tracker.extract.numerals import CN_NUMERAL_CHARS, cn_to_int, fold_width, normalise

_CN = f"[{CN_NUMERAL_CHARS}]+"
_OPEN = "[（(]"
_CLOSE = "[）)]"

# (style, regex). Order matters: the bracketed styles before the bare ones.
_NUMBERING: list[tuple[str, re.Pattern[str]]] = [
    ("chapter", re.compile(rf"^(第\s*({_CN}|\d+)\s*[章编部分]+)\s*")),
    ("box", re.compile(r"^(专栏\s*(\d+))\s*")),
    ("cn", re.compile(rf"^(({_CN})\s*[、．.])\s*")),
    ("pcn", re.compile(rf"^({_OPEN}\s*({_CN})\s*{_CLOSE})[、．.]?\s*")),
    ("parabic", re.compile(rf"^({_OPEN}\s*(\d{{1,3}})\s*{_CLOSE})[、．.]?\s*")),
    ("arabic", re.compile(r"^((\d{1,3})\s*(?:[、．]|\.(?!\d)))\s*")),
    ("circled", re.compile(r"^(([①-⑳]))\s*")),
]

_SENTENCE_END = re.compile(r"[。；;！!？?]")
_APPENDIX = re.compile(r"^附\s*件\s*(\d+|[一二三四五六七八九十]+)?\s*[:：]?\s*(.*)$")
_DOC_TYPE = re.compile(r"(实施意见|意见|工作方案|实施方案|方案|规划|推进计划|工作计划|行动计划|计划|纲要|办法|要点)")
_FULL_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_PERIOD = re.compile(r"(\d{4})\s*年?\s*[—–\-－~～至到]+\s*(\d{4})\s*年")
_FIVE_YEAR = {"十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030)}
_TARGET_YEAR = re.compile(r"到\s*(\d{4})\s*年")
_ISSUER_SUFFIX = re.compile(r"(人民政府|办公厅|委员会|省委|市委|县委|政府|办公室|局|厅)$")
_NOISE = re.compile(
    r"(ICP备|公网安备|网站地图|网站声明|关于我们|主办单位|运行维护|承办单位|版权所有|无障碍|"
    r"您的位置|当前位置|【字体|字体[:：]|来源[:：]|浏览次数|打印本页|关闭窗口|分享到|微信\s*微博|"
    r"网站标识码|政务服务便民热线|网站支持IPv6)"
)


@dataclass
class ParsedItem:
    """A numbered item: the unit of work a coordinator tracks."""

    number: str  # as printed, without trailing punctuation: "21", "（十七）"
    value: int | None  # numeric value of the number
    style: str
    section: list[str]  # heading labels from the top, e.g. ["四、优化知识产权快保护关键环节"]
    text: str  # body as printed (number removed), continuation lines joined by "\n"
    line_start: int
    line_end: int


@dataclass
class ParsedPlan:
    title: str
    issuer: str | None
    issued_on: date | None
    period: tuple[int, int] | None
    target_years: list[int]
    preamble: str  # text before the first item (targets, general requirements)
    items: list[ParsedItem] = field(default_factory=list)
    is_appendix: bool = False
    repairs: list[str] = field(default_factory=list)  # what the parser restored, for the report
    title_line: int = 0
    line_start: int = 0  # the plan's span in the source file (an appendix is a part of it)
    line_end: int = 0


@dataclass
class ParsedDocument:
    plans: list[ParsedPlan]
    coordinating_office: dict[str, str] = field(default_factory=dict)  # alias -> unit


@dataclass
class _Line:
    no: int  # 1-based line number in the source file
    raw: str  # as printed, stripped
    norm: str  # width-folded for matching
    style: str | None = None
    label: str = ""  # numbering token as printed
    value: int | None = None
    rest: str = ""  # text after the numbering token


def _classify(no: int, raw: str) -> _Line:
    line = _Line(no=no, raw=raw, norm=normalise(raw))
    for style, pattern in _NUMBERING:
        m = pattern.match(raw) or pattern.match(line.norm)
        if not m:
            continue
        source = raw if pattern.match(raw) else line.norm
        m = pattern.match(source)
        assert m is not None
        label = m.group(1).strip()
        rest = source[m.end():].strip()
        if not rest:  # a lone number is no heading
            continue
        if style == "arabic" and re.match(r"^\d", rest):
            continue
        line.style, line.label, line.rest = style, label, rest
        token = m.group(2)
        if style == "circled":
            line.value = ord(token) - ord("①") + 1
        elif style in ("chapter", "cn", "pcn"):
            line.value = cn_to_int(token)
        else:
            line.value = int(token)
        break
    return line


def is_prose(text: str) -> bool:
    """A line that reads as running text (a sentence), not a title, date line or chrome."""
    t = text.strip()
    return bool(_SENTENCE_END.search(t)) and len(t) >= 12 and not _NOISE.search(t)


def _is_heading(line: _Line) -> bool:
    """A numbered line is a heading when its text is a bare phrase, not a sentence."""
    rest = line.rest
    if line.style in ("chapter", "box"):
        return True
    if _SENTENCE_END.search(rest):
        return False
    if re.search(r"[（(〔][^）)〕]*(责任单位|牵头单位|负责|前|底|持续|推进|完成|阶段)[^）)〕]*[）)〕]\s*$", fold_width(rest)):
        return False
    return len(rest) <= 60


def _looks_like_title(text: str) -> bool:
    t = text.strip()
    return (
        4 <= len(t) <= 40
        and not _SENTENCE_END.search(t)
        and not _NOISE.search(t)
        and not re.search(r"[:：|]", t)
        and not re.match(r"^[（(]", t)
        and not _FULL_DATE.search(t)
    )


class _PlanBuilder:
    """Walks the lines of one plan, keeping the style stack and the open item."""

    def __init__(self, plan: ParsedPlan) -> None:
        self.plan = plan
        self.stack: list[tuple[str, str, int | None]] = []  # (style, heading label+text, value)
        self.open_item: ParsedItem | None = None
        self.preamble: list[str] = []
        self.pending_orphan: _Line | None = None
        self.heading_values: dict[str, list[int]] = {}

    def _pop_to(self, style: str) -> None:
        for i, (s, _, _) in enumerate(self.stack):
            if s == style:
                del self.stack[i:]
                return

    def heading(self, line: _Line, text: str | None = None) -> None:
        self.open_item = None
        assert line.style is not None
        self._pop_to(line.style)
        self.stack.append((line.style, text or f"{line.label}{line.rest}", line.value))

    def item(self, line: _Line) -> None:
        assert line.style is not None
        # An item closes deeper headings of its own style's level and below.
        self._pop_to(line.style)
        number = re.sub(r"[、．.]$", "", line.label)
        self.open_item = ParsedItem(
            number=number,
            value=line.value,
            style=line.style,
            section=[label for _, label, _ in self.stack],
            text=line.rest,
            line_start=line.no,
            line_end=line.no,
        )
        self.plan.items.append(self.open_item)

    def orphan_heading(self, line: _Line, next_heading_value: int | None) -> None:
        """A bare line between items: a heading that lost its number (Yunyang's 四、)."""
        if not self.stack:
            self.preamble.append(line.raw)
            return
        style, _, value = self.stack[-1]
        label = line.raw
        if style == "cn" and value is not None and next_heading_value == value + 2:
            restored = _int_to_cn(value + 1)
            label = f"{restored}、{line.raw}"
            self.plan.repairs.append(f"第{line.no}行：标题缺少序号，已按上下文补为“{restored}、” / heading number restored")
        self.open_item = None
        self.stack[-1] = (style, label, (value + 1) if value is not None else None)

    def prose(self, line: _Line) -> None:
        if self.open_item is not None and is_prose(line.raw):
            self.open_item.text += "\n" + line.raw
            self.open_item.line_end = line.no
        else:
            self.open_item = None
            if not self.plan.items and is_prose(line.raw):
                self.preamble.append(line.raw)


def _int_to_cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n - 10] if n > 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


def _split_plans(lines: list[_Line]) -> list[tuple[bool, list[_Line]]]:
    """Cut the document at each 附件 line: the text before is the main plan, each
    appendix after it a plan of its own."""
    parts: list[tuple[bool, list[_Line]]] = [(False, [])]
    for line in lines:
        m = _APPENDIX.match(line.norm)
        if m and len(line.raw) <= 40 and not _SENTENCE_END.search(line.raw):
            parts.append((True, []))
            rest = m.group(2).strip()
            if rest:
                parts[-1][1].append(_classify(line.no, rest))
            continue
        parts[-1][1].append(line)
    return [p for p in parts if any(x.raw for x in p[1])]


def _find_title(lines: list[_Line], is_appendix: bool) -> tuple[str, int]:
    """The plan's title: the first standalone title line (an appendix's first line), else a
    title quoted in a transmittal notice (印发《…》的通知)."""
    head = [ln for ln in lines if ln.raw][:25]
    if is_appendix:
        for ln in head[:3]:
            if (ln.style is None and _looks_like_title(ln.raw.replace("—", ""))) or _DOC_TYPE.search(ln.raw):
                if not _SENTENCE_END.search(ln.raw):
                    return ln.raw, ln.no
    # A standalone line ending in a document type, possibly split over two lines.
    for i, ln in enumerate(head):
        if ln.style is not None or _NOISE.search(ln.raw):
            break
        text = ln.raw
        if re.search(r"(关于|关于贯彻|关于印发)$", text) and i + 1 < len(head):
            text = text + head[i + 1].raw
        stripped = re.sub(r"[（(][^）)]*[）)]$", "", text).strip()
        if _DOC_TYPE.search(stripped[-6:] if len(stripped) >= 6 else stripped) and not _SENTENCE_END.search(text):
            if text.startswith("关于印发") and "的通知" in text:
                continue
            if "印发" in text and "《" in text:
                m = re.search(r"《(.+)》", text)
                if m:
                    return m.group(1), ln.no
            return text, ln.no
    for ln in head:
        m = re.search(r"印发[了]?《(.+?)》", ln.raw)
        if m:
            return m.group(1), ln.no
    first = next((ln for ln in head if ln.style is None and _looks_like_title(ln.raw)), None)
    return (first.raw, first.no) if first else ("", 0)


def _find_issuer(lines: list[_Line], title: str) -> str | None:
    for ln in [x for x in lines if x.raw][:15]:
        if ln.style is not None:
            break
        text = ln.raw.strip()
        if text == title or _SENTENCE_END.search(text) or _NOISE.search(text):
            continue
        if len(text) <= 40 and all(_ISSUER_SUFFIX.search(part) for part in text.split()):
            return text
    m = re.match(r"^(.+?)关于", title)
    if m and _ISSUER_SUFFIX.search(m.group(1).split()[-1]):
        return m.group(1).strip()
    return None


def _find_issue_date(lines: list[_Line], *, tail: bool = True) -> date | None:
    """The date line of the document: under the issuer at the top, or a dated source line
    (`(2020年10月19日,云南日报)`) at the very end."""
    printed = [ln for ln in lines if ln.raw]
    candidates = printed[:20] + (printed[-15:] if tail else [])
    for ln in candidates:
        t = ln.norm.strip()
        m = _FULL_DATE.search(t)
        if m and (len(t) <= 24 or t.startswith("(")):
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    return None


def _find_period(title: str) -> tuple[int, int] | None:
    norm = normalise(title)
    m = _PERIOD.search(norm)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        if 1990 <= a <= b <= 2100:
            return a, b
    for key, span in _FIVE_YEAR.items():
        if key in norm:
            return span
    return None


_OFFICE = re.compile(r"(领导小组|联席会议)?(?:下设)?办公室(?:设)?在([\u4e00-\u9fff（）()]{2,20}?(?:局|厅|委|办|院|中心))")


def _find_coordinating_office(text: str) -> dict[str, str]:
    """`领导小组下设办公室在县市场监管局` → {"领导小组办公室": "县市场监管局"}.

    Plans name the office that coordinates them once, then refer to it by role.
    """
    offices: dict[str, str] = {}
    for m in _OFFICE.finditer(text):
        body = m.group(1) or "领导小组"
        offices[f"{body}办公室"] = m.group(2)
    return offices


def parse_lines(raw_lines: list[str]) -> ParsedDocument:
    """Parse the lines of a decoded document (index 0 is line 1)."""
    lines = [_classify(i + 1, raw.replace("\xa0", " ").strip()) for i, raw in enumerate(raw_lines)]
    plans: list[ParsedPlan] = []
    parent: ParsedPlan | None = None
    document_date = _find_issue_date(lines)
    for is_appendix, part in _split_plans(lines):
        title, title_line = _find_title(part, is_appendix)
        issuer = _find_issuer(part, title) if not is_appendix else None
        # An appendix may carry its own date under its title; otherwise the document's.
        issued = _find_issue_date(part, tail=False) if is_appendix else None
        issued = issued or document_date
        if is_appendix and parent is not None:
            issuer = issuer or parent.issuer
        plan = ParsedPlan(
            title=title,
            issuer=issuer,
            issued_on=issued,
            period=_find_period(title),
            target_years=[],
            preamble="",
            is_appendix=is_appendix,
            title_line=title_line,
            line_start=part[0].no,
            line_end=part[-1].no,
        )
        _walk(plan, [ln for ln in part if ln.no > title_line])
        plan.target_years = sorted({int(y) for y in _TARGET_YEAR.findall(normalise(plan.preamble))})
        plans.append(plan)
        if not is_appendix:
            parent = plan
    whole = "\n".join(raw_lines)
    return ParsedDocument(plans=plans, coordinating_office=_find_coordinating_office(whole))


def _walk(plan: ParsedPlan, lines: list[_Line]) -> None:
    builder = _PlanBuilder(plan)
    heading_lines = [ln for ln in lines if ln.style and _is_heading(ln)]
    for idx, line in enumerate(lines):
        if not line.raw:
            continue
        if _NOISE.search(line.raw) and line.style is None:
            builder.open_item = None
            continue
        if line.style is not None:
            if _is_heading(line):
                builder.heading(line)
            else:
                builder.item(line)
            continue
        # An unnumbered short line between two items is a heading that lost its number.
        if (
            plan.items
            and builder.open_item is not None
            and _looks_like_title(line.raw)
            and _next_is_item(lines, idx)
        ):
            nxt = next((h for h in heading_lines if h.no > line.no), None)
            cur_style = builder.stack[-1][0] if builder.stack else None
            builder.orphan_heading(line, nxt.value if nxt is not None and nxt.style == cur_style else None)
            continue
        builder.prose(line)
    plan.preamble = "\n".join(builder.preamble)


def _next_is_item(lines: list[_Line], idx: int) -> bool:
    for ln in lines[idx + 1:]:
        if not ln.raw:
            continue
        return ln.style is not None and not _is_heading(ln)
    return False
