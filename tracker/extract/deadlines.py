"""Deadline phrases of Chinese implementation plans, turned into tagged values.

Plans state timing in a small, stable vocabulary: a date (`2020年12月底前完成`), a window
(`2022年11月—2025年3月`), an open-ended duty (`持续推进`), an event trigger
(`上位法出台后及时启动修订工作`), a recurrence (`每季度`) or several staged dates in one
sentence. A coordinator needs the kind as much as the date: a trigger must never be shown as
overdue, and an omitted year must never be guessed. So every phrase becomes a
:class:`Deadline` whose ``raw`` is exactly what was printed, and whatever is not understood is
returned as ``kind="unknown"`` rather than dropped or invented.

Matching is done on a folded copy of the text (full-width ASCII to half-width, whitespace
removed) that keeps a map back to the original characters, so spans reported by
:func:`find_deadlines` point into the text as printed.
"""

from __future__ import annotations

import calendar
import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from tracker.extract.numerals import cn_to_int, fold_width, normalise

__all__ = [
    "Deadline",
    "DeadlineKind",
    "find_deadlines",
    "in_sentence_deadline",
    "looks_like_deadline",
    "parse_deadline",
]

DeadlineKind = Literal["date", "window", "ongoing", "trigger", "recurring", "relative", "unknown"]
Recurrence = Literal["yearly", "half-yearly", "quarterly", "monthly", "weekly"]


@dataclass(frozen=True)
class Deadline:
    """One deadline phrase and what it means.

    ``due`` is the last day by which the work must be done; ``start`` is only set for windows
    (and phases). ``milestones`` lists every date when a phrase stages several; ``due`` is then
    the last of them. A *relative* horizon (`5年内`, `本意见印发之日起30日内`) has no date:
    ``relative`` holds its span as printed (`30日`), for a coordinator to turn into one.
    """

    kind: DeadlineKind
    raw: str
    due: date | None = None
    start: date | None = None
    ongoing: bool = False
    condition: str | None = None
    recurrence: str | None = None
    milestones: tuple[date, ...] = ()
    relative: str | None = None


# --------------------------------------------------------------------------- grammar

_CN_DIGITS = "〇零○一二三四五六七八九"
# Characters that, right before a bare 年, make it a duration ("三年内", "5年内") or a
# recurrence ("每年") rather than "the reference year".
_NOT_BARE_YEAR = "0-9" + _CN_DIGITS + "十百千两兩几幾半多每去今明本当當"

_TERM = re.compile(
    r"""
    (?P<yp>
        (?:(?<![0-9])(?P<y>[0-9]{4})|(?<![@CN@])(?P<yc>[@CN@]{4}))年度?
      | (?P<rel>今年|本年度?|当年|當年|明年)
    )?
    (?:
        (?P<m>(?<![0-9])[0-9]{1,2}|(?<![@CN@十两兩])(?:十[一二]?|[一二三四五六七八九]))月份?
        (?:
            (?P<d>[0-9]{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])[日号號]
          | (?P<part>上旬|中旬|下旬|初|底|末)
        )?
      | (?:第?(?P<q>(?<![0-9])[1-4]|[一二三四])季度|(?<![A-Za-z])[Qq](?P<qq>[1-4])(?![0-9]))
        (?:末|底)?
      | (?P<h>[上下])半年
      | (?(yp)年?|(?<![@NB@])年)(?P<ye>底|末)
      | (?(yp)年?度?|(?<![@NB@])年度?)(?P<yin>内|內)
    )?
    """.replace("@CN@", _CN_DIGITS).replace("@NB@", _NOT_BARE_YEAR),
    re.VERBOSE,
)

# "2021—2035年": a year range whose first year has no 年 of its own.
_YEAR_RANGE = re.compile(
    r"(?<![0-9])(?P<y1>[0-9]{4})(?:——|[—–―‐‒~〜\-至到])(?P<y2>[0-9]{4})年(?![0-9度底末内內])"
)
# "5-7月", "2023年5—7月": a range of months whose first month has no 月 of its own.
_MONTH_RANGE = re.compile(
    r"(?:(?<![0-9])(?P<my>[0-9]{4})年)?(?<![0-9])(?P<m1>[0-9]{1,2})(?:——|[—–―‐‒~〜\-至到])(?P<m2>[0-9]{1,2})月(?!份?[0-9])"
)
# A festival the work must be done before: 国庆节前, 2022年春节前 (the eve is the deadline).
FESTIVAL_NAMES = ("元旦", "春节", "清明节", "清明", "五一", "劳动节", "端午节", "端午", "中秋节", "中秋", "国庆节", "国庆")
_FESTIVAL_TERM = re.compile(
    r"(?:(?<![0-9])(?P<fey>[0-9]{4})年)?(?P<fest>" + "|".join(FESTIVAL_NAMES) + r")(?=(?:假期|节)?(?:前|之前|以前))"
)
# A five-year plan period: “十四五”期间 (its five years), “十四五”末 / 期末 (its last day).
_FIVE_YEAR_TERM = re.compile(r"[“\"]?十(?P<fy>[一二三四五六七八九])五[”\"]?(?P<fs>期间|期末|末)")
# What may stand between the two ends of a window.
_WINDOW_SEP = re.compile(r"份?(?:——|[—–―‐‒~〜\-至到])")

# Every term holds 年, 月 or 季, is a quarter written Q1–Q4, or names a five-year plan's
# period (十四五期间): text without any has none.
_TERM_HINT = re.compile(r"[年月季]|[Qq][1-4]|十.五|元旦|春节|清明|五一|劳动节|端午|中秋|国庆")
# Where a non-empty _TERM can start: a year (or 今年 …), else a month, quarter, half or a
# bare year-end / in-year, read as _TERM reads them when no year precedes (its conditionals
# take their "no year" branch).
_TERM_AHEAD = (
    r"(?=(?:(?<![0-9])[0-9]{4}|(?<![@CN@])[@CN@]{4})年|今年|本年|当年|當年|明年"
    r"|(?<![0-9])[0-9]{1,2}月|(?<![@CN@十两兩])(?:十[一二]?|[一二三四五六七八九])月"
    r"|第?(?:(?<![0-9])[1-4]|[一二三四])季度|(?<![A-Za-z])[Qq][1-4](?![0-9])"
    r"|[上下]半年|(?<![@NB@])年(?:底|末|度?(?:内|內)))"
).replace("@CN@", _CN_DIGITS).replace("@NB@", _NOT_BARE_YEAR)
# The next year range or calendar term at or after a position, in one search: what
# :func:`_scan` would find trying _YEAR_RANGE then _TERM at each position in turn.
_NEXT_TERM = re.compile(
    f"{_YEAR_RANGE.pattern}|{_MONTH_RANGE.pattern}|{_FIVE_YEAR_TERM.pattern}|{_FESTIVAL_TERM.pattern}"
    f"|{_TERM_AHEAD}(?:{_TERM.pattern})",
    re.VERBOSE,
)


def five_year_span(digit: str) -> tuple[int, int]:
    """The years of the 十N五 plan: 十四五 → (2021, 2025). From the third plan (1966–1970)
    they follow each other every five years.

    >>> five_year_span("四"), five_year_span("五"), five_year_span("一")
    ((2021, 2025), (2026, 2030), (2006, 2010))
    """
    n = 10 + (cn_to_int(digit) or 0)
    first = 1966 + 5 * (n - 3)
    return first, first + 4

_RECURRENCE = re.compile(r"每(?P<r>半年|年度?|个?季度?|個?季度?|个?月|個?月|周|週|旬)")
_RECURRENCE_NAMES: dict[str, Recurrence] = {
    "半年": "half-yearly",
    "年": "yearly",
    "年度": "yearly",
    "季": "quarterly",
    "季度": "quarterly",
    "个季度": "quarterly",
    "個季度": "quarterly",
    "个季": "quarterly",
    "個季": "quarterly",
    "月": "monthly",
    "个月": "monthly",
    "個月": "monthly",
    "周": "weekly",
    "週": "weekly",
    "旬": "weekly",
}
# A horizon counted from an event (the document's issue, a start year) rather than a date:
# `5年内`, `3个月内`, `本意见印发之日起30日内`, `2012年起5年内`, `30个工作日内`.
_RELATIVE = re.compile(
    r"(?:(?:自|从)?(?:本(?:意见|方案|通知|计划|办法|规划|决定|文件)|文件|通知)?(?:印发|发布|下发|实施|出台|施行)"
    r"(?:之日)?(?:起|后)|(?<=[0-9]{4}年)起)?"
    r"(?P<n>(?<![0-9])[0-9]{1,3}(?![0-9])|[一二三四五六七八九十两]+)(?P<u>个?月|个?工作日|年|周|日|天|星期)(?:以内|内)"
)
# A phrase that says "in the course of the year" and nothing else: read as the year's end
# when it stands as a deadline (a table's 完成时限 column, a bracket), with the plan's year.
_WHOLE_YEAR = frozenset({"全年", "全年度", "年度", "本年度", "年内", "今年内", "全年完成", "年内完成"})
_ONGOING = re.compile(r"持续|持續|长期|長期|常态化|常態化|常年")
_TRIGGER = re.compile(
    r"(?:出台|出臺|印发|印發|发布|發布|公布|颁布|頒布|批准|批準|验收|驗收|通过|通過"
    r"|实施|實施|施行|生效|修订|修訂|审议|審議|成立|建成|上线|上線|下达|下達)之?[后後]"
)
_OPEN = "([〔【《"
_CLOSE = ")]〕】》"

_LOOKS_MARKERS = re.compile(
    r"[年月日号旬底末度内]前|以前|之前|前(?:完成)?$|[年月]底|[年月]末|季度|半年|年内|年度内|旬"
    r"|完成|持续|持續|长期|長期|阶段|階段|常态|常態|适时|適時|[后後]及时|[后後]及時"
    r"|每年|每季|每月|每个月|(?<![A-Za-z])[Qq][1-4](?![0-9])"
    r"|(?:到|至|截至|截止)[0-9]{4}年"
)
_FIND_PREFIX = re.compile(r"(?:截至|截止到|截止|到|至)$")
_FIND_SUFFIX = re.compile(
    r"(?P<before>以前|之前|前|为止|為止|止)?(?:全面完成|基本完成|完成)?"
    r"(?P<ongoing>并持续推进|並持續推進|并长期坚持|並長期堅持)?"
)


@dataclass(frozen=True)
class _Term:
    """One calendar expression: a year, month, day, quarter, half or year-end/in-year."""

    year: int | None  # printed year
    rel: int | None  # 今年 = 0, 明年 = 1 (relative to the reference year)
    unit: Literal["year", "month", "day", "quarter", "half", "festival"]
    a: int = 0  # month, quarter or half number (for a festival: its index in FESTIVAL_NAMES)
    b: int = 0  # day
    part: str = ""  # 上旬/中旬/下旬/初/底/末 for months; 底 for year-end
    span: tuple[int, int] = (0, 0)

    @property
    def has_year(self) -> bool:
        return self.year is not None or self.rel is not None

    @property
    def precise(self) -> bool:
        """Finer than a whole year (a year range alone is a period, not a deadline)."""
        return self.unit != "year" or self.part != ""


@dataclass(frozen=True)
class _Segment:
    """A point (one term) or a window (two terms joined by a separator)."""

    first: _Term
    second: _Term | None
    span: tuple[int, int]


def _cn_number(text: str) -> int | None:
    """Value of a matched numeral; 4-character Chinese years are read digit by digit."""
    if text.isascii():
        return int(text) if text.isdigit() else None
    if len(text) == 4 and "十" not in text:
        digits = [cn_to_int(ch) for ch in text]
        if any(d is None for d in digits):
            return None
        return int("".join(str(d) for d in digits))
    return cn_to_int(text)


def _term_from_match(m: re.Match[str]) -> _Term | None:
    year: int | None = None
    rel: int | None = None
    if m.group("y"):
        year = int(m.group("y"))
    elif m.group("yc"):
        year = _cn_number(m.group("yc"))
    elif m.group("rel"):
        rel = 1 if m.group("rel") == "明年" else 0
    span = (m.start(), m.end())
    if m.group("m"):
        month = _cn_number(m.group("m")) or 0
        if m.group("d"):
            day = _cn_number(m.group("d")) or 0
            return _Term(year, rel, "day", month, day, span=span)
        return _Term(year, rel, "month", month, part=m.group("part") or "", span=span)
    if m.group("q") or m.group("qq"):
        quarter = _cn_number(m.group("q") or m.group("qq")) or 0
        return _Term(year, rel, "quarter", quarter, span=span)
    if m.group("h"):
        return _Term(year, rel, "half", 1 if m.group("h") == "上" else 2, span=span)
    if m.group("ye"):
        return _Term(year, rel, "year", part="底", span=span)
    if m.group("yin") or m.group("yp"):
        return _Term(year, rel, "year", span=span)
    return None


def _scan(s: str) -> list[_Segment]:
    """Every calendar expression in a matching-form string, windows joined, in order.

    Reads left to right: at each position a year range (`2021—2035年`) if one starts there,
    else the longest calendar term (_TERM), else the next position. One search of
    _NEXT_TERM finds the next position where either starts, so text between terms costs
    nothing; text holding no 年, 月 or 季 at all has none.
    """
    if _TERM_HINT.search(s) is None:
        return []
    terms: list[_Term] = []
    segments_join: set[int] = set()  # terms that open a window whatever stands between them
    i = 0
    while True:
        m = _NEXT_TERM.search(s, i)
        if m is None:
            break
        if m.group("y1") is not None:
            a = _Term(int(m.group("y1")), None, "year", span=(m.start(), m.start() + 4))
            b = _Term(int(m.group("y2")), None, "year", span=(m.end() - 5, m.end()))
            terms.extend((a, b))
            i = m.end()
            continue
        if m.group("m1") is not None:  # 5-7月: two months, the year (if any) before the first
            year = int(m.group("my")) if m.group("my") else None
            m2_at = m.end() - 1 - len(m.group("m2"))
            a = _Term(year, None, "month", int(m.group("m1")), span=(m.start(), m.start("m1") + len(m.group("m1"))))
            b = _Term(year, None, "month", int(m.group("m2")), span=(m2_at, m.end()))
            terms.extend((a, b))
            i = m.end()
            continue
        if m.group("fest") is not None:
            year = int(m.group("fey")) if m.group("fey") else None
            terms.append(_Term(year, None, "festival", FESTIVAL_NAMES.index(m.group("fest")), span=(m.start(), m.end())))
            i = m.end()
            continue
        if m.group("fy") is not None:
            first, last = five_year_span(m.group("fy"))
            end = _Term(last, None, "year", part="底", span=(m.end() - 1, m.end()))
            if m.group("fs") == "期间":
                terms.extend((_Term(first, None, "year", span=(m.start(), m.end() - 2)), end))
                segments_join.add(len(terms) - 2)
            else:
                terms.append(dataclasses.replace(end, span=(m.start(), m.end())))
            i = m.end()
            continue
        term = _term_from_match(m)
        if term is None:  # cannot happen: _TERM_AHEAD only lets non-empty terms through
            i = m.start() + 1
            continue
        terms.append(term)
        i = term.span[1]
    segments: list[_Segment] = []
    k = 0
    while k < len(terms):
        t = terms[k]
        if k + 1 < len(terms):
            u = terms[k + 1]
            if k in segments_join or _WINDOW_SEP.fullmatch(s, t.span[1], u.span[0]):
                segments.append(_Segment(t, u, (t.span[0], u.span[1])))
                k += 2
                continue
        segments.append(_Segment(t, None, t.span))
        k += 1
    return segments


def _bounds(term: _Term, year: int) -> tuple[date, date] | None:
    """First and last day of the period a term names, or None if it is not a real date."""
    try:
        if term.unit == "year":
            return (date(year, 12, 1) if term.part else date(year, 1, 1)), date(year, 12, 31)
        if term.unit == "half":
            return (date(year, 1, 1), date(year, 6, 30)) if term.a == 1 else (
                date(year, 7, 1), date(year, 12, 31))
        if term.unit == "quarter":
            if not 1 <= term.a <= 4:
                return None
            last_month = term.a * 3
            last_day = calendar.monthrange(year, last_month)[1]
            return date(year, last_month - 2, 1), date(year, last_month, last_day)
        if term.unit == "day":
            day = date(year, term.a, term.b)
            return day, day
        if term.unit == "festival":  # 国庆节前: by the eve of the festival
            from tracker.extract.holidays_cn import festival_day

            name = FESTIVAL_NAMES[term.a]
            # 元旦前 in a plan of a year: before the New Year that ends it
            first = festival_day(name, year + 1 if name == "元旦" and term.year is None else year)
            if first is None:
                return None
            eve = first - timedelta(days=1)
            return eve, eve
        if not 1 <= term.a <= 12 or not 1 <= year <= 9999:
            return None
        last = calendar.monthrange(year, term.a)[1]
        first_day, last_day = {
            "上旬": (1, 10), "初": (1, 10), "中旬": (11, 20),
            "下旬": (21, last), "底": (21, last), "末": (21, last),
        }.get(term.part, (1, last))
        return date(year, term.a, first_day), date(year, term.a, last_day)
    except (ValueError, OverflowError):
        return None


def _explicit_year(term: _Term, ref_year: int | None) -> int | None:
    if term.year is not None:
        return term.year
    if term.rel is not None and ref_year is not None:
        return ref_year + term.rel
    return None


def _resolve(
    seg: _Segment, context_year: int | None, ref_year: int | None
) -> tuple[date | None, date, int] | None:
    """(start, due, year used last) of a segment, or None when its year is unknown.

    A term without a year takes it from the other end of its window, then from an earlier
    date in the same phrase (``context_year``), then from the plan's reference year.
    """
    if seg.first.rel is not None and ref_year is None:
        return None
    if seg.second is not None and seg.second.rel is not None and ref_year is None:
        return None
    fallback = context_year if context_year is not None else ref_year
    ya = _explicit_year(seg.first, ref_year)
    if seg.second is None:
        year = ya if ya is not None else fallback
        if year is None:
            return None
        b = _bounds(seg.first, year)
        return (None, b[1], year) if b else None
    yb = _explicit_year(seg.second, ref_year)
    ya_given, yb_given = ya is not None, yb is not None
    ya = ya if ya is not None else (yb if yb is not None else fallback)
    yb = yb if yb is not None else ya
    if ya is None or yb is None:
        return None
    first, second = _bounds(seg.first, ya), _bounds(seg.second, yb)
    if first and second and second[1] < first[0]:
        # "2021年11月至3月" runs into the next year; "12月至2022年3月" started the year before.
        if not yb_given:
            yb += 1
            second = _bounds(seg.second, yb)
        elif not ya_given:
            ya -= 1
            first = _bounds(seg.first, ya)
    if not first or not second or second[1] < first[0]:
        return None
    return first[0], second[1], yb


_SPACE = re.compile(r"\s")
_WEEKDAY = re.compile(r"(?<=[日号號])\s*\((?:星期|周|礼拜|禮拜)[一二三四五六日天]\)")


def _matching_form(text: str) -> tuple[str, Sequence[int]]:
    """Width-folded text without whitespace, and each kept character's index in ``text``.

    Most phrases hold no whitespace: the folded text itself, indexed one to one.
    """
    folded = fold_width(text)
    if _SPACE.search(folded) is None and "星期" not in folded and "(周" not in folded:
        return folded, range(len(folded))
    # A weekday in brackets after a date (`4月20日(星期五)前`) says nothing the date does not.
    dropped = {i for m in _WEEKDAY.finditer(folded) for i in range(m.start(), m.end())}
    kept = [i for i, ch in enumerate(folded) if not ch.isspace() and i not in dropped]
    return "".join(folded[i] for i in kept), kept


def _strip_brackets(text: str) -> str:
    """The phrase without its surrounding whitespace and brackets, characters as printed.

    >>> _strip_brackets(" （（2021年底前） ) ")
    '2021年底前'
    """
    start, end = 0, len(text)
    while start < end and (text[start].isspace() or fold_width(text[start]) in _OPEN):
        start += 1
    while end > start and (text[end - 1].isspace() or fold_width(text[end - 1]) in _CLOSE):
        end -= 1
    return text[start:end]


@lru_cache(maxsize=8192)
def _parse(phrase: str, ref_year: int | None) -> Deadline:
    """:func:`parse_deadline`, remembered: plans repeat a handful of phrases (持续推进,
    2021年12月底前完成) hundreds of times, and a Deadline is immutable."""
    inner = _strip_brackets(phrase)
    s, _ = _matching_form(inner)
    if not s:
        return Deadline("unknown", phrase)
    if s in _WHOLE_YEAR and ref_year is not None:  # a deadline column's 全年: the year's end
        return Deadline("date", phrase, due=date(ref_year, 12, 31))

    recurrence: str | None = None
    rec = _RECURRENCE.search(s)
    if rec:
        recurrence = _RECURRENCE_NAMES[rec.group("r")]
        s = s[: rec.start()] + "\x00" * (rec.end() - rec.start()) + s[rec.end():]
    ongoing = bool(_ONGOING.search(s)) or recurrence is not None

    resolved: list[tuple[date | None, date]] = []
    unresolved = False
    year: int | None = None  # the last year stated, inherited by later dates
    # A date followed by 起 (`自2022年起`, `2012年起5年内`) is when work starts, not its deadline.
    segments = [seg for seg in _scan(s) if not s.startswith(("起", "以来"), seg.span[1])]
    for seg in segments:
        r = _resolve(seg, year, ref_year)
        if r is None:
            unresolved = True
            continue
        resolved.append((r[0], r[1]))
        year = r[2]

    if recurrence is not None:
        due = resolved[-1][1] if resolved and not unresolved else None
        return Deadline("recurring", phrase, due=due, ongoing=True, recurrence=recurrence)
    if segments:
        if unresolved:
            return Deadline("unknown", phrase, ongoing=ongoing)
        starts = [start for start, _ in resolved if start is not None]
        milestones = tuple(due for _, due in resolved) if len(resolved) > 1 else ()
        return Deadline(
            "window" if starts else "date",
            phrase,
            due=resolved[-1][1],
            start=starts[0] if starts else None,
            ongoing=ongoing,
            milestones=milestones,
        )
    relative = _RELATIVE.search(s)
    trigger = _TRIGGER.search(s)
    if trigger is not None and (relative is None or trigger.start() < relative.start("n")):
        # 上位法出台后30日内完成修订: the condition, and how long after it the work is due
        span = relative.group("n") + relative.group("u") if relative is not None else None
        return Deadline("trigger", phrase, ongoing=ongoing, condition=inner, relative=span)
    if relative is not None:
        return Deadline("relative", phrase, ongoing=ongoing, relative=relative.group("n") + relative.group("u"))
    if ongoing:
        return Deadline("ongoing", phrase, ongoing=True)
    return Deadline("unknown", phrase)


# --------------------------------------------------------------------------- public API


def parse_deadline(phrase: str, *, year: int | None = None) -> Deadline:
    """Parse one deadline phrase, with or without its surrounding brackets.

    ``year`` is the plan's reference year, used only for phrases that omit it (年底前, 上半年,
    6月底前); without it such a phrase is ``unknown`` rather than guessed. Never raises:
    anything not understood comes back as ``kind="unknown"`` with ``raw`` kept.

    >>> d = parse_deadline("(2020年12月底前完成)")
    >>> d.kind, d.due
    ('date', datetime.date(2020, 12, 31))
    >>> d = parse_deadline("2021年12月底前完成并持续推进")
    >>> d.kind, d.due, d.ongoing
    ('date', datetime.date(2021, 12, 31), True)
    >>> d = parse_deadline("（2025年4月—7月）")
    >>> d.kind, d.start, d.due
    ('window', datetime.date(2025, 4, 1), datetime.date(2025, 7, 31))
    >>> parse_deadline("三季度末", year=2021).due
    datetime.date(2021, 9, 30)
    >>> parse_deadline("上位法出台后及时启动修订工作").condition
    '上位法出台后及时启动修订工作'
    >>> parse_deadline("持续推进").kind, parse_deadline("年底前").kind
    ('ongoing', 'unknown')
    >>> d = parse_deadline("2021年6月底前出台，2022年12月底前全面完成")
    >>> [m.isoformat() for m in d.milestones]
    ['2021-06-30', '2022-12-31']
    """
    return _parse(phrase, year)


def looks_like_deadline(text: str) -> bool:
    """Whether a bracketed clause reads as a timing phrase.

    Plans use brackets for many things (places, abbreviations, list numbers, title periods);
    only clauses with a timing marker should be kept as a task's deadline phrase, even when
    :func:`parse_deadline` cannot read them. A bare year range is a period, not a deadline.

    >>> looks_like_deadline("(持续推进)"), looks_like_deadline("（2022年11月—2025年3月）")
    (True, True)
    >>> looks_like_deadline("(2021—2035年)"), looks_like_deadline("(云南)")
    (False, False)
    """
    return _looks_like_deadline(text)


@lru_cache(maxsize=8192)
def _looks_like_deadline(text: str) -> bool:
    s, _ = _matching_form(_strip_brackets(text))
    if not s:
        return False
    if _LOOKS_MARKERS.search(s) or _TRIGGER.search(s) or _RELATIVE.search(s) or s in _WHOLE_YEAR:
        return True
    for seg in _scan(s):
        if seg.first.unit == "day" or (
            seg.second is not None and (seg.first.precise or seg.second.precise)
        ):
            return True
    return False


def find_deadlines(
    text: str, *, year: int | None = None
) -> list[tuple[tuple[int, int], Deadline]]:
    """Deadlines stated in running text, each with its ``(start, end)`` span in ``text``.

    Items sometimes carry their deadline in the sentence instead of a trailing bracket, and
    staged work states several (出台办法 by one date, 全面推开 by a later one); all are
    returned in order. Dates without a timing marker (an issue date, "2021年6月，省政府…"),
    bare year ranges and anything inside brackets or 《》 titles are not deadlines and are
    skipped. A date without a year takes the year of an earlier date in the text, then
    ``year``; if neither exists it is returned as ``unknown``.

    >>> text = "2021年6月底前出台办法，2022年底前全面推开"
    >>> [(span, d.due.isoformat()) for span, d in find_deadlines(text) if d.due]
    [((0, 9), '2021-06-30'), ((14, 21), '2022-12-31')]
    >>> find_deadlines("于2022年10月27日印发《规划（2021—2025年）》")
    []
    """
    s, index = _matching_form(text)
    depth: _Depths | None = None
    out: list[tuple[tuple[int, int], Deadline]] = []
    context_year: int | None = None
    for seg in _scan(s):
        start, end = seg.span
        resolved = _resolve(seg, context_year, year)
        if resolved is not None:
            context_year = resolved[2]
        elif seg.first.year is not None:
            context_year = seg.first.year

        prefix = _FIND_PREFIX.search(s, max(0, start - 4), start)
        suffix = _FIND_SUFFIX.match(s, end)
        terms = [seg.first] if seg.second is None else [seg.first, seg.second]
        marked = (
            prefix is not None
            or (suffix is not None and (suffix.group("before") is not None or "完成" in suffix.group(0)))
            or any(t.part for t in terms)
            or (seg.second is not None and any(t.precise for t in terms))
            or any(t.unit == "year" and not t.part and s[t.span[1] - 1] in "内內" for t in terms)
        )
        if not marked:
            continue
        if seg.second is None and not seg.first.has_year and seg.first.unit == "year" and _inside_word(s, start):
            continue  # 毕业年度内: part of a word, not "within this year"
        if seg.second is None and not seg.first.has_year and seg.first.unit == "year" and re.search(
            "年初|年中", s[max(0, start - 12) : start]
        ):
            continue  # 年初公布、年中检查、年底兑现: a principle in three beats, not a deadline
        if depth is None:
            depth = _Depths(fold_width(text))
        if depth(index[start]) > 0:
            continue
        if prefix is not None:
            start = prefix.start()
        if suffix is not None and suffix.end() > end:
            end = suffix.end()
        span = (index[start], index[end - 1] + 1)
        raw = text[span[0]:span[1]]
        ongoing = suffix is not None and suffix.group("ongoing") is not None
        if resolved is None:
            out.append((span, Deadline("unknown", raw, ongoing=ongoing)))
            continue
        first_day, due, _ = resolved
        kind: DeadlineKind = "window" if first_day else "date"
        out.append((span, Deadline(kind, raw, due=due, start=first_day, ongoing=ongoing)))
    return out


def _inside_word(s: str, start: int) -> bool:
    """Whether a bare 年内/年底 starts inside a word: after a Han character other than a
    preposition (在年底前, 于年内 read as deadlines; 毕业年度内 does not)."""
    before = s[start - 1] if start > 0 else ""
    return "\u4e00" <= before <= "\u9fff" and before not in "于在今本当當明至到前"


_BRACKET_OR_RESET = re.compile("[" + re.escape(_OPEN + _CLOSE) + "\n\r。]")


class _Depths:
    """:func:`_depth_at` for positions asked in increasing order, walking the text once:
    a text of many dates costs one pass, not one pass per date."""

    def __init__(self, folded: str) -> None:
        self.folded = folded
        self.at = 0
        self.depth = 0

    def __call__(self, pos: int) -> int:
        if pos < self.at:  # asked out of order: start again (never in the callers' loops)
            self.at, self.depth = 0, 0
        for m in _BRACKET_OR_RESET.finditer(self.folded, self.at, pos):
            ch = m.group()
            if ch in _OPEN:
                self.depth += 1
            elif ch in _CLOSE:
                if self.depth:
                    self.depth -= 1
            else:
                self.depth = 0
        self.at = pos
        return self.depth


def _depth_at(folded: str, pos: int) -> int:
    """Bracket/《》 nesting depth at ``folded[pos]`` (a width-folded text).

    Scraped pages leave stray openers (`【字体:`), so depth is reset at every line break and
    full stop: a bracket never hides the rest of a document. Only the brackets and stops
    before ``pos`` are visited, from the last line break or full stop on.

    >>> _depth_at("见《规划(2021年)》", 9), _depth_at("(未闭合。2021年", 5)
    (2, 0)
    """
    start = max(folded.rfind("\n", 0, pos), folded.rfind("\r", 0, pos), folded.rfind("。", 0, pos)) + 1
    depth = 0
    for m in _BRACKET_OR_RESET.finditer(folded, start, pos):
        ch = m.group()
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            if depth:
                depth -= 1
        else:
            depth = 0
    return depth


_VALIDITY_BEFORE = re.compile(
    r"(?:执行期限|实施期限|执行期|实施期|有效期|期限|时间|实施|执行|延长|延续|施行|有效"
    r"|執行期限|實施期限|執行期|實施期|期限|時間|實施|執行|延長|延續)(?:为|為|是|:|：|至|到)?$|自$"
)
# A date a policy keeps applying until: `2027年12月31日前，继续顶格实施…优惠政策`.
_VALIDITY_AFTER = re.compile(r"^(?:前|以前|之前)?[,，]?(?:继续|延续|暂免|免征|减半|减按|暂按|仍按|繼續|延續|暫免|減半|減按|暫按)")
_DAY_START = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}[日号]")


def _is_validity_window(body: str, span: tuple[int, int], d: Deadline) -> bool:
    """Whether a window in running text is the period a policy applies, not a deadline.

    Policies state their validity to the day, from a first day (`2019年1月1日至2020年12月
    31日，对…给予补贴`), after a word that says so (`执行期限为…`, `实施期限至…`, `自…起`),
    or before one (`2027年12月31日前，继续实施…政策`); work is scheduled by month
    (`2023年3月至6月，开展摸底排查`).

    >>> _is_validity_window("2019年1月1日至12月31日，给予补贴", (0, 13), Deadline("window", "2019年1月1日至12月31日"))
    True
    """
    raw = normalise(d.raw).replace(" ", "")
    start = span[0] + (1 if raw[:1] in "至到" else 0)  # `实施期限至2021年…`: 至 is read with the date
    before = normalise(body[max(0, start - 6) : start]).replace(" ", "").rstrip("至到")
    after = normalise(body[span[1] : span[1] + 8]).replace(" ", "")
    if _VALIDITY_BEFORE.search(before) or _VALIDITY_AFTER.match(after):
        return True
    return d.kind == "window" and bool(_DAY_START.match(raw))


# A target year (到2025年) is the horizon of the plan, which every task inherits anyway; it is
# not a deadline of the item that mentions it.
_TARGET_ONLY = re.compile(r"^(?:到|至|截至|截止到?)\s*\d{4}\s*年$")


@lru_cache(maxsize=4096)
def in_sentence_deadline(body: str, ref_year: int | None, *, horizon: int | None = None) -> Deadline | None:
    """Deadlines written in the item's sentences (`该项工作于2019年4月底前完成`), as one value.

    Several staged dates (`2021年6月底前出台办法，2022年底前全面推开`) are all kept as
    milestones, the last one the due date. Target years and dates that cannot be read are
    left out: they are kept in the text, and guessing from them would invent a deadline.

    >>> d = in_sentence_deadline("该项工作于2019年4月底前完成。", None)
    >>> d.kind, d.due.isoformat()
    ('date', '2019-04-30')
    >>> d = in_sentence_deadline("2021年6月底前出台办法，2022年底前全面推开。", None)
    >>> [m.isoformat() for m in d.milestones], d.due.isoformat()
    (['2021-06-30', '2022-12-31'], '2022-12-31')
    >>> in_sentence_deadline("到2025年，新增地理标志100个。", 2021) is None
    True

    A target year before the plan's horizon is the item's deadline (its horizon is inherited
    anyway, and a later one is a vision, 到2035年, not a deadline):

    >>> in_sentence_deadline("到2022年，建成保护中心。", 2021, horizon=2025).due.isoformat()
    '2022-12-31'
    """
    spans = [
        (span, d) for span, d in find_deadlines(body, year=ref_year)
        if d.kind in ("date", "window") and d.due is not None
        and not (_TARGET_ONLY.match(normalise(d.raw)) and (horizon is None or d.due.year >= horizon))
        and not _is_validity_window(body, span, d)
    ]
    if not spans:
        return relative_horizon(body) or recurrence_in(body)
    if len(spans) == 1:
        return spans[0][1]
    found = [d for _, d in spans]
    dues = tuple(d.due for d in found if d.due is not None)
    starts = [d.start for d in found if d.start is not None]
    return Deadline(
        "window" if starts else "date",
        body[spans[0][0][0] : spans[-1][0][1]],  # as printed, from the first date to the last
        due=dues[-1],
        start=starts[0] if starts else None,
        ongoing=any(d.ongoing for d in found),
        milestones=dues,
    )


_SPAN = re.compile(r"^(?P<n>[0-9]{1,4}|[一二三四五六七八九十两]+)(?P<u>个?月|个?工作日|年|周|日|天|星期)$")


def span_after(start: date, span: str) -> tuple[date, bool] | None:
    """The date a printed span (``Deadline.relative``: `30日`, `7个工作日`, `3个月`, `两周`)
    ends after ``start``, and whether it is exact; None for a span it cannot read.

    Months and years are calendar months (python-dateutil's relativedelta: 1月31日 + 1个月 is
    the last day of February). Working days skip China's days off and count its make-up
    working days; past the last published schedule the date is an estimate (``exact`` False).

    >>> span_after(date(2021, 9, 28), "7个工作日"), span_after(date(2021, 1, 31), "一个月")
    ((datetime.date(2021, 10, 13), True), (datetime.date(2021, 2, 28), True))
    >>> span_after(date(2021, 3, 1), "30日"), span_after(date(2021, 3, 1), "若干日")
    ((datetime.date(2021, 3, 31), True), None)
    """
    from dateutil.relativedelta import relativedelta

    m = _SPAN.match(span.strip())
    if m is None:
        return None
    n = int(m.group("n")) if m.group("n").isdigit() else cn_to_int(m.group("n").replace("两", "二"))
    if not n:
        return None
    unit = m.group("u").lstrip("个")
    if unit == "工作日":
        from tracker.extract.holidays_cn import add_working_days

        return add_working_days(start, n)
    step = {
        "月": relativedelta(months=n), "年": relativedelta(years=n), "周": relativedelta(weeks=n),
        "星期": relativedelta(weeks=n), "日": relativedelta(days=n), "天": relativedelta(days=n),
    }[unit]
    return start + step, True


def relative_horizon(body: str) -> Deadline | None:
    """The first relative horizon in running text (`…要在本意见印发之日起30日内，制定…`,
    `5年内重点引进…`), kept as printed with no date; None when there is none.

    >>> relative_horizon("各省要在本意见印发之日起30日内，制定实施办法。").raw
    '本意见印发之日起30日内'
    >>> relative_horizon("2021年内完成。") is None, relative_horizon("见《办法（5年内）》") is None
    (True, True)
    >>> relative_horizon("环评报告书14个工作日内完成审批。") is None
    True
    """
    if "内" not in body and "內" not in body:
        return None  # every relative horizon ends in 内
    s, index = _matching_form(body)
    depth: _Depths | None = None
    for m in _RELATIVE.finditer(s):
        if m.group("u") == "年" and len(m.group("n")) == 4:
            continue
        if "月" not in m.group("u") and m.group("u") != "年" and not s[m.start() : m.start("n")]:
            continue  # `14个工作日内完成审批`: a processing time, not the item's horizon
        if depth is None:
            depth = _Depths(fold_width(body))
        if depth(index[m.start()]) > 0:
            continue
        raw = body[index[m.start()] : index[m.end() - 1] + 1]
        return Deadline("relative", raw, relative=m.group("n") + m.group("u"))
    return None


def recurrence_in(body: str) -> Deadline | None:
    """A recurrence in running text (`每年选拔资助…`, `每季度末报送进展`) when the item
    has no dated deadline: the work recurs, so it is ongoing, reviewed on the plan's dates.

    >>> d = recurrence_in("每年选拔资助100名青年人才。")
    >>> d.kind, d.raw, d.recurrence, d.ongoing
    ('recurring', '每年', 'yearly', True)
    >>> recurrence_in("加强保护。") is None, recurrence_in("补贴每人每年只享受一次。") is None
    (True, True)
    """
    if "每" not in body:
        return None
    s, index = _matching_form(body)
    depth: _Depths | None = None
    for m in _RECURRENCE.finditer(s):
        if re.match(r"每[\u4e00-\u9fff]", s[max(0, m.start() - 2) : m.start()]):
            continue  # 每人每年只享受一次: a quota per person, not work that recurs
        if depth is None:
            depth = _Depths(fold_width(body))
        if depth(index[m.start()]) > 0:
            continue
        raw = body[index[m.start()] : index[m.end() - 1] + 1]
        return Deadline("recurring", raw, ongoing=True, recurrence=_RECURRENCE_NAMES[m.group("r")])
    return None
