"""The extractor's fast paths give exactly what the plain loops they replace gave.

Import speed (bench/import.py) comes from scanning with one regex search instead of trying
every position, visiting only bracket characters instead of every character, and skipping
work a cheap test proves useless. Each fast path is checked here against the obvious
per-character loop it replaced, on the seeds' lines and on generated text made of the
characters the grammar cares about.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.extract import deadlines
from tracker.extract.deadlines import (
    _FESTIVAL_TERM,
    _FIVE_YEAR_TERM,
    _MONTH_RANGE,
    _TERM,
    _WINDOW_SEP,
    _YEAR_RANGE,
    FESTIVAL_NAMES,
    _depth_at,
    _scan,
    _Segment,
    _Term,
    _term_from_match,
    five_year_span,
)
from tracker.extract.numerals import WIDTH_TABLE, fold_width

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_LINES = [
    line for f in sorted(SEEDS.glob("*.txt")) for line in f.read_text(encoding="utf-8").split("\n") if line.strip()
]
# Digits, Chinese numerals, the calendar words and separators, brackets and stops, and
# ordinary text: what deadline phrases are made of, and what they hide in.
DATE_ALPHABET = (
    "0123456789〇零○一二三四五六七八九十两兩年月日号號旬上中下初底末度内內季第半Qq今本当當明"
    "—–-~至到份前后完成持续推进每（）()《》【】〔〕。，\n 的加强知识产权期间“”国庆节春五一"
)
date_text = st.text(alphabet=st.sampled_from(DATE_ALPHABET), max_size=60)


def reference_scan(s: str) -> list[_Segment]:
    """The scanner as first written: try a year range, a month range, a five-year period,
    then a term, at every position."""
    terms: list[_Term] = []
    joined: set[int] = set()
    i = 0
    while i < len(s):
        yr = _YEAR_RANGE.match(s, i)
        if yr:
            terms.extend((
                _Term(int(yr.group("y1")), None, "year", span=(yr.start(), yr.start() + 4)),
                _Term(int(yr.group("y2")), None, "year", span=(yr.end() - 5, yr.end())),
            ))
            i = yr.end()
            continue
        mr = _MONTH_RANGE.match(s, i)
        if mr:
            year = int(mr.group("my")) if mr.group("my") else None
            terms.extend((
                _Term(year, None, "month", int(mr.group("m1")), span=(mr.start(), mr.start("m1") + len(mr.group("m1")))),
                _Term(year, None, "month", int(mr.group("m2")), span=(mr.end() - 1 - len(mr.group("m2")), mr.end())),
            ))
            i = mr.end()
            continue
        fe = _FESTIVAL_TERM.match(s, i)
        if fe:
            year = int(fe.group("fey")) if fe.group("fey") else None
            terms.append(_Term(year, None, "festival", FESTIVAL_NAMES.index(fe.group("fest")), span=(fe.start(), fe.end())))
            i = fe.end()
            continue
        fy = _FIVE_YEAR_TERM.match(s, i)
        if fy:
            first, last = five_year_span(fy.group("fy"))
            if fy.group("fs") == "期间":
                joined.add(len(terms))
                terms.append(_Term(first, None, "year", span=(fy.start(), fy.end() - 2)))
                terms.append(_Term(last, None, "year", part="底", span=(fy.end() - 1, fy.end())))
            else:
                terms.append(_Term(last, None, "year", part="底", span=(fy.start(), fy.end())))
            i = fy.end()
            continue
        m = _TERM.match(s, i)
        term = _term_from_match(m) if m and m.end() > i else None
        if term is None:
            i += 1
            continue
        terms.append(term)
        i = term.span[1]
    segments: list[_Segment] = []
    k = 0
    while k < len(terms):
        t = terms[k]
        if k + 1 < len(terms) and (k in joined or _WINDOW_SEP.fullmatch(s, t.span[1], terms[k + 1].span[0])):
            segments.append(_Segment(t, terms[k + 1], (t.span[0], terms[k + 1].span[1])))
            k += 2
            continue
        segments.append(_Segment(t, None, t.span))
        k += 1
    return segments


def reference_depths(text: str) -> list[int]:
    depths: list[int] = []
    depth = 0
    for ch in fold_width(text):
        depths.append(depth)
        if ch in deadlines._OPEN:
            depth += 1
        elif ch in deadlines._CLOSE and depth:
            depth -= 1
        elif ch in "\n\r。":
            depth = 0
    return depths


def reference_matching_form(text: str) -> tuple[str, list[int]]:
    folded = fold_width(text)
    weekdays = {i for m in deadlines._WEEKDAY.finditer(folded) for i in range(m.start(), m.end())}
    kept = [(i, ch) for i, ch in enumerate(folded) if not ch.isspace() and i not in weekdays]
    return "".join(ch for _, ch in kept), [i for i, _ in kept]


def test_scan_on_the_seeds() -> None:
    for line in SEED_LINES:
        s, _ = deadlines._matching_form(line)
        assert _scan(s) == reference_scan(s), line


@settings(max_examples=3000, deadline=None)
@given(date_text)
def test_scan_on_generated_text(text: str) -> None:
    s, _ = deadlines._matching_form(text)
    assert _scan(s) == reference_scan(s)


@settings(max_examples=1000, deadline=None)
@given(date_text)
def test_depth_and_matching_form(text: str) -> None:
    folded = fold_width(text)
    assert [_depth_at(folded, i) for i in range(len(text))] == reference_depths(text)
    s, index = deadlines._matching_form(text)
    assert (s, list(index)) == reference_matching_form(text)


def test_depth_on_the_seeds() -> None:
    for line in SEED_LINES[:200]:
        folded = fold_width(line)
        assert [_depth_at(folded, i) for i in range(len(line))] == reference_depths(line)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from("，（）：；！？％＋ＡＺａ０９　加强2021 年(),"), max_size=40))
def test_fold_width_is_the_width_table(text: str) -> None:
    assert fold_width(text) == text.translate(WIDTH_TABLE)


def test_fold_width_on_the_seeds() -> None:
    for line in SEED_LINES:
        assert fold_width(line) == line.translate(WIDTH_TABLE)
