"""The iCalendar writer (tracker.feeds.ical): escaping, folding, components, calendars.

Every byte it writes is read back by parsers we did not write: ``icalendar`` (lenient, but
it unfolds and unescapes per RFC 5545) and ``ical`` (strict: bad RRULEs, DATE/DATE-TIME
mixes, malformed REFRESH-INTERVAL all fail).
"""

from __future__ import annotations

import doctest
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream

from tracker.feeds.ical import (
    FeedItem,
    FeedOptions,
    ItemOwner,
    Recurrence,
    assemble,
    escape_text,
    fit_feed,
    fold,
    render_calendar,
    render_events,
    render_todos,
    task_uid,
)

OPTS = FeedOptions()
CHANGED = datetime(2021, 3, 4, 5, 6, 7)


def item(**changes: object) -> FeedItem:
    base: dict[str, object] = dict(
        plan="yunnan-2020-2021", plan_title="云南省2020-2021年强化知识产权保护重点工作推进计划", key="21", number="21",
        title="修订《昆明海关知识产权海关保护操作规程》", text="修订《昆明海关知识产权海关保护操作规程》。(2020年12月底前完成)",
        section="一、制定修订知识产权地方性法规和政策措施", kind="task", status="todo", progress=0, due=date(2020, 12, 31),
        start=None, due_text="2020年12月底前完成", due_source="stated",
        owners=(ItemOwner("昆明海关", "lead", "inferred"), ItemOwner("省公安厅", "support", "stated")),
        source_file="yunnan-2020-ip-protection-opinions.txt", line_start=40, line_end=41, revisions=2, last_change=CHANGED,
    )
    base.update(changes)
    return FeedItem(**base)  # type: ignore[arg-type]


def calendar(*blocks: bytes, opts: FeedOptions = OPTS) -> bytes:
    return render_calendar("测试 · 任务期限", "说明, 含逗号; 分号", blocks, opts)


def strict(data: bytes) -> object:
    """Parse with the strict `ical` parser (raises on anything invalid)."""
    return IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))


def raw_lines_ok(data: bytes) -> None:
    """RFC 5545 §3.1 on the raw bytes: CRLF line ends, ≤ 75 octets a line, and every
    physical line valid UTF-8 on its own (no character split by a fold)."""
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    for line in data.split(b"\r\n")[:-1]:
        assert len(line) <= 75, line
        line.decode("utf-8")


def test_doctests() -> None:
    import tracker.feeds.export
    import tracker.feeds.ical
    import tracker.feeds.server

    for module in (tracker.feeds.ical, tracker.feeds.export, tracker.feeds.server):
        assert doctest.testmod(module).failed == 0, module.__name__


# ------------------------------------------------------------------ escaping and folding
def test_escape_text_rules() -> None:
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    assert escape_text("全角，；不转义") == "全角，；不转义"
    assert escape_text("CR\r\nLF\rx") == "CR\\nLF\\nx"
    assert escape_text("bell\x07\x00tab\t") == "belltab\t"


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_fold_never_splits_a_character(width: int) -> None:
    char = {1: "a", 2: "é", 3: "知", 4: "𠀋"}[width]
    for prefix in ("", "x", "xy", "xyz"):
        line = "SUMMARY:" + prefix + char * 200
        folded = fold(line)
        raw_lines_ok(folded)
        assert folded.replace(b"\r\n ", b"") == (line + "\r\n").encode()
        parts = folded.split(b"\r\n")[:-1]
        assert all(len(p) >= 75 - 4 for p in parts[:-1])  # cuts as late as the characters allow
        assert all(p.startswith(b" ") for p in parts[1:])


def test_short_lines_are_not_folded() -> None:
    assert fold("X" * 75) == b"X" * 75 + b"\r\n"
    assert fold("知" * 25) == ("知" * 25 + "\r\n").encode()
    assert fold("X" * 76).count(b"\r\n ") == 1


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)


@settings(max_examples=150, deadline=None)
@given(summary=TEXT, text=TEXT)
def test_any_text_round_trips_through_an_independent_parser(summary: str, text: str) -> None:
    body = render_events(item(title=summary or "x", number="", text=text), OPTS)
    data = calendar(body)
    raw_lines_ok(data)
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    expected = (summary or "x").replace("\r\n", "\n").replace("\r", "\n")
    expected = "".join(ch for ch in expected if ch in "\t\n" or not (ord(ch) < 32 or ord(ch) == 127))
    assert str(event["SUMMARY"]) == expected
    strict(data)


def _split_escapes(data: bytes) -> list[bytes]:
    """Physical lines that end inside an escape: an odd run of backslashes at their end,
    counted from the start of the logical line (so an escaped backslash is one escape)."""
    bad: list[bytes] = []
    lines = data.split(b"\r\n")
    pending = 0  # backslashes carried over from the previous physical line's end
    for i, line in enumerate(lines[:-1]):
        body = line[1:] if line.startswith(b" ") and i else line
        if not line.startswith(b" "):
            pending = 0
        run = pending
        for byte in body:
            run = run + 1 if byte == 0x5C else 0
        if run % 2 and i + 1 < len(lines) and lines[i + 1].startswith(b" "):
            bad.append(line)
        pending = run
    return bad


ESCAPY = st.text(st.sampled_from(["a", "知", "\\", "\n", ",", ";", "𠀋", "é"]), min_size=60, max_size=400)


@settings(max_examples=300, deadline=None)
@given(text=ESCAPY)
def test_a_fold_never_splits_an_escape_and_unfolds_to_the_same_value(text: str) -> None:
    data = calendar(render_events(item(title=text, number="", text=text), OPTS))
    raw_lines_ok(data)
    assert _split_escapes(data) == []
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == text
    parsed = strict(data)
    assert parsed.events[0].summary == text  # type: ignore[attr-defined]


def test_the_seed_shaped_line_that_used_to_split_an_escape() -> None:
    # 74 octets, then `\n`: the old cut fell between the backslash and the n.
    line = "DESCRIPTION:" + "a" * 62 + "\\nNext line"
    folded = fold(line)
    assert b"\\\r\n n" not in folded
    assert folded.replace(b"\r\n ", b"") == (line + "\r\n").encode()


# ------------------------------------------------------------------ golden bytes
# The exact bytes of one event: a change here changes every subscriber's calendar, so it
# must be deliberate (update this golden in the same commit, and say why).
GOLDEN = (
    'BEGIN:VEVENT\r\n'
    'UID:yunnan-2020-2021-21@plan-tracker\r\n'
    'DTSTAMP:20210304T050607Z\r\n'
    'LAST-MODIFIED:20210304T050607Z\r\n'
    'SEQUENCE:2\r\n'
    'DTSTART;VALUE=DATE:20201231\r\n'
    'DTEND;VALUE=DATE:20210101\r\n'
    'SUMMARY:21 修订《昆明海关知识产权海关保护操作规程》\r\n'
    'DESCRIPTION:修订《昆明海关知识产权海关保护操作规程》。\r\n'
    ' (2020年12月底前完成)\\n\\n责任单位：昆明海关（牵头·推断\r\n'
    ' 待确认）、省公安厅（配合）\\n规划：云南省2020-2021年强\r\n'
    ' 化知识产权保护重点工作推进计划（yunnan-2020-2021）\\n章\r\n'
    ' 节：一、制定修订知识产权地方性法规和政策措施\\n状态\r\n'
    ' ：未开始\\n期限：2020-12-31（2020年12月底前完成） [原文]\\n\r\n'
    ' 原文：yunnan-2020-ip-protection-opinions.txt 第40–41行\\n查看：tr\r\n'
    ' acker show yunnan-2020-2021:21\r\n'
    'CATEGORIES:yunnan-2020-2021,一、制定修订知识产权地方性法规\r\n'
    ' 和政策措施\r\n'
    'STATUS:CONFIRMED\r\n'
    'TRANSP:TRANSPARENT\r\n'
    'BEGIN:VALARM\r\n'
    'ACTION:DISPLAY\r\n'
    'DESCRIPTION:任务期限提醒\r\n'
    'TRIGGER:-P6DT15H\r\n'
    'END:VALARM\r\n'
    'BEGIN:VALARM\r\n'
    'ACTION:DISPLAY\r\n'
    'DESCRIPTION:任务期限提醒\r\n'
    'TRIGGER:-PT15H\r\n'
    'END:VALARM\r\n'
    'END:VEVENT\r\n'
)


def test_golden_event_bytes() -> None:
    assert render_events(item(), OPTS) == "".join(GOLDEN).encode()


# ------------------------------------------------------------------ identity
def test_uid_depends_on_plan_and_key_only() -> None:
    assert task_uid("yunnan-2020-2021", "21") == "yunnan-2020-2021-21@plan-tracker"
    assert task_uid("yunnan-2020-2021", "3.1.1", "review") == "yunnan-2020-2021-3.1.1-review@plan-tracker"
    odd = task_uid("sichuan-2021-2025", "专栏3.1")
    assert odd == task_uid("sichuan-2021-2025", "专栏3.1") and odd.isascii() and "专栏" not in odd
    assert task_uid("a", "1-2") != task_uid("a-1", "2")
    assert task_uid("Plan With Spaces", "1").startswith("p") and " " not in task_uid("Plan With Spaces", "1")


# ------------------------------------------------------------------ events
def _event(data: bytes, n: int = 0) -> icalendar.Event:
    return icalendar.Calendar.from_ical(data).walk("VEVENT")[n]


def test_deadline_is_an_all_day_event_with_everything() -> None:
    data = calendar(render_events(item(), OPTS))
    strict(data)
    raw_lines_ok(data)
    text = data.decode()
    assert "DTSTART;VALUE=DATE:20201231\r\n" in text and "DTEND;VALUE=DATE:20210101\r\n" in text
    assert "UID:yunnan-2020-2021-21@plan-tracker\r\n" in text
    assert "DTSTAMP:20210304T050607Z\r\n" in text and "LAST-MODIFIED:20210304T050607Z\r\n" in text
    assert "SEQUENCE:2\r\n" in text and "TRANSP:TRANSPARENT\r\n" in text
    ev = _event(data)
    assert str(ev["SUMMARY"]) == "21 修订《昆明海关知识产权海关保护操作规程》"
    desc = str(ev["DESCRIPTION"])
    for part in ("(2020年12月底前完成)", "昆明海关（牵头·推断待确认）", "省公安厅（配合）", "（yunnan-2020-2021）",
                 "一、制定修订", "状态：未开始", "第40–41行", "tracker show yunnan-2020-2021:21"):
        assert part in desc
    assert [str(c) for c in ev["CATEGORIES"].cats] == ["yunnan-2020-2021", "一、制定修订知识产权地方性法规和政策措施"]
    alarms = ev.walk("VALARM")
    assert [a["TRIGGER"].dt for a in alarms] == [timedelta(days=-7, hours=9), timedelta(days=-1, hours=9)]
    assert all(str(a["ACTION"]) == "DISPLAY" and str(a["DESCRIPTION"]) for a in alarms)


def test_calendar_properties() -> None:
    data = calendar(render_events(item(), OPTS))
    text = data.decode()
    for line in ("NAME:测试 · 任务期限", "X-WR-CALNAME:测试 · 任务期限", "REFRESH-INTERVAL;VALUE=DURATION:PT12H",
                 "X-PUBLISHED-TTL:PT12H", "X-WR-TIMEZONE:Asia/Shanghai", "BEGIN:VTIMEZONE", "TZOFFSETTO:+0800",
                 "X-WR-CALDESC:说明\\, 含逗号\\; 分号"):
        assert line + "\r\n" in text
    assert "METHOD" not in text  # same bytes valid as CalDAV objects


@pytest.mark.parametrize(
    ("tz", "summer", "offsets"),
    [
        ("Asia/Shanghai", datetime(1988, 7, 1, 12), (timedelta(hours=9), timedelta(hours=8))),
        ("Europe/Berlin", datetime(2021, 7, 1, 12), (timedelta(hours=2), timedelta(hours=1))),
    ],
)
def test_the_vtimezone_carries_the_zones_daylight_saving_history(
    tz: str, summer: datetime, offsets: tuple[timedelta, timedelta]
) -> None:
    from dataclasses import replace

    data = calendar(render_events(item(), OPTS), opts=replace(OPTS, tz=tz))
    [zone] = icalendar.Calendar.from_ical(data).walk("VTIMEZONE")
    assert str(zone["TZID"]) == tz
    parsed = zone.to_tz()
    assert parsed.utcoffset(summer) == offsets[0]
    assert parsed.utcoffset(summer.replace(month=1)) == offsets[1]
    strict(data)


def test_an_unknown_zone_writes_no_vtimezone_and_the_feed_stays_valid() -> None:
    from dataclasses import replace

    data = calendar(render_events(item(), OPTS), opts=replace(OPTS, tz="Mars/Olympus"))
    assert b"BEGIN:VTIMEZONE" not in data
    strict(data)


def test_empty_feed_is_still_valid() -> None:
    data = calendar()
    strict(data)
    raw_lines_ok(data)
    assert icalendar.Calendar.from_ical(data).walk("VEVENT") == []


def test_phase_spans_its_window_and_reminds_before_its_end() -> None:
    data = calendar(render_events(item(kind="phase", start=date(2022, 11, 1), due=date(2025, 3, 31)), OPTS))
    strict(data)
    ev = _event(data)
    assert ev.decoded("DTSTART") == date(2022, 11, 1) and ev.decoded("DTEND") == date(2025, 4, 1)
    triggers = [(a["TRIGGER"].params.get("RELATED"), a["TRIGGER"].dt) for a in ev.walk("VALARM")]
    # 09:00 seven days and one day before 31 March, counted from the exclusive end (1 April).
    assert triggers == [("END", timedelta(days=-8, hours=9)), ("END", timedelta(days=-2, hours=9))]


def test_ongoing_task_recurs_on_review_dates_until_the_period_ends() -> None:
    import recurring_ical_events

    rec = Recurrence(date(2020, 3, 31), 3, date(2021, 12, 31))
    data = calendar(render_events(item(due=None, review=rec), OPTS))
    strict(data)
    assert "RRULE:FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1;UNTIL=20211231\r\n" in data.decode()
    cal = icalendar.Calendar.from_ical(data)
    days = [e.decoded("DTSTART") for e in recurring_ical_events.of(cal).between(date(2019, 1, 1), date(2030, 1, 1))]
    assert days == [date(2020, 3, 31), date(2020, 6, 30), date(2020, 9, 30), date(2020, 12, 31),
                    date(2021, 3, 31), date(2021, 6, 30), date(2021, 9, 30), date(2021, 12, 31)]
    assert str(cal.walk("VEVENT")[0]["UID"]) == "yunnan-2020-2021-21-review@plan-tracker"


def test_ongoing_task_with_a_deadline_has_both() -> None:
    rec = Recurrence(date(2020, 3, 31), 3, date(2021, 12, 31))
    data = calendar(render_events(item(review=rec), OPTS))
    uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(data).walk("VEVENT")]
    assert uids == ["yunnan-2020-2021-21@plan-tracker", "yunnan-2020-2021-21-review@plan-tracker"]


def test_overdue_marks_and_raises_last_modified() -> None:
    since = datetime(2021, 1, 1, 16, 0)  # 2021-01-01 00:00 in Shanghai
    data = calendar(render_events(item(overdue_since=since, last_change=datetime(2020, 10, 1)), OPTS))
    ev = _event(data)
    assert str(ev["SUMMARY"]).startswith("【逾期】21 ")
    assert ev.decoded("LAST-MODIFIED") == since.replace(tzinfo=UTC)
    later = datetime(2021, 6, 1)
    assert _event(calendar(render_events(item(overdue_since=since, last_change=later), OPTS))).decoded("DTSTAMP") == later.replace(tzinfo=UTC)


def test_done_is_ticked_without_reminders_and_cancelled_is_cancelled() -> None:
    done = _event(calendar(render_events(item(status="done", progress=100, deadline_done=True, review_done=True), OPTS)))
    assert str(done["SUMMARY"]).startswith("✓ 21 ") and str(done["STATUS"]) == "CONFIRMED"
    assert done.walk("VALARM") == []
    cancelled = _event(calendar(render_events(item(status="cancelled", review_done=True), OPTS)))
    assert str(cancelled["STATUS"]) == "CANCELLED" and cancelled.walk("VALARM") == []
    hidden = FeedOptions(hide_done=True)
    assert render_events(item(status="done", deadline_done=True, review_done=True), hidden) == b""


def test_met_deadline_of_an_ongoing_task_is_done_its_reviews_go_on() -> None:
    rec = Recurrence(date(2020, 3, 31), 3, date(2021, 12, 31))
    both = item(status="done", review=rec, deadline_done=True, review_done=False)
    events = icalendar.Calendar.from_ical(calendar(render_events(both, OPTS))).walk("VEVENT")
    assert [str(e["SUMMARY"])[:2] for e in events] == ["✓ ", "21"]
    only_reviews = render_events(both, FeedOptions(hide_done=True))
    assert only_reviews.count(b"BEGIN:VEVENT") == 1 and b"-review@" in only_reviews


def test_alarm_options() -> None:
    none = render_events(item(), FeedOptions(alarm_days=()))
    assert b"VALARM" not in none
    three = _event(calendar(render_events(item(), FeedOptions(alarm_days=(14, 3, 0), alarm_hour=8))))
    assert [a["TRIGGER"].dt for a in three.walk("VALARM")] == [timedelta(days=-14, hours=8), timedelta(days=-3, hours=8), timedelta(hours=8)]


def test_long_text_is_cut_with_a_pointer_to_the_source() -> None:
    long = "很长的任务内容" * 400
    desc = str(_event(calendar(render_events(item(text=long), FeedOptions(description_chars=100)))) ["DESCRIPTION"])
    assert "……（全文见原文 yunnan-2020-ip-protection-opinions.txt 第40–41行）" in desc
    assert len(desc) < 600


def test_english_labels() -> None:
    en = FeedOptions(lang="en")
    ev = _event(calendar(render_events(item(overdue_since=datetime(2021, 1, 1)), en), opts=en))
    assert str(ev["SUMMARY"]).startswith("[OVERDUE] 21 ")
    assert "Owners: 昆明海关（lead, inferred）" in str(ev["DESCRIPTION"])


# ------------------------------------------------------------------ to-dos
def test_todo_variant_has_due_status_and_percent() -> None:
    data = calendar(
        render_todos(item(status="doing", progress=40), OPTS),
        render_todos(item(key="22", number="22", status="done", progress=100, deadline_done=True, review_done=True,
                          done_on=date(2020, 12, 20)), OPTS),
        render_todos(item(key="23", number="23", due=None, review=Recurrence(date(2020, 3, 31), 3, date(2021, 12, 31))), OPTS),
    )
    strict(data)
    raw_lines_ok(data)
    todos = icalendar.Calendar.from_ical(data).walk("VTODO")
    assert [str(t["STATUS"]) for t in todos] == ["IN-PROCESS", "COMPLETED", "NEEDS-ACTION"]
    assert [int(t["PERCENT-COMPLETE"]) for t in todos] == [40, 100, 0]
    assert todos[0].decoded("DUE") == date(2020, 12, 31)
    assert todos[1].decoded("COMPLETED") == datetime(2020, 12, 20, 4, 0, tzinfo=UTC)  # noon in Shanghai
    assert todos[1].walk("VALARM") == []
    assert [a["TRIGGER"].dt for a in todos[0].walk("VALARM")] == [timedelta(days=-7, hours=9), timedelta(days=-1, hours=9)]
    assert str(todos[2]["UID"]) == "yunnan-2020-2021-23-review-todo@plan-tracker" and "RRULE" in todos[2]


# ------------------------------------------------------------------ size limit
def test_fit_feed_shortens_then_drops_closed_tasks_first() -> None:
    items = [item(key=str(k), number=str(k), text="任务内容很长。" * 300, due=date(2021, 1, 1) + timedelta(days=k))
             for k in range(30)]
    items[3] = item(key="3", number="3", text="旧的已完成任务。" * 300, status="done", deadline_done=True, review_done=True,
                    done_on=date(2020, 1, 1))
    full = assemble("u", "d", [render_events(i, OPTS) for i in items], 30, OPTS)
    assert full.size > 60_000
    fitted = fit_feed("u", "d", items, OPTS, limit=20_000)
    assert fitted.size <= 20_000 and len(fitted.body) == fitted.size and fitted.shortened
    assert fitted.dropped[0] == "yunnan-2020-2021:3"  # the closed one first
    assert fitted.dropped[1:] == [f"yunnan-2020-2021:{k}" for k in range(29, 29 - len(fitted.dropped) + 1, -1)]  # latest deadlines next
    strict(fitted.body)
    assert fitted.tasks == 30 - len(fitted.dropped)
