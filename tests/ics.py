"""Checks for .ics bytes with parsers plan-tracker does not use to write them.

``ical`` (the strict parser Home Assistant uses) must accept every feed; ``icalendar`` reads
properties back (it unfolds and unescapes per RFC 5545); ``recurring-ical-events`` expands
RRULEs. The raw-byte rules (CRLF, 75 octets, UTF-8 per physical line) are checked here too,
since lenient parsers forgive their violation.
"""

from __future__ import annotations

from datetime import date

import icalendar
import recurring_ical_events
from ical.calendar_stream import IcsCalendarStream


def check_raw(data: bytes) -> None:
    """RFC 5545 §3.1: lines end in CRLF, are at most 75 octets, and each physical line is
    valid UTF-8 on its own (no fold inside a character)."""
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b""), "bare LF or CR"
    for line in data.split(b"\r\n")[:-1]:
        assert len(line) <= 75, line
        line.decode("utf-8")  # raises on a split character


def strict(data: bytes) -> object:
    """The strict parser's calendar (raises on anything invalid)."""
    return IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))


def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def check_feed(data: bytes) -> icalendar.Calendar:
    """All checks at once; the parsed calendar for further assertions."""
    check_raw(data)
    strict(data)
    cal = parse(data)
    uids = [str(c["UID"]) for c in cal.walk() if c.name in ("VEVENT", "VTODO")]
    assert len(uids) == len(set(uids)), "duplicate UID"
    for comp in cal.walk():
        if comp.name in ("VEVENT", "VTODO"):
            for prop in ("UID", "DTSTAMP", "LAST-MODIFIED", "SEQUENCE", "SUMMARY", "DESCRIPTION", "CATEGORIES"):
                assert prop in comp, (prop, comp.get("UID"))
        if comp.name == "VEVENT":
            assert comp["DTSTART"].params.get("VALUE") == "DATE" and comp["DTEND"].params.get("VALUE") == "DATE"
            assert comp.decoded("DTEND") > comp.decoded("DTSTART")
    return cal


def occurrences(data: bytes, start: date, end: date, components: tuple[str, ...] = ("VEVENT",)) -> list[icalendar.Component]:
    """Every occurrence between start and end, recurrences expanded."""
    return list(recurring_ical_events.of(parse(data), components=list(components)).between(start, end))


def events(data: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in parse(data).walk("VEVENT")}
