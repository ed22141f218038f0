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
  ``(2020年10月19日,云南日报)``) belongs to no item: only prose continues an item;
* a table of contents (``目录`` and lines ending in page numbers) and footnotes
  (``①…`` lines whose marker was used earlier in the text) are neither headings nor items;
* task tables flattened to text (a ``序号`` header, then one cell per line or one row per
  tab-separated line) become one item per row, their owner and deadline columns written as
  the bracket clauses the rest of the grammar already reads;
* a paragraph cut by a page break (its first part does not end a sentence) is joined again;
* plans that number no tasks at all (a five-year plan: chapters, sections, boxes 专栏N, and
  prose paragraphs each led by a headline sentence) are read in *paragraph mode*: every
  prose paragraph under a section is a task, except in the chapters that only set the scene
  (规划背景, 总体要求, 指导思想, 基本原则, 主要目标 …).

Words are matched on a simplified, width-folded form of each line (OpenCC), so the grammar
is written once and reads a traditional-script plan (Qinghai) as well; what is kept is
always the text as printed.

The output is plain data (:class:`ParsedDocument`); deadlines and owners are read from each
item's text by :mod:`tracker.extract.deadlines` and :mod:`tracker.extract.owners`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import pairwise

from tracker.extract import budget
from tracker.extract.numerals import CN_NUMERAL_CHARS, cn_to_int, normalise
from tracker.extract.repair import to_simplified

_CN = f"[{CN_NUMERAL_CHARS}]+"
_OPEN = "[（(]"
_CLOSE = "[）)]"

# (style, regex). Order matters: the bracketed styles before the bare ones.
_NUMBERING: list[tuple[str, re.Pattern[str]]] = [
    ("chapter", re.compile(rf"^(第\s*({_CN}|\d+)\s*[章编部分]+)\s*")),
    ("box", re.compile(r"^((?:专栏|專欄)\s*(\d+))\s*")),
    ("cn", re.compile(rf"^(({_CN})\s*[、．.﹒])\s*")),
    ("pcn", re.compile(rf"^({_OPEN}\s*({_CN})\s*{_CLOSE})[、．.]?\s*")),
    ("parabic", re.compile(rf"^({_OPEN}\s*(\d{{1,3}})\s*{_CLOSE})[、．.]?\s*")),
    ("arabic", re.compile(r"^((\d{1,3})\s*(?:[、．﹒]|\.(?!\d)))\s*")),
    ("circled", re.compile(r"^(([①-⑳]))\s*")),
]

# First characters each _NUMBERING pattern can match (arabic: also any decimal digit).
_STYLE_STARTS = {
    "chapter": "第", "box": "专專", "cn": CN_NUMERAL_CHARS, "pcn": "（(", "parabic": "（(", "arabic": "",
    "circled": "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳",
}
_SENTENCE_END = re.compile(r"[。；;！!？?]")
_APPENDIX = re.compile(r"^附\s*件\s*(\d+|[一二三四五六七八九十]+)?\s*[:：]?\s*(.*)$")
_DOC_TYPE = re.compile(r"(实施意见|意见|工作方案|实施方案|方案|规划|推进计划|工作计划|行动计划|计划|纲要|办法|要点|任务清单|责任清单|清单|分解表|台账)")
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
    page_breaks: list[int] = field(default_factory=list)  # lines rejoined to a cut paragraph
    cited_year: int | None = None  # latest year of a document number before the first item


@dataclass
class ParsedDocument:
    plans: list[ParsedPlan]
    coordinating_office: dict[str, str] = field(default_factory=dict)  # alias -> unit
    # 列第一位者为牵头单位: the first unit of an undifferentiated list leads (the genre's
    # default); False when the document says its lists are in no order (排名不分先后).
    lead_first: bool = True


@dataclass
class _Line:
    no: int  # 1-based line number in the source file
    raw: str  # as printed, stripped
    norm: str  # width-folded for matching
    match: str = ""  # norm in simplified characters: the form words are matched on
    style: str | None = None
    label: str = ""  # numbering token as printed
    value: int | None = None
    rest: str = ""  # text after the numbering token
    skip: bool = False  # table of contents or footnote: part of no heading and no item
    table_row: bool = False  # a row of a task table, rewritten as an item line
    end_no: int = 0  # last source line of a table row (its cells); 0 = this line


def _simplified(text: str) -> str:
    """The matching form of a line: width folded, numbers squeezed, simplified characters.

    >>> _simplified("三、組織保障"), _simplified("２０２５ 年")
    ('三、组织保障', '2025年')
    """
    norm = normalise(text)
    return to_simplified(norm) if not norm.isascii() else norm


@lru_cache(maxsize=1024)
def _styles_for(first: str, norm_first: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    r"""The _NUMBERING styles a line can open with, given its first character as printed and
    folded: 第 a chapter, 专/專 a box, a Chinese numeral, an opening bracket, a digit (\d is
    any Unicode decimal digit, as str.isdecimal is) or a circled number. Most lines of a
    plan start otherwise and try none of the patterns.

    >>> [s for s, _ in _styles_for("（", "(")], _styles_for("加", "加")
    (['pcn', 'parabic'], ())
    """
    firsts = [c for c in (first, norm_first) if c]
    return tuple(
        (style, pattern) for style, pattern in _NUMBERING
        if any(c in _STYLE_STARTS[style] or (style == "arabic" and c.isdecimal()) for c in firsts)
    )


def _classify(no: int, raw: str) -> _Line:
    line = _Line(no=no, raw=raw, norm=normalise(raw))
    line.match = to_simplified(line.norm) if not line.norm.isascii() else line.norm
    styles = _styles_for(raw[:1], line.norm[:1])
    if not styles:
        return line
    for style, pattern in styles:
        m = pattern.match(raw)
        source = raw
        if m is None:
            m, source = pattern.match(line.norm), line.norm
            if m is None:
                continue
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
    if line.table_row:
        return False
    if line.style in ("chapter", "box"):
        return True
    if _SENTENCE_END.search(rest):
        return False
    if re.search(r"[（(〔][^）)〕]*(责任单位|牵头单位|负责|前|底|持续|推进|完成|阶段)[^）)〕]*[）)〕]\s*$", _simplified(rest)):
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


def _heading_label(line: _Line) -> str:
    """How a heading is shown in a task's section path: `一、总体要求`, `第三章 构建…`,
    `专栏2 实施…` (a chapter or box number is a word of its own, so it keeps a space)."""
    if line.style in ("chapter", "box"):
        number = re.sub(r"\s+", "", line.label)
        return f"{number} {line.rest}"
    return f"{line.label}{line.rest}"


# A line that carries an item's other fields (owners or deadline) on a line of its own:
# `责任单位：省公安厅、省司法厅` under the item it belongs to.
# The label names a unit, a person, a role or a time: `牵头单位:`, `协同责任单位：`,
# `牵头负责领导:`, `完成时限：`, `责任人：`.
_FIELD_LINE = re.compile(
    r"^[(〔【]?\s*(?:[\u4e00-\u9fff]{0,8}(?:单位|部门|处室|科室|领导|责任人|联系人)(?:及责任人)?"
    r"|完成时限|完成时间|完成期限|时间节点|时限要求|时间要求|时限|进度安排)\s*[:：]"
)
# Sentence-final (or clause-final) punctuation, and closing brackets and quotes: text that
# ends in one of these is complete; anything else was cut.
_COMPLETE_END = "。；;！!？?：:）)〕】》”’\"'…"


def is_cut(text: str) -> bool:
    """Whether a paragraph stops mid-sentence: the first half of a page-break split.

    Text exported from a paginated document breaks a paragraph at the page end, leaving a
    blank line, sometimes in the middle of a word (`…违法犯` / `罪专项行动…`).

    >>> is_cut("开展打击侵犯知识产权违法犯"), is_cut("加强保护。"), is_cut("(持续推进)")
    (True, False, False)
    >>> is_cut("目标值 5.67"), is_cut("")
    (False, False)
    """
    t = text.rstrip()
    if not t:
        return False
    last = t[-1]
    return last not in _COMPLETE_END and ("\u4e00" <= last <= "\u9fff" or last in "、，,“‘《（(—")


def _join_cut(item: ParsedItem, line: _Line, plan: ParsedPlan) -> None:
    """Join the rest of a paragraph cut by a page break to its first part, without a break."""
    item.text += line.raw
    plan.page_breaks.append(line.no)
    item.line_end = line.no


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
        m = _APPENDIX.match(line.norm) if not line.skip else None
        if m and len(line.raw) <= 40 and not _SENTENCE_END.search(line.raw):
            parts.append((True, []))
            rest = m.group(2).strip()
            if rest:
                parts[-1][1].append(_classify(line.no, rest))
            continue
        parts[-1][1].append(line)
    return [p for p in parts if any(x.raw for x in p[1])]


_APPENDIX_HEAD = re.compile(r"^附\s*件\s*(\d+|[一二三四五六七八九十]+)?\s*$")
_APPENDIX_LIST = re.compile(r"^附\s*件\s*[:：]\s*\S")
_LISTED_TITLE = re.compile(r"^(?:\d{1,2}\s*[.．、]\s*)?\S.{0,40}$")


def _mark_attachment_lists(lines: list[_Line]) -> None:
    """`附件：1.参会单位名单` / `2.实施方案`: a notice's list of its attachments names them;
    it is neither an appendix nor a list of tasks. A list is told from an appendix heading by
    what follows: the appendices themselves, each under a bare `附件` / `附件1` line."""
    heads = [i for i, ln in enumerate(lines) if _APPENDIX_HEAD.match(ln.norm)]
    for i, line in enumerate(lines):
        if not _APPENDIX_LIST.match(line.norm) or not any(h > i for h in heads):
            continue
        line.skip = True
        nxt = next((h for h in heads if h > i), len(lines))
        for follow in lines[i + 1 : nxt]:
            if not follow.raw:
                continue
            if follow.style not in (None, "arabic") or _SENTENCE_END.search(follow.raw) or not _LISTED_TITLE.match(follow.raw):
                break
            if follow.style is None and not follow.raw.startswith("《"):
                break  # the list has ended: the signature, the date
            follow.skip = True


def _find_title(lines: list[_Line], is_appendix: bool) -> tuple[str, int]:
    """The plan's title: the first standalone title line (an appendix's first line), else a
    title quoted in a transmittal notice (印发《…》的通知)."""
    head = [ln for ln in lines if ln.raw][:25]
    if is_appendix:
        for ln in head[:3]:
            if (ln.style is None and _looks_like_title(ln.raw.replace("—", ""))) or _DOC_TYPE.search(ln.raw):
                if not _SENTENCE_END.search(ln.raw):
                    return ln.raw, ln.no
    # A standalone line ending in a document type, possibly split over two or three lines
    # (`国务院办公厅关于推广第二批` / `支持创新相关改革举措的通知`).
    for i, ln in enumerate(head):
        if ln.style is not None:
            break
        if _NOISE.search(ln.raw):
            continue  # page chrome above the title (来源：…, 浏览量…)
        text, last = _title_lines(head, i)
        matched = _simplified(text)
        stripped = re.sub(r"[（(][^（(）)]*[）)]$", "", matched).strip()
        if _TITLE_END.search(stripped[-6:] if len(stripped) >= 6 else stripped) and not _SENTENCE_END.search(text):
            if "关于印发" in matched and "的通知" in matched and "《" not in text:
                continue
            if "印发" in matched and "《" in text:
                quoted = _transmitted_title(text)
                if quoted:
                    return quoted, last
            if not _DOC_TYPE.search(stripped[-6:] if len(stripped) >= 6 else stripped):
                continue  # a notice's title (…的通知): the plan's own title may follow
            return text, last
    notice = _notice_title(head)
    if notice is not None:
        return notice
    for ln in head:
        m = re.search(r"印发[了]?《(.+?)》", ln.raw)
        if m:
            return m.group(1), ln.no
    # Else the first title-like line above the first numbered one (a line opening with a
    # number, `1.2020年9月底前制定工作方案`, is an item the classifier could not number).
    before = []
    for ln in head:
        if ln.style is not None:
            break
        before.append(ln)
    first = next((ln for ln in before if _looks_like_title(ln.raw) and not re.match(r"^\d{1,3}\s*[.、．]", ln.raw)), None)
    return (first.raw, first.no) if first else ("", 0)


_TITLE_END = re.compile(_DOC_TYPE.pattern[:-1] + "|通知|决定)")


def _transmitted_title(text: str) -> str | None:
    """The title of the plan a notice transmits: `关于印发《X》的通知` → X, and
    `关于印发2016年《政府工作报告》量化指标任务分工的通知` → the words between 印发 and 的通知
    when the quotation is only part of them.

    >>> _transmitted_title("国务院办公厅关于印发2016年《政府工作报告》量化指标任务分工的通知")
    '2016年《政府工作报告》量化指标任务分工'
    >>> _transmitted_title("云阳县人民政府关于印发《云阳县工作方案（2022—2025年）》的通知")
    '云阳县工作方案（2022—2025年）'
    """
    m = re.search(r"印发[了]?(.+?)的?通知$", text)
    inner = m.group(1).strip() if m else ""
    whole = re.fullmatch(r"《(.+)》", inner)
    if whole and "《" not in whole.group(1):
        return whole.group(1)
    if inner and "《" in inner:
        return inner
    q = re.search(r"《(.+)》", text)
    return q.group(1) if q else None


def _title_lines(head: list[_Line], i: int) -> tuple[str, int]:
    """The title that starts at ``head[i]``: that line and up to two more while it does not
    yet end like a title (a document type, 通知) and the next line could continue it.

    Returns the text and the number of its last line."""
    text, last = head[i].raw, head[i].no
    if _FULL_DATE.search(text) or re.match(r"^[（(〔【]", text) or re.search(r"[〔\[［]\s*\d{4}\s*[〕\]］]\s*\d+\s*号", text):
        return text, last  # a date or a document number (文号) line starts no title
    k = i
    while k + 1 < len(head) and k - i < 2:
        matched = _simplified(text)
        stripped = re.sub(r"[（(][^（(）)]*[）)]$", "", matched).strip()
        if _TITLE_END.search(stripped[-6:] if len(stripped) >= 6 else stripped):
            break
        nxt = head[k + 1]
        if (
            nxt.style is not None
            or not 2 <= len(nxt.raw) <= 40
            or _SENTENCE_END.search(nxt.raw)
            or re.search(r"[:：〔〕\[\]]", nxt.raw)
            or re.match(r"^[（(【]", nxt.raw)
            or _NOISE.search(nxt.raw)
            or _FULL_DATE.search(nxt.raw)
            or (_ISSUER_SUFFIX.search(_simplified(text)) and not re.search(r"(关于|关於|關於|关于贯彻|关于印发)$", matched))
        ):
            break
        text, last, k = text + nxt.raw, nxt.no, k + 1
    return text, last


def _notice_title(head: list[_Line]) -> tuple[str, int] | None:
    """A notice's own title (`国务院办公厅关于推广…的通知`), for a notice that quotes no plan
    title: the title of the document when no line names a plan of its own."""
    for i, ln in enumerate(head):
        if ln.style is not None or _NOISE.search(ln.raw):
            break
        if re.search(r"印发[了]?《(.+?)》", ln.raw):
            return None
        text, last = _title_lines(head, i)
        if _simplified(text).endswith("通知") and not _SENTENCE_END.search(text):
            return text, last
    return None


def _find_issuer(lines: list[_Line], title: str) -> str | None:
    for ln in [x for x in lines if x.raw][:15]:
        if ln.style is not None:
            break
        text = ln.raw.strip()
        if text == title or _SENTENCE_END.search(text) or _NOISE.search(text):
            continue
        if len(text) <= 40 and all(_ISSUER_SUFFIX.search(part) for part in _simplified(text).split()):
            return text
    m = re.match(r"^(.+?)(?:关于|關于|關於)", title)
    if m and m.group(1).split() and _ISSUER_SUFFIX.search(_simplified(m.group(1).split()[-1])):
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
    return page_date([ln.raw for ln in printed[:20]])


_LABELLED_DATE = re.compile(
    r"(?:成文日期|发文日期|印发日期|成文时间)\s*[:：]?\s*\|?\s*(\d{4})\s*(?:-|年)\s*(\d{1,2})\s*(?:-|月)\s*(\d{1,2})"
)


def page_date(lines: Iterable[str]) -> date | None:
    """The date a web page's metadata gives the document (`成文日期: | 2024-02-04 |`,
    `发文日期：2023年1月3日`), read from the page as fetched: the reader drops such lines
    as page debris before the grammar sees the text.

    >>> page_date(["文號: | 杭政辦函〔2024〕4號 | 成文日期: | 2024-02-04 |"])
    datetime.date(2024, 2, 4)
    """
    for raw in lines:
        m = _LABELLED_DATE.search(_simplified(raw))
        if m:
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
    for m in _office_matches(text):
        body = m.group(1) or "领导小组"
        offices[f"{body}办公室"] = m.group(2)
    return offices


# The longest _OFFICE match: 领导小组下设 (6) before 办公室, 设在 and 20 characters and 中心 after.
_OFFICE_BEFORE, _OFFICE_AFTER = 6, 3 + 2 + 20 + 2


def _office_matches(text: str) -> list[re.Match[str]]:
    """What ``_OFFICE.finditer(text)`` finds, searching only around each 办公室.

    Every match holds 办公室 at most six characters after its start, so the pattern is
    tried in a short window around each occurrence instead of at every character of the
    document (a regex that opens with optional groups cannot skip ahead by itself).
    """
    found: list[re.Match[str]] = []
    pos = 0
    while (at := text.find("办公室", pos)) >= 0:
        m = _OFFICE.search(text, max(pos, at - _OFFICE_BEFORE), at + _OFFICE_AFTER + 1)
        if m is None or m.start() > at:
            pos = at + 1
            continue
        found.append(m)
        pos = m.end()
    return found


def parse_lines(
    raw_lines: list[str], *, title_hint: tuple[int, str] | None = None, date_hint: date | None = None
) -> ParsedDocument:
    """Parse the lines of a decoded document (index 0 is line 1).

    ``date_hint`` is the date the page's metadata gives (:func:`page_date`), used when the
    text itself prints none.
    ``title_hint`` is ``(line, title)`` recovered from page debris (:func:`repair.page_title`)
    for a document whose title line did not survive; it is used only when the main plan
    has no title of its own.
    """
    lines = [
        line
        for no, raw in enumerate(raw_lines, start=1)
        for part in _run_on_parts(raw.replace("\xa0", " ").strip())
        for line in _sequence_parts(_classify(no, part))
    ]
    # Neither rule spans a line break, nor depends on a line's edges or a no-break space:
    # the lines' matching forms answer for the whole text.
    _recover_numbers_before_digits(lines)
    lead_first = _lead_first_in(ln.match for ln in lines)
    _mark_table_of_contents(lines)
    _mark_footnotes(lines)
    _mark_attachment_lists(lines)
    lines = _flatten_task_tables(lines)
    plans: list[ParsedPlan] = []
    parent: ParsedPlan | None = None
    document_date = _find_issue_date(lines) or date_hint
    for is_appendix, part in _split_plans(lines):
        title, title_line = _find_title(part, is_appendix)
        if not title and not is_appendix and title_hint is not None:
            title_line, title = title_hint
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
        plan.cited_year = _cited_year(part)
        body = [ln for ln in _after_title(part, title_line) if not ln.skip]
        _walk(plan, body)
        if not any(not is_context(item.section) for item in plan.items):
            numbered, breaks, preamble = list(plan.items), list(plan.page_breaks), plan.preamble
            if _headed_prose_shape(plan, body):
                plan.items.clear()
                plan.page_breaks.clear()
                _walk(plan, body, headed_items=True)
            else:
                _walk_paragraphs(plan, body)
            if not plan.items:  # no prose paragraphs either: the numbered items are the plan
                plan.items, plan.page_breaks, plan.preamble = numbered, breaks, preamble
        if plan.page_breaks:
            shown = "、".join(str(n) for n in plan.page_breaks[:8]) + ("…" if len(plan.page_breaks) > 8 else "")
            plan.repairs.append(
                f"合并被分页截断的段落 {len(plan.page_breaks)} 处（第{shown}行）/ "
                f"rejoined {len(plan.page_breaks)} paragraphs split by page breaks"
            )
        plan.target_years = sorted({int(y) for y in _TARGET_YEAR.findall(normalise(plan.preamble))})
        plans.append(plan)
        if not is_appendix:
            parent = plan
    _drop_transmittal_items(plans)
    whole = "\n".join(raw_lines)
    return ParsedDocument(plans=plans, coordinating_office=_find_coordinating_office(whole), lead_first=lead_first)


# A document whose paragraphs a web page ran together into one line, apart by spaces:
# `…制定本工作要点。 一、总体要求 2022年是… （一）…`. A numbering token after a space that
# follows a sentence end (or a heading word) starts a paragraph of its own.
_RUN_ON_BREAK = re.compile(
    rf"(?<=[。；;：:！？）)\u4e00-\u9fff])\s+(?=(?:{_CN}、|{_OPEN}{_CN}{_CLOSE}|\d{{1,2}}[.、．](?!\d))\S)"
)


def _after_title(part: list[_Line], title_line: int) -> list[_Line]:
    """The lines after the title's. A page that ran the whole notice into one line holds its
    title and body in one source line: the parts after the first are the body."""
    out: list[_Line] = []
    seen_title = False
    for ln in part:
        if ln.no > title_line:
            out.append(ln)
        elif ln.no == title_line:
            if seen_title:
                out.append(ln)
            seen_title = True
    return out


# The year of a document number: `常发〔2015〕24号`, `国办发[2021]3号`.
_CITED_YEAR = re.compile(r"[〔\[［]\s*((?:19|20)\d\d)\s*[〕\]］]\s*\d{1,4}\s*号")


def _cited_year(part: list[_Line]) -> int | None:
    """The latest year of a document number printed before the plan's first numbered line
    (`市委市政府印发了《意见》（常发〔2015〕24号）`): a notice is no older than what it cites."""
    years: list[int] = []
    for line in part:
        if line.style is not None:
            break
        years.extend(int(y) for y in _CITED_YEAR.findall(line.norm))
    return max(years) if years else None


def _run_on_parts(raw: str) -> list[str]:
    """A line as the paragraphs it holds: itself, unless it is a long run of paragraphs
    that a page joined with spaces (two numbered paragraphs at least).

    >>> _run_on_parts("要点。 一、总体要求 做好工作。 （一）公开重点。 1.推进公开。" * 20)[:3]
    ['要点。', '一、总体要求', '做好工作。']
    """
    if len(raw) < 400:
        return [raw]
    cuts = [m.start() for m in _RUN_ON_BREAK.finditer(raw)]
    if len(cuts) < 2:
        return [raw]
    parts: list[str] = []
    at = 0
    for cut in cuts:
        parts.append(raw[at:cut].strip())
        at = cut
    parts.append(raw[at:].strip())
    out: list[str] = []
    for part in parts:  # `一、总体要求 2022年是…`: a bare heading and its text, apart by a space
        head, sep, rest = part.partition(" ")
        if sep and len(head) <= 30 and not _SENTENCE_END.search(head) and rest.strip():
            out.extend((head, rest.strip()))
        else:
            out.append(part)
    return [p for p in out if p]


# A numbering token right after a sentence end or a closing bracket, inside a line:
# `（一）地区生产总值增长11%左右。（省发改委负责）（二）公共财政收入…`.
_INLINE_TOKEN = re.compile(
    rf"(?<=(?P<before>[。；;！？）)：:，,]))\s*(?:(?P<cn>{_CN})、|{_OPEN}(?P<pcn>{_CN}){_CLOSE}|(?P<arabic>\d{{1,2}})[.．、](?!\d))"
)


def _sequence_parts(line: _Line) -> list[_Line]:
    """A numbered line that runs on into the items after it, as a page printed them on one
    line, is cut where each next number of its own style begins: `（一）…。（二）…`.

    Only the numbers that continue the line's own sequence cut; a list that starts again
    at one inside the item (`1.完善机制：1.建立…；2.健全…`) is the item's own text, and the
    line stays whole.

    >>> [p.label for p in _sequence_parts(_classify(1, "（一）增长11%。（甲负责）（二）增长13%。（乙负责）"))]
    ['（一）', '（二）']
    >>> len(_sequence_parts(_classify(1, "1.完善机制：1.建立制度；2.健全台账。")))
    1
    """
    if line.style not in ("cn", "pcn", "arabic") or line.value is None or len(line.raw) < 20:
        return [line]
    cuts: list[int] = []
    expected = line.value + 1
    for m in _INLINE_TOKEN.finditer(line.raw):
        token = m.group(line.style)
        if token is None:
            continue
        value = int(token) if line.style == "arabic" else cn_to_int(token)
        if value != expected:
            return [line]  # a list of the item's own, or numbers out of order: not a run-on
        if m.group("before") in "：:，,":
            return [line]  # `…包括：2.…`: a number inside a sentence
        cuts.append(m.start() + len(m.group(0)) - len(m.group(0).lstrip()))
        expected += 1
    if not cuts:
        return [line]
    bounds = [0, *cuts, len(line.raw)]
    parts = [line.raw[a:b].strip() for a, b in pairwise(bounds)]
    out = [_classify(line.no, part) for part in parts if part]
    return out if all(p.style == line.style for p in out) else [line]


_NUMBER_BEFORE_DIGIT = re.compile(r"^(\d{1,3})\s*[.．](?=\d)")


def _recover_numbers_before_digits(lines: list[_Line]) -> None:
    """`11.121人才梯队项目。…`: an item number followed by a title that opens with digits
    reads like a decimal (`1.5倍`), so the line classifier leaves it unnumbered. It is the
    next item when its number is the one the list expects after the previous item."""
    last: int | None = None
    for line in lines:
        if line.style == "arabic":
            last = line.value
            continue
        if line.style is not None:
            last = 0  # a heading: the numbering under it starts again at 1
            continue
        if last is None:
            continue
        source = line.raw if _NUMBER_BEFORE_DIGIT.match(line.raw) else line.norm  # the text as printed if it can
        m = _NUMBER_BEFORE_DIGIT.match(source)
        if m and int(m.group(1)) == last + 1:
            line.style, line.value = "arabic", last + 1
            line.label = source[: m.end()].strip()
            line.rest = source[m.end():].strip()
            last = line.value


def _drop_transmittal_items(plans: list[ParsedPlan]) -> None:
    """A notice that transmits its plan as an appendix (`关于推广…的通知` + `附件：…清单`)
    may number summaries of the appendix (`（一）知识产权保护方面5项：…；…`): they repeat
    its tasks, and are not tasks of their own. Its other numbered requirements (`一、各有关
    部门要…制定工作方案`) are work to follow like any other."""
    main = next((p for p in plans if not p.is_appendix), None)
    appendix_items = [item for p in plans if p.is_appendix for item in p.items]
    if main is None or not appendix_items:
        return
    titles = {_run_in_title(item.text) for item in appendix_items}
    titles = {t for t in titles if len(t) >= 4}
    main.items = [item for item in main.items if not _summarises(item.text, titles)]


_COUNTED = re.compile(r"(?:方面|类|共)?[0-9一二三四五六七八九十]+项[:：。；;]")


def _summarises(text: str, titles: set[str]) -> bool:
    """Whether an item of a notice lists items of its appendix: a count of them
    (`知识产权保护方面5项：`) or two of their titles."""
    if _COUNTED.search(_simplified(text)[:40]):
        return True
    return sum(1 for t in titles if t in text) >= 2


_LEAD_FIRST_RULE = re.compile(
    r"[列排](?:在|于)?(?:第一|首)位(?:的|者)?(?:单位|部门)?(?:为|是)牵头|第一(?:责任)?(?:单位|部门)(?:为|是)牵头"
)
_NO_ORDER_RULE = re.compile(r"(?:排名|排序|顺序)不分先后")


def _lists_lead_first(text: str) -> bool:
    """Whether the first unit of an undifferentiated owner list leads.

    The genre's convention, often printed (`列第一位者为牵头单位`); a document that says its
    lists are in no order (`排名不分先后`) makes every listed unit a lead.

    >>> _lists_lead_first("（注：列第一位者为牵头单位）"), _lists_lead_first("排名不分先后")
    (True, False)
    >>> _lists_lead_first("")
    True
    """
    return _lead_first_in([_simplified(text)])


def _lead_first_in(matching_forms: Iterable[str]) -> bool:
    no_order = False
    for m in matching_forms:
        if _LEAD_FIRST_RULE.search(m):
            return True
        no_order = no_order or bool(_NO_ORDER_RULE.search(m))
    return not no_order


# --------------------------------------------------------------------------- passes

_TOC_HEAD = re.compile(r"^目\s*录$")
# A contents entry: a short heading, then dot leaders or a gap, then its page number.
_TOC_ENTRY = re.compile(r"^(?P<text>.{2,40}?)(?:\s*[.．·…]{2,}\s*|[\t\u3000]+|\s{2,}|\s)(?P<page>\d{1,3})$")
_TOC_LEADERS = re.compile(r"[.．·…]{4,}\s*\d{1,3}$")


def _is_toc_entry(line: _Line) -> bool:
    m = _TOC_ENTRY.match(line.norm)
    return m is not None and not _SENTENCE_END.search(m.group("text"))


def _mark_table_of_contents(lines: list[_Line]) -> None:
    """Mark the table of contents: the 目录 line and the entries after it, each ending in a
    page number (`第一章 规划背景\t4`), and any heading with dot leaders (`一、总则……3`).

    Its entries repeat the headings of the body; read as headings they would open sections
    with no content, read as items they would be tasks."""
    in_toc = False
    for line in lines:
        if _TOC_HEAD.match(line.match):
            in_toc, line.skip = True, True
            continue
        if in_toc:
            if not line.raw:
                continue
            if _is_toc_entry(line):
                line.skip = True
                continue
            in_toc = False
        if _TOC_LEADERS.search(line.norm) and not _SENTENCE_END.search(line.norm[:-4]):
            line.skip = True


_CIRCLED = re.compile("[①-⑳]")


def _mark_footnotes(lines: list[_Line]) -> None:
    """Footnotes are not items: a line opened by a circled number (①) whose marker already
    appeared inside an earlier line (`每万人口高价值发明专利拥有量 ^①`)."""
    seen: set[str] = set()
    for line in lines:
        if line.style == "circled" and line.raw[:1] in seen:
            line.style, line.skip = None, True
            continue
        seen.update(_CIRCLED.findall(line.raw, 1))


_SERIAL_HEAD = re.compile(r"^(序\s*号|编\s*号)$")
_SERIAL = re.compile(r"^(\d{1,3})[、.．]?$")
_COLUMN = re.compile(
    r"(任务|内容|措施|举措|事项|工作|项目|名称|要点|单位|部门|领导|时限|时间|期限|进度|备注|目标|指标|分工|成果|范围|方式|要求)"
)
# The column whose cell is the task: its name (任务, 改革举措, 重点工作, 项目名称), else its
# content (主要内容); a content column beside a named task is the task's text.
_TASK_COLUMN = re.compile(r"(任务|措施|举措|事项|工作|项目|名称|要点|内容)")
_LATER_COLUMN = re.compile(r"(情况|说明|是否|成效|问题|打算|领导|负责人|责任人|联系人|经办人|股室|科室|处室|类别|备注|分工|指导)")
_TARGET_COLUMN = re.compile(r"(目标|指标)")
_CONTENT_COLUMN = re.compile(r"(内容|具体要求|工作要求|主要措施|具体措施)")
_PROGRESS_COLUMN = re.compile(r"(推进情况|进展情况|完成情况|落实情况|完成成效|成效|存在问题|下一步|是否|备注|说明|完成进度|进度情况)")
_TIME_COLUMN = re.compile(r"(时限|时间|期限|进度)")
_OWNER_COLUMN = re.compile(r"(单位|部门|责任)")


def _column_label(header: str) -> str:
    """The clause label a column's cells are written under: owners and deadlines in the
    words the owner grammar reads (牵头单位 / 配合单位 / 责任单位), others by their header.

    >>> [_column_label(h) for h in ("牵头单位", "配合部门", "责任单位", "完成时限", "备注")]
    ['牵头单位', '配合单位', '责任单位', '完成时限', '备注']
    >>> [_column_label(h) for h in ("单位", "评分部门", "牵头领导", "主要协作单位", "牵头")]
    ['单位', '评分部门', '牵头领导', '配合单位', '牵头单位']
    """
    from tracker.extract.owners import owner_label_kind

    h = _simplified(header).replace(" ", "")
    if _PROGRESS_COLUMN.search(h):
        return h
    if _TIME_COLUMN.search(h):
        return "完成时限"
    kind = owner_label_kind(h)
    if kind is None and re.fullmatch(r"(?:主要)?(?:牵头|配合|协办|参与|协助|协同|责任)", h):
        kind = owner_label_kind(h + "单位")  # a header that says only the role: 牵头 / 配合
    if kind is None:
        return h  # a measurement unit (单位), a person (牵头领导), who scores the work (评分部门)
    return {"lead_all": "牵头单位", "support": "配合单位"}.get(kind, "责任单位")


def _row_line(serial: _Line, cells: list[_Line], columns: list[str]) -> _Line:
    """One task-table row as an item line: `N.任务（牵头单位：X；配合单位：Y）（2021年底前）`.

    The task cell is the text; owner columns become one bracket of labelled fields (the owner
    grammar keeps lead and support apart and leaves other fields out); the deadline column a
    bracket of its own, as plans print it.
    """
    labels, task_at = _table_layout(tuple(columns))
    placed = _place_cells([c.raw for c in cells], list(labels), task_at)
    task = placed.get(task_at, "")
    fields: list[str] = []
    deadline = ""
    content: list[str] = []
    for i, value in sorted(placed.items()):
        if i == task_at or not value or _PROGRESS_COLUMN.search(labels[i]):
            continue  # a ledger's progress columns report on the task; they are not the task
        if labels[i] == "完成时限":
            deadline = value
        elif _CONTENT_COLUMN.search(labels[i]) and labels[i] not in ("责任单位", "牵头单位", "配合单位"):
            content.append(value)
        else:
            fields.append(f"{labels[i]}：{value}")
    if task and not _SENTENCE_END.search(task[-1]):
        task += "。"  # the cell is the task's sentence; its clauses follow it
    for value in content:
        task += value if _SENTENCE_END.search(value[-1]) else value + "。"
    raw = f"{serial.raw.rstrip('、.．')}.{task}"
    if fields:
        raw += f"（{'；'.join(fields)}）"
    if deadline:
        raw += f"（{deadline}）"
    number = serial.raw.rstrip("、.．").strip()
    if number.isdigit():  # the row's number is its serial cell: no need to read the line for one
        norm = normalise(raw)
        line = _Line(no=serial.no, raw=raw, norm=norm, match=_simplified(raw), style="arabic", label=f"{number}.",
                     value=int(number), rest=raw[len(number) + 1:].strip())
    else:
        line = _classify(serial.no, raw)
    line.table_row = True
    line.end_no = cells[-1].no if cells else serial.no
    return line


@lru_cache(maxsize=256)
def _table_layout(columns: tuple[str, ...]) -> tuple[tuple[str, ...], int]:
    """A table's column labels and its task column, worked out once per table."""
    return tuple(_column_label(c) for c in columns), _task_column(list(columns))


def _place_cells(cells: list[str], labels: list[str], task_at: int) -> dict[int, str]:
    """Column index of each cell of a row, for rows that lost their empty cells or print one
    cell over several lines (three owners, one per line).

    Cells are placed in order by what they are: a timing phrase goes to the deadline column,
    a list of units to an owner column, a person's name to a person column (分管领导), other
    text to a text column; the task column takes the first text. A cell with no column of
    its kind left joins the last one of its kind (`县水务局` / `县住建局` under one 责任单位).

    >>> _place_cells(["甲", "省公安厅", "2023年底前"], ["任务", "牵头单位", "配合单位", "完成时限"], 0)
    {0: '甲', 1: '省公安厅', 3: '2023年底前'}
    >>> _place_cells(["新建天桥。", "县水务局", "县住建局", "12月底前"], ["民生实事", "责任单位", "完成时限"], 0)
    {0: '新建天桥。', 1: '县水务局、县住建局', 2: '12月底前'}
    >>> _place_cells(["加强执法。", "徐国江", "城管局"], ["任务", "全年目标任务", "分管领导", "牵头单位"], 0)
    {0: '加强执法。', 2: '徐国江', 3: '城管局'}
    """
    from tracker.extract.deadlines import looks_like_deadline

    kinds = _column_kinds(tuple(labels))
    placed: dict[int, list[str]] = {}
    col = 0
    for k, cell in enumerate(cells):
        kind = "text" if k == 0 and task_at == 0 else _cell_kind(cell)
        if (
            kind == "text" and col > task_at and "time" in kinds[col:]
            and (_DATED.search(cell) or looks_like_deadline(cell)) and _WHEN.search(cell)
        ):
            kind = "time"  # a schedule spelt out (`①2月上旬前，完成设计招标。②3月底前…`)
        # the next column that takes this kind of cell
        at = next((j for j in range(col, len(labels)) if _takes(kinds[j], kind)), None)
        if kind == "person" and at is not None and col <= task_at < at:
            # a short word (广电) reads like a name: it does not skip the task column on that
            # evidence alone
            kind, at = "text", col
        if at is None and len(labels) - col >= len(cells) - k:
            at = col  # no column of its kind ahead, but one column for each cell left: in order
        if at is None:  # more cells than columns: it continues the last column of its kind
            at = next((j for j in range(min(col, len(labels)) - 1, -1, -1) if _takes(kinds[j], kind)), None)
            if at is None:
                if col >= len(labels):
                    break
                at = col
        placed.setdefault(at, []).append(cell)
        col = max(col, at + 1)
    return {j: ("、" if kinds[j] == "owner" else "").join(values) for j, values in sorted(placed.items())}


_DATED = re.compile(r"\d{1,2}\s*月|[上下]半年|季度|年底|年内|\d{4}\s*年")
_WHEN = re.compile(r"\d{1,2}\s*月|[上下]半年|季度|年底|年内|年末|\d{4}\s*年|[一二三四五六七八九十]+月|持续|长期|常态|全年|每[年季月周]|前$")


@lru_cache(maxsize=256)
def _column_kinds(labels: tuple[str, ...]) -> list[str]:
    return [_column_kind(label) for label in labels]


def _column_kind(label: str) -> str:
    if label == "完成时限":
        return "time"
    if label in ("责任单位", "牵头单位", "配合单位"):
        return "owner"
    if re.search("领导|责任人|联系人", label):
        return "person"
    return "text"


def _takes(column: str, cell: str) -> bool:
    """Whether a column of one kind takes a cell of another: a text column takes any text,
    the others only their own kind."""
    return column == cell or (column == "text" and cell == "text")


# People's names in a table cell: 徐国江, 俞 悦 (a two-character name spaced out to align),
# 陆 明俞 悦 (two of them).
_PERSON = re.compile(r"^[\u4e00-\u9fff]\s?[\u4e00-\u9fff]{1,2}(?:(?:\s+|[、,，]\s*)[\u4e00-\u9fff]\s?[\u4e00-\u9fff]{1,2})*$")


@lru_cache(maxsize=8192)
def _cell_kind(cell: str) -> str:
    """What a table cell holds: `time` (a deadline phrase), `owner` (a list of units),
    `person` (names: `徐国江`, `陆 明俞 悦`), else `text`."""
    from tracker.extract.deadlines import looks_like_deadline
    from tracker.extract.owners import unit_list_names

    t = cell.strip()
    if len(t) <= 40 and looks_like_deadline(t) and not _SENTENCE_END.search(t.rstrip("。")) and _WHEN.search(t):
        return "time"  # (a cell with only 完成 in it is a task: 完成非遗展厅布展任务)
    if len(t) <= 200 and unit_list_names(t):
        return "owner"
    if _PERSON.match(t):
        return "person"
    return "text"


def _flatten_task_tables(lines: list[_Line]) -> list[_Line]:
    """Rewrite task tables (序号 / 任务 / 责任单位 / 完成时限 …) as one item line per row.

    Word tables and web tables reach the grammar one cell per line (see
    :mod:`tracker.extract.reading`), some with the `|` of a rendered table left after each
    cell; text copies keep a row per line, its cells apart by tabs or by spaces (`序号 工 作
    任 务 牵头负责部门` / `1 居民消费价格涨幅3%左右 发展改革委`). A table is recognised by
    its header: 序号 then column names. Rows are numbered on; a row holds at most one line
    per column, since empty cells are dropped.
    """
    lines = [_without_cell_bar(line) for line in lines]
    out: list[_Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        cells = _row_cells(line.raw)
        if len(cells) >= 3 and _SERIAL_HEAD.match(cells[0].replace(" ", "")) and _task_header(cells[1:]):
            i = _tab_rows(lines, i + 1, [c.replace(" ", "") for c in cells[1:]], out)
            continue
        spaced = _spaced_header(line.raw) if line.raw[:1] in "序编" else None
        if spaced is not None and _task_header(spaced):
            i = _spaced_rows(lines, i + 1, spaced, out)
            continue
        at = line.raw.rfind(" 序号 ")  # `…附件：任务分解表 序号 名称 工作任务 牵头责任单位`, run on
        spaced = _spaced_header(line.raw[at + 1 :]) if at > 0 else None
        if spaced is not None and _task_header(spaced):
            out.append(_classify(line.no, line.raw[:at].strip()))
            i = _spaced_rows(lines, i + 1, spaced, out)
            continue
        unnumbered = _unnumbered_header(lines, i)
        if unnumbered is not None:
            columns, j = unnumbered
            i = _cell_rows(lines, j, columns, out)
            continue
        if _SERIAL_HEAD.match(line.match):
            columns = []
            j = i + 1
            while j < len(lines) and len(columns) < 12:
                cell = lines[j].raw
                if cell and columns and re.fullmatch(r"[（(][^（()）]{1,6}[）)]", cell):
                    columns[-1] += cell  # `责任股室` / `(单位)`: a header printed over two lines
                    j += 1
                elif cell and _is_header_cell(cell, columns):
                    columns.append(cell)
                    j += 1
                elif not cell:
                    j += 1
                else:
                    break
            if len(columns) >= 2 and _task_header(columns):
                i = _cell_rows(lines, j, columns, out)
                continue
        out.append(line)
        i += 1
    return out


def _is_header_cell(cell: str, columns: list[str]) -> bool:
    """A table header cell: a short name, not a number or a sentence, made of column words
    (任务, 责任单位, 完成时限 …, or a ledger's `1-10月推进情况`, `是否达序`); only the task
    column may have a name of its own (民生实事). A group cell printed before the first row
    (`农业高质高效`) is no column."""
    word = _simplified(cell).replace(" ", "")
    if not word or len(word) > 14 or _SERIAL.match(cell) or _SENTENCE_END.search(word):
        return False
    if _COLUMN.search(word) or _LATER_COLUMN.search(word):
        return True
    return len(columns) == 0 and len(word) <= 8  # the task column may have its own name (民生实事)


_ROW_SEPARATOR = re.compile(r"\t|\s*\|\s*")


def _row_cells(raw: str) -> list[str]:
    """The cells of a table row printed on one line: apart by tabs, or by the `|` of a
    rendered table (`1 | 启动新安综合体建设。 | ①2月上旬前…|`); [] for any other line."""
    if "\t" in raw:
        return [c.strip() for c in raw.split("\t")]
    if raw.count("|") < 2:
        return []
    cells = [c.strip() for c in _ROW_SEPARATOR.split(raw.strip().strip("|"))]
    return cells


_CELL_BAR = re.compile(r"\s*\|\s*$")


def _without_cell_bar(line: _Line) -> _Line:
    """A cell line of a rendered web table without the `|` left after it (`序号 |`)."""
    if not line.raw.endswith("|") or line.raw.count("|") != 1:
        return line
    return _classify(line.no, _CELL_BAR.sub("", line.raw))


def _spaced_header(raw: str) -> list[str] | None:
    """The columns of a table header whose cells are apart by spaces, or None.

    Letters spaced out to fill a cell are one word again: `序号 工 作 任 务 牵头负责部门`.

    >>> _spaced_header("序号 工 作 任 务 牵头负责部门"), _spaced_header("序号")
    (['工作任务', '牵头负责部门'], None)
    """
    tokens = raw.split()
    if len(tokens) < 3 or not _SERIAL_HEAD.match(tokens[0]):
        return None
    words: list[str] = []
    run = ""
    for token in tokens[1:]:
        if len(token) == 1:
            run += token
            continue
        if run:
            words.append(run)
            run = ""
        words.append(token)
    if run:
        words.append(run)
    if len(words) < 2 or not all(len(w) <= 12 and _COLUMN.search(_simplified(w)) for w in words):
        return None
    return words


_SPACED_ROW = re.compile(r"^(\d{1,3})\s+(\S.*)$")


def _spaced_rows(lines: list[_Line], i: int, columns: list[str], out: list[_Line]) -> int:
    """Rows of a space-separated task table: the serial, the task (which may hold spaces),
    then one word per remaining column (units and dates hold none)."""
    expected: int | None = None
    held: list[_Line] = []  # headings read since the last row, placed once a row follows
    start = i
    while i < len(lines):
        line = lines[i]
        if not line.raw:
            i += 1
            continue
        m = _SPACED_ROW.match(line.raw)
        if m is None and line.style in ("cn", "pcn") and _is_heading(line):
            held.append(line)  # `二、重点工作任务分解（127项）`: a group of rows, numbered anew
            expected = None
            i += 1
            continue
        if not m or (expected is not None and int(m.group(1)) != expected and m.group(1) != "1"):
            break
        expected = int(m.group(1)) + 1
        cells = _spaced_cells(m.group(2), len(columns))
        row = _classify(line.no, m.group(1))
        parts = [_Line(no=line.no, raw=c, norm=normalise(c)) for c in cells]
        out.extend(held)
        held = []
        out.append(_row_line(row, parts, columns))
        i += 1
        start = i
    return start  # headings after the last row are the text's, read on from them


def _spaced_cells(text: str, columns: int) -> list[str]:
    """A space-separated row's cells: the task, then one word per later column, taken right
    to left. A word that ends a sentence belongs to the task (`…比重47.1%. 发改委`): the row
    holds fewer cells than the header names, as an empty cell prints nothing.

    >>> _spaced_cells("增长7%. 比重47%. 发改委", 3), _spaced_cells("推进 改革 发改委 2021年底前", 3)
    (['增长7%. 比重47%.', '发改委'], ['推进 改革', '发改委', '2021年底前'])
    """
    tokens = text.split()
    tail: list[str] = []
    while len(tokens) > 1 and len(tail) < columns - 1:
        if tail and tokens[-1][-1] in "。；;！!？?.．":
            break
        tail.insert(0, tokens.pop())
    return [" ".join(tokens), *tail] if tail else [text]


def _header_run(lines: list[_Line], j: int) -> tuple[list[str], int]:
    """The column names from line index ``j`` on (one per line) and where they end."""
    columns: list[str] = []
    while j < len(lines) and len(columns) < 12:
        cell = lines[j].raw
        if cell and columns and re.fullmatch(r"[（(][^（()）]{1,6}[）)]", cell):
            columns[-1] += cell  # `责任股室` / `(单位)`: a header printed over two lines
        elif cell and _is_header_cell(cell, columns) and (columns or _COLUMN.search(_simplified(cell))):
            columns.append(cell)
        elif cell:
            break
        j += 1
    return columns, j


def _is_column_word(raw: str) -> bool:
    """A short header cell made of column words (工作任务, 责任科室), not a title that holds
    one (`某局政务公开重点任务清单`)."""
    word = _simplified(raw).replace(" ", "")
    return 2 <= len(word) <= 8 and bool(_COLUMN.search(word)) and not _DOC_TYPE.search(word)


def _unnumbered_header(lines: list[_Line], i: int) -> tuple[list[str], int] | None:
    """A table whose header has no 序号 cell (`工作任务 | 具体要求 | 责任科室 | 时限要求`) while
    its rows are numbered after a grouping cell (`强化…公开` / `1` / `对…清理` / `办公室` / …).
    The grouping column's cells become the rows' headings, so the columns are the rest."""
    if _SERIAL_HEAD.match(lines[i].match) or not _is_column_word(lines[i].raw):
        return None
    before = next((ln for ln in reversed(lines[max(0, i - 4) : i]) if ln.raw), None)
    if before is not None and _is_column_word(before.raw):
        return None  # not the first cell of the header
    columns, j = _header_run(lines, i)
    forms = [_simplified(c).replace(" ", "") for c in columns]
    if len(columns) < 3 or any(_SERIAL_HEAD.match(f) for f in forms) or not any(_OWNER_COLUMN.search(f) for f in forms):
        return None  # (a header with 序号 is read by the numbered-header rule)
    if not any(_TIME_COLUMN.search(f) or _TASK_COLUMN.search(f) for f in forms):
        return None
    rows = [ln for ln in lines[j : j + 8] if ln.raw]
    if len(rows) < 2 or not _SERIAL.match(rows[1].raw) or _SERIAL.match(rows[0].raw) or not _group_cell(lines, j + lines[j:].index(rows[0]), None):
        return None
    return columns[1:], j


def _task_header(columns: list[str]) -> bool:
    """Whether a table's columns are a task list: a column names the task, or an owner
    column stands beside a target or deadline column (`2022年预期目标` / `责任单位`,
    `民生实事` / `责任单位` / `完成时限`); targets alone are an indicator table
    (:mod:`tracker.extract.indicators`)."""
    forms = [_simplified(c).replace(" ", "") for c in columns]
    if any(_TASK_COLUMN.search(f) for f in forms):
        return True
    owner = any(_OWNER_COLUMN.search(f) for f in forms)
    return owner and any(_TARGET_COLUMN.search(f) or _TIME_COLUMN.search(f) for f in forms)


def _task_column(columns: list[str]) -> int:
    """Index of the column that names the task: a named task (任务, 举措, 事项, 项目) before
    a content column (主要内容), which then holds the task's text.

    >>> _task_column(["改革举措", "主 要 内 容", "指导部门"]), _task_column(["主要内容", "责任单位"])
    (0, 0)
    """
    forms = [_simplified(c).replace(" ", "") for c in columns]
    named = next((i for i, f in enumerate(forms) if _TASK_COLUMN.search(f) and not _CONTENT_COLUMN.search(f)), None)
    if named is not None:
        return named
    content = next((i for i, f in enumerate(forms) if _TASK_COLUMN.search(f)), None)
    if content is not None:
        return content
    return next((i for i, f in enumerate(forms) if _TARGET_COLUMN.search(f)), 0)


def _tab_rows(lines: list[_Line], i: int, columns: list[str], out: list[_Line]) -> int:
    """Rows of a tab-separated task table from line index ``i``; returns where it ends."""
    while i < len(lines):
        line = lines[i]
        if not line.raw:
            i += 1
            continue
        cells = _row_cells(line.raw)
        if len(cells) >= 2 and not _SERIAL.match(cells[0]) and _next_row_follows(lines, i + 1):
            i += 1  # a row's second line (`新增学位810个 | |||||`): the row before holds it
            continue
        if len(cells) < 2 or not _SERIAL.match(cells[0]):
            break
        row = _Line(no=line.no, raw=cells[0], norm=cells[0])
        parts = [_Line(no=line.no, raw=c, norm=normalise(c)) for c in cells[1:]]
        out.append(_row_line(row, parts, columns))
        i += 1
    return i


def _next_row_follows(lines: list[_Line], i: int) -> bool:
    """Whether the next printed line of a one-row-per-line table is a numbered row."""
    nxt = next((ln for ln in lines[i:] if ln.raw), None)
    cells = _row_cells(nxt.raw) if nxt is not None else []
    return bool(cells) and bool(_SERIAL.match(cells[0]))


def _cell_rows(lines: list[_Line], i: int, columns: list[str], out: list[_Line]) -> int:
    """Rows of a one-cell-per-line task table from line index ``i``; returns where it ends.

    Rows are numbered on (1, 2, 3 …); a heading row between them (`一、知识产权保护方面
    （共5项）`) is kept as a heading, and the numbering may skip after it (rows removed from
    a published version: `本文有删减`).
    """
    expected: int | None = None  # a table cut from a longer one starts where the excerpt does
    after_heading = False
    while i < len(lines):
        while i < len(lines) and not lines[i].raw:
            i += 1
        if i >= len(lines):
            break
        line = lines[i]
        if line.style is not None and _is_heading(line):
            out.append(line)
            after_heading = True
            i += 1
            continue
        if line.style is None and _group_cell(lines, i, expected):
            out.append(_group_heading(line))  # `农业高质高效` before its rows: their section
            after_heading = True
            i += 1
            continue
        m = _SERIAL.match(line.raw)
        if not m or not (expected is None or int(m.group(1)) == expected or (after_heading and int(m.group(1)) > expected)):
            break
        expected = int(m.group(1))
        after_heading = False
        serial = line
        i += 1
        # The row's cells run to the next row's number; a cell printed over several lines
        # (three owners, one per line) is put back together by _place_cells.
        end, seen = i, 0
        while end < len(lines) and seen <= 3 * len(columns):
            cell = lines[end]
            nxt = _SERIAL.match(cell.raw)
            if (nxt and int(nxt.group(1)) == expected + 1) or (cell.style is not None and _is_heading(cell)):
                break
            if cell.style is None and seen >= len(columns) and _group_cell(lines, end, expected + 1):
                break  # the row is full: a short line before the next number groups the next rows
            seen += bool(cell.raw)
            end += 1
        else:  # no next row in reach: the last row, one line per column
            end = i
            while end < len(lines) and sum(1 for ln in lines[i:end] if ln.raw) < len(columns):
                end += 1
        cells = [_empty_cell(c) if set(c.raw) <= {"|", " "} else c for c in lines[i:end] if c.raw]
        i = end
        out.append(_row_line(serial, cells, columns))
        expected += 1
    return i


def _group_cell(lines: list[_Line], i: int, expected: int | None) -> bool:
    """A short unnumbered line right before the next row's number: a merged cell of a
    grouping column (考核项目 / 农业高质高效) printed once, before the rows it groups."""
    raw = lines[i].raw
    if not raw or len(raw) > 24 or _SENTENCE_END.search(raw) or _SERIAL.match(raw) or _cell_kind(raw) != "text":
        return False  # (a row's last cell, a deadline or units or a name, is no group)
    nxt = next((ln for ln in lines[i + 1 :] if ln.raw), None)
    m = _SERIAL.match(nxt.raw) if nxt is not None else None
    return m is not None and (expected is None or int(m.group(1)) == expected)


def _group_heading(line: _Line) -> _Line:
    """A group cell as a heading line of its own style (it nests the rows after it)."""
    return _Line(no=line.no, raw=line.raw, norm=line.norm, match=line.match, style="group", label="", rest=line.raw)


def _empty_cell(line: _Line) -> _Line:
    """`||`: a rendered table's empty cell, kept so the cells after it stay in their columns."""
    return _Line(no=line.no, raw="", norm="")


# --------------------------------------------------------------------------- walking


@dataclass(eq=False)
class _Node:
    """A numbered line of the outline, with the lines that continue it and the numbered
    lines nested under it; what it is (heading, item, part of an item) is decided once the
    whole plan is read (:func:`_decide`)."""

    line: _Line
    parent: _Node | None
    bare: bool  # a bare phrase (`二、重点工作`): a heading by its form
    text: str  # as printed: the text after the number, then its continuation lines
    label: str  # the heading label shown in a section path
    line_end: int
    children: list[_Node] = field(default_factory=list)
    body: list[str] = field(default_factory=list)  # prose paragraphs after the numbered line
    role: str = ""  # "heading", "item", or "part" (merged into the item above it)


def _walk(plan: ParsedPlan, lines: list[_Line], *, headed_items: bool = False) -> None:
    """Read a plan's lines into an outline, decide headings and items, emit the items.

    ``headed_items``: every bare heading over prose is an item (a plan made only of such
    headings: `一、落实责任，确保质量` / `各责任单位要…`)."""
    nodes, loose = _outline(plan, lines)
    _decide(nodes, headed_items=headed_items)
    _emit(plan, nodes, loose)


def _headed_prose_shape(plan: ParsedPlan, lines: list[_Line]) -> bool:
    """Whether a plan with no items reads as headings over their text (a notice's
    requirements, `（一）大力引育人才` over its paragraphs), rather than as a 规划 of chapters
    and boxes (第一章, 专栏1) whose sections hold headline paragraphs, each a task (read in
    paragraph mode: `完善司法保护体制机制。…`)."""
    nodes, _ = _outline(ParsedPlan(plan.title, None, None, None, [], ""), lines)
    if any(n.line.style in ("chapter", "box") for n in nodes):
        return False  # chapters and boxes: a 规划 of headline paragraphs
    return any(n.bare and not n.children and n.body for n in nodes)


def _outline(plan: ParsedPlan, lines: list[_Line]) -> tuple[list[_Node], list[tuple[int, str]]]:
    """The numbered lines of a plan as a tree (a style stack: a line of a style already on
    the stack closes everything from it down), each with the prose that continues it.

    Returns the nodes in document order and the prose lines that continue none, each with
    the index of the node they follow (-1 before the first): the preamble, and closing text.
    """
    nodes: list[_Node] = []
    stack: list[_Node] = []
    loose: list[tuple[int, str]] = []
    open_node: _Node | None = None
    heading_lines = [ln for ln in lines if ln.style and _is_heading(ln)]
    for idx, line in enumerate(lines):
        if not line.raw:
            continue
        if idx % 512 == 0:
            budget.check()
        if _NOISE.search(line.match) and line.style is None:
            open_node = None
            continue
        if line.style is not None:
            for i, n in enumerate(stack):
                if n.line.style == line.style:
                    del stack[i:]
                    break
            if line.table_row:  # a table's rows are tasks under its heading, not under an item
                while stack and not stack[-1].bare and not stack[-1].line.table_row:
                    stack.pop()
            parent = stack[-1] if stack else None
            new = _Node(
                line=line, parent=parent, bare=_is_heading(line), text=line.rest, label=_heading_label(line),
                line_end=max(line.no, line.end_no),
            )
            if parent is not None:
                parent.children.append(new)
            stack.append(new)
            nodes.append(new)
            open_node = new
            continue
        # An unnumbered short line between two items is a heading that lost its number.
        if (
            open_node is not None
            and not open_node.bare
            and not is_cut(open_node.text)
            and _looks_like_title(line.raw)
            and _next_is_item(lines, idx)
        ):
            nxt = next((h for h in heading_lines if h.no > line.no), None)
            open_node = None
            _orphan_heading(plan, stack, nodes, line, nxt)
            continue
        field_line = bool(_FIELD_LINE.match(line.match)) or _is_clause_line(line.raw)
        node = open_node
        if node is not None and not field_line and _continues_cut(node) and (node.body or not node.bare):
            node.text += line.raw
            if node.body:
                node.body[-1] += line.raw
            plan.page_breaks.append(line.no)
            node.line_end = line.no
        elif node is not None and (field_line or (is_prose(line.raw) and not _ends_with_annotation(node))):
            node.text += "\n" + line.raw
            node.body.append(line.raw)
            node.line_end = line.no
        else:
            open_node = None
            if is_prose(line.raw):
                loose.append((len(nodes) - 1, line.raw))
    return nodes, loose


def _is_clause_line(raw: str) -> bool:
    """A line that is one bracket of owners or timing (`（2023年6月底前完成）`,
    `(责任单位：县教育局)`): the fields of the item above it, printed on a line of their own."""
    t = raw.strip()
    spans = _bracket_spans(t)
    if len(spans) != 1 or spans[0] != (0, len(t)) or len(t) > 200:
        return False
    if _FULL_DATE.search(t) and not re.search(r"前|底|末|完成|止|单位|部门|负责|牵头", _simplified(t)):
        return False  # a dateline (`(2020年10月19日,云南日报)`), not a deadline
    return _annotated(t)


def _ends_with_annotation(node: _Node) -> bool:
    """Whether a run-in item closes with its owner or deadline bracket (`…。（X负责）`).

    The genre ends an item with its annotation, so the prose after it is not the item's:
    it is a note to the section or the document's closing text."""
    if node.bare:
        return False
    last = node.text.rstrip(" 。.\n").rsplit("\n", 1)[-1]
    spans = _bracket_spans(last)
    return bool(spans) and spans[-1][1] >= len(last) and _annotated(last[spans[-1][0] :])


def _continues_cut(node: _Node) -> bool:
    """Whether the next line is the rest of the node's last paragraph, cut by a page break.
    A field line (`牵头单位：区发改局`) is complete however it ends."""
    last = node.text.rsplit("\n", 1)[-1]
    return is_cut(node.text) and not _FIELD_LINE.match(_simplified(last))


def _orphan_heading(plan: ParsedPlan, stack: list[_Node], nodes: list[_Node], line: _Line, nxt: _Line | None) -> None:
    """A bare line between items: a heading that lost its number (Yunyang's 四、) takes the
    place of the innermost heading, its number restored from the headings around it."""
    k = next((i for i in range(len(stack) - 1, -1, -1) if stack[i].bare), None)
    if k is None:
        return
    old = stack[k]
    style, value = old.line.style, old.line.value
    label = line.raw
    if style == "cn" and value is not None and nxt is not None and nxt.style == style and nxt.value == value + 2:
        restored = _int_to_cn(value + 1)
        label = f"{restored}、{line.raw}"
        plan.repairs.append(f"第{line.no}行：标题缺少序号，已按上下文补为“{restored}、” / heading number restored")
    synthetic = _Line(no=line.no, raw=line.raw, norm=line.norm, match=line.match, style=style, label="",
                      value=(value + 1) if value is not None else None, rest=line.raw)
    node = _Node(line=synthetic, parent=old.parent, bare=True, text=line.raw, label=label, line_end=line.no,
                 role="heading")
    if old.parent is not None:
        old.parent.children.append(node)
    del stack[k:]
    stack.append(node)
    nodes.append(node)


def _next_is_item(lines: list[_Line], idx: int) -> bool:
    for ln in lines[idx + 1:]:
        if not ln.raw:
            continue
        return ln.style is not None and not _is_heading(ln)
    return False


def _decide(nodes: list[_Node], *, headed_items: bool = False) -> None:
    """Heading, item or part of an item, for every node of the outline.

    * chapters and boxes are headings, and so is a bare phrase with lines nested under it;
    * a bare phrase followed only by prose is an item — its title on one line, its text on
      the next (`1.加强组织领导` / `各地要…`) — where that style numbers items elsewhere in
      the plan or the prose carries an owner or a deadline; otherwise it heads the prose;
    * a sentence with nothing nested is an item;
    * a sentence with lines nested under it is a *run-in heading* (`（一）产业提升人才行动
      计划。围绕…：`) when the nested items carry the owners and deadlines and it carries
      none; the nested lines are *parts* of it (its sub-items) when it carries them and they
      do not, or when it states principles (`（二）基本原则。` / `1.问题导向。…`); else both
      are items.
    """
    item_styles = {
        n.line.style for n in nodes if not n.bare and not n.children and n.line.style not in ("chapter", "box")
    }
    # Whether a node's own text, or any node under it, carries owners or a deadline: asked
    # only where the verdict depends on it (most items are plain leaves, and reading every
    # text for owners and deadlines here would read it twice).
    marked: dict[int, bool] = {}

    def below(n: _Node) -> bool:
        for c in n.children:
            if id(c) not in marked:
                marked[id(c)] = _annotated(c.text) or below(c)
            if marked[id(c)]:
                return True
        return False

    for n in reversed(nodes):
        if n.role:  # a restored heading
            continue
        if n.children and n.line.style not in ("chapter", "box") and _closes_the_list(n):
            # `1.完善应急预案体系` / `（1）…` … `（4）…` / `（责任单位：…）`: the owners printed
            # after the last sub-item are the item's, and the sub-items are parts of it.
            n.role = "item"
            for d in _descendants(n):
                d.role = "part"
        elif n.line.style in ("chapter", "box") or (n.bare and n.children):
            n.role = "heading"
        elif n.bare:
            headed = n.body and (headed_items or n.line.style in item_styles or _annotated(n.text))
            n.role = "item" if headed else "heading"
        elif not n.children:
            n.role = "item"
        elif _is_principles(_run_in_title(n.text)):
            n.role = "item"
            for d in _descendants(n):
                d.role = "part"
        else:
            own, under = _annotated(n.text), below(n)
            if own and not under:
                n.role = "item"
                for d in _descendants(n):
                    d.role = "part"
            elif under and not own:
                n.role = "heading"
                n.label = f"{n.line.label}{_run_in_title(n.text)}"
            else:
                n.role = "item"
    # A part's own verdict above (taken before its parent's) gives way to the parent's.
    for n in nodes:
        if n.parent is not None and n.parent.role == "part":
            n.role = "part"
    # Sibling lists: the nodes of one style under one parent (grouped once: a plan of
    # thousands of lines must not compare each with all the others).
    families: dict[tuple[int, str | None], list[_Node]] = {}
    for n in nodes:
        families.setdefault((id(n.parent), n.line.style), []).append(n)
    # A list of bare phrases under a heading, none with anything under it (`四、工作要求` /
    # `1.加强组织领导` / `2.抓好队伍建设`), is a list of short tasks, not of empty headings.
    for (parent, _), family in families.items():
        if parent == id(None) or len(family) < 2:
            continue
        if all(m.role == "heading" and m.bare and not m.children and not m.body for m in family):
            for m in family:
                m.role = "item"
    # A bare title sentence with nothing under it, among siblings that head items
    # (`（一）弘扬就业创业精神。` beside `（三）激活创业主体。` over `7.…`), is a heading whose
    # items the page left out, not a task.
    for family in families.values():
        headings = sum(m.role == "heading" for m in family)
        for n in family:
            if n.role == "item" and not n.bare and not n.children and not n.body and _title_only(n.text):
                others = len(family) - 1
                if others and headings * 2 > others:
                    n.role = "heading"


def _closes_the_list(node: _Node) -> bool:
    """Whether the only annotation under a node is printed after its last sub-item, on a
    line of its own: it annotates the list, not the last entry of it."""
    kids = node.children
    if len(kids) < 2 or any(k.children for k in kids) or _annotated(node.line.rest):
        return False
    last = kids[-1]
    if not last.body or _annotated(last.line.rest) or not _annotated(last.body[-1]):
        return False
    return not any(_annotated(k.text) for k in kids[:-1])


def _descendants(node: _Node) -> list[_Node]:
    out: list[_Node] = []
    todo = list(node.children)
    while todo:
        n = todo.pop(0)
        out.append(n)
        todo[0:0] = n.children
    return out


def _emit(plan: ParsedPlan, nodes: list[_Node], loose: list[tuple[int, str]]) -> None:
    """The plan's items from the decided outline, in document order; the prose before the
    first item is the preamble (targets and general requirements are read from it)."""
    first_item = next((i for i, n in enumerate(nodes) if n.role == "item"), len(nodes))
    preamble = [text for at, text in loose if at < first_item]
    for n in nodes[:first_item]:
        preamble.extend(n.body)
    last_item = max((i for i, n in enumerate(nodes) if n.role == "item"), default=-1)
    for i, n in enumerate(nodes):
        if n.role != "item":
            continue
        text, line_end = n.text, n.line_end
        for d in _descendants(n):
            if d.role == "part":
                text += f"\n{d.line.label}{d.text}"
                line_end = max(line_end, d.line_end)
        if i == last_item:
            text, line_end = _without_closing(n, text, line_end)
        section: list[str] = []
        up = n.parent
        while up is not None:
            if up.role == "heading":
                section.append(up.label)
            up = up.parent
        if any(_principles_heading(label) for label in section):
            continue  # 二、基本原则 / （一）坚持…: principles, not work to track
        plan.items.append(ParsedItem(
            number=re.sub(r"[、．.﹒]$", "", n.line.label),
            value=n.line.value,
            style=n.line.style or "",
            section=section[::-1],
            text=text,
            line_start=n.line.no,
            line_end=line_end,
        ))
    plan.preamble = "\n".join(preamble)


def _without_closing(node: _Node, text: str, line_end: int) -> tuple[str, int]:
    """The last item of a plan without the plan's closing paragraphs.

    Unnumbered paragraphs after the last item that address the whole document (`各地区、
    各部门要…`, `各省（自治区、直辖市）…`, `未纳入试点范围的…可参照本方案`) belong to no
    item; the paragraph that opens them and every one after it are left out.
    """
    for k, para in enumerate(node.body):
        if _CLOSING.search(_simplified(para)):
            cut = text.rfind("\n" + para)
            if cut < 0:
                break
            return text[:cut], max(node.line.no, line_end - (len(node.body) - k))
    return text, line_end


# How closing paragraphs open: the addressees of the whole document, or the document itself.
_CLOSING = re.compile(
    r"^(?:各地区|各地|各部门|各省|各市|各县|各区|各级|各有关|各相关|有关部门|有关地区|国务院各|"
    r"地方各级|未纳入|以上|上述|本(?:意见|方案|通知|计划|规划|办法)|自本)"
    r"|本(?:意见|方案|通知|计划|规划|办法)(?:自|由|所称|未尽|执行|实施)"
)


def _title_only(text: str) -> bool:
    """A numbered line that is only a short title sentence (`弘扬就业创业精神。`)."""
    t = text.strip()
    return len(t) <= 20 and t.endswith("。") and not _SENTENCE_END.search(t[:-1]) and not _annotated(t)


_RUN_IN_END = re.compile(r"[。：:；;]")


def _run_in_title(text: str) -> str:
    """The run-in title of a numbered sentence: its text up to the first 。or ：.

    >>> _run_in_title("产业提升人才行动计划。围绕发展战略性主导产业…"), _run_in_title("基本原则。")
    ('产业提升人才行动计划', '基本原则')
    """
    m = _RUN_IN_END.search(text)
    return (text[: m.start()] if m else text.split("\n", 1)[0]).strip()


_PRINCIPLES = re.compile(r"^.{0,4}原则$")


@lru_cache(maxsize=4096)
def _principles_heading(label: str) -> bool:
    """Whether a heading label (`二、基本原则`) heads principles; remembered per label."""
    return _is_principles(_heading_text(label))


def _is_principles(title: str) -> bool:
    """`基本原则`, `工作原则`: a list of principles, not of work to track."""
    return bool(_PRINCIPLES.match(_simplified(title).strip()))


@lru_cache(maxsize=8192)
def _annotated(text: str) -> bool:
    """Whether a text states owners or a deadline: an owner clause, a timing bracket, or a
    dated deadline in its sentences."""
    from tracker.extract.deadlines import in_sentence_deadline, looks_like_deadline
    from tracker.extract.owners import find_owner_clauses

    if find_owner_clauses(text):
        return True
    for start, end in _bracket_spans(text):
        if looks_like_deadline(text[start + 1 : end - 1]):
            return True
    return in_sentence_deadline(text, None) is not None


_BRACKET_CHARS = re.compile(r"[（(〔【）)〕】]")


def _bracket_spans(text: str) -> list[tuple[int, int]]:
    """Top-level bracket groups of a text, as (start, end) spans."""
    spans: list[tuple[int, int]] = []
    depth, start = 0, 0
    for m in _BRACKET_CHARS.finditer(text):
        if m.group() in "（(〔【":
            if depth == 0:
                start = m.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                spans.append((start, m.end()))
    return spans


# Chapters and sections that set the scene rather than assign work: in a plan without
# numbered tasks their paragraphs are background, guiding ideas and targets, not tasks.
# The heading is the word itself, or the word after a short qualifier (规划背景, 编制背景);
# `夯实知识产权高质量发展基础` is a chapter of work that merely ends like one.
_CONTEXT_HEADING = re.compile(
    r"^.{0,4}(背景|总体要求|指导思想|基本原则|工作原则|主要目标|发展目标|总体目标|工作目标|目标要求|"
    r"发展基础|面临形势|发展形势|发展环境|发展现状|现状|重要意义|总体思路)$"
)
_TABLE_ROW = re.compile(r"\t.*\t")


def is_context(section: list[str]) -> bool:
    """Whether a heading path lies in a scene-setting chapter or section (its items state
    aims and principles, not work with a deadline).

    >>> is_context(["第一章 规划背景", "一、发展基础"]), is_context(["第四章 强化保护", "二、加强司法保护"])
    (True, False)
    >>> is_context(["第六章 夯实知识产权高质量发展基础"]), is_context(["第二章 总体要求", "三、主要目标"])
    (False, True)
    """
    return any(_is_context_label(label) for label in section)


@lru_cache(maxsize=8192)
def _is_context_label(label: str) -> bool:
    """One heading of :func:`is_context`, remembered: every task of a section asks again."""
    return bool(_CONTEXT_HEADING.search(_simplified(_heading_text(label))))


@lru_cache(maxsize=8192)
def _heading_text(label: str) -> str:
    """A heading label without its number: `第一章 规划背景` → `规划背景`, `三、主要目标` → `主要目标`."""
    line = _classify(0, label)
    return line.rest.strip() if line.style is not None else label.strip()


def _paragraph_number(stack: list[tuple[str, str, int | None]], index: int) -> str:
    """The reference of a paragraph task: its headings' numbers and its place under them.

    `4.2.1` is the first paragraph of 第四章 二、; `专栏3.2` the second action of box 3 (boxes
    are numbered through the whole plan).

    >>> _paragraph_number([("chapter", "", 4), ("cn", "", 2)], 1)
    '4.2.1'
    >>> _paragraph_number([("chapter", "", 4), ("cn", "", 3), ("box", "", 3)], 2)
    '专栏3.2'
    """
    box = next((value for style, _, value in reversed(stack) if style == "box"), None)
    if box is not None:
        return f"专栏{box}.{index}"
    parts = [str(value) for _, _, value in stack if value is not None]
    return ".".join([*parts, str(index)])


def _walk_paragraphs(plan: ParsedPlan, lines: list[_Line]) -> None:
    """Paragraph mode, for plans that number headings but not tasks (a 十四五 plan).

    Every prose paragraph under a section is a task, its first sentence the headline
    (`完善知识产权司法保护体制机制。…`). Paragraphs before the first heading and under
    scene-setting headings (:func:`is_context`) are the preamble; table rows (tab-separated
    cells, an indicator table) and short unpunctuated lines are not paragraphs. A box
    (专栏N) holds the paragraphs after it until the next heading: a flattened text keeps no
    mark of where the box frame ended.
    """
    plan.items.clear()
    plan.page_breaks.clear()
    stack: list[tuple[str, str, int | None]] = []
    preamble: list[str] = []
    count = 0  # paragraphs under the innermost heading
    open_item: ParsedItem | None = None
    for line in lines:
        if not line.raw:
            continue
        if line.style is not None:
            open_item = None
            for i, (style, _, _) in enumerate(stack):
                if style == line.style:
                    del stack[i:]
                    break
            stack.append((line.style, _heading_label(line), line.value))
            count = 0
            continue
        if _NOISE.search(line.match) or _TABLE_ROW.search(line.raw):
            open_item = None
            continue
        if open_item is not None and is_cut(open_item.text):
            _join_cut(open_item, line, plan)
            continue
        if open_item is not None and _FIELD_LINE.match(line.match):
            open_item.text += "\n" + line.raw
            open_item.line_end = line.no
            continue
        open_item = None
        section = [label for _, label, _ in stack]
        paragraph = is_prose(line.raw) or (len(line.raw) >= 30 and is_cut(line.raw))
        if not stack or is_context(section):
            if paragraph:
                preamble.append(line.raw)
            continue
        if not paragraph or line.match.rstrip().endswith(":"):
            continue
        count += 1
        open_item = ParsedItem(
            number=_paragraph_number(stack, count),
            value=None,
            style="paragraph",
            section=section,
            text=line.raw,
            line_start=line.no,
            line_end=line.no,
        )
        plan.items.append(open_item)
    plan.preamble = "\n".join(preamble)
