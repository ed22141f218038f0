"""A real CalDAV server takes the feeds: Radicale (started here, on loopback) stores every
exported feed as a calendar, validating each component (it answers 400 to an invalid one),
and the ``caldav`` client reads the events back — recurrences expanded by the server."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import caldav
import pytest

from tests.conftest import SEEDS
from tests.ics import occurrences, parse
from tracker.feeds.export import ExportReport, export_ics, feed_filename

AS_OF = date(2021, 7, 1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("radicale")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", "", "--server-hosts", f"127.0.0.1:{port}", "--auth-type", "none",
         "--storage-filesystem-folder", str(folder / "collections"), "--logging-level", "info"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stderr is not None
    ready = threading.Event()
    log: list[str] = []

    def drain() -> None:  # wait for "Listening on …", then keep the pipe from filling up
        assert proc.stderr is not None
        for line in proc.stderr:
            log.append(line)
            if "Listening on" in line:
                ready.set()
        ready.set()

    threading.Thread(target=drain, daemon=True).start()
    try:
        assert ready.wait(60) and proc.poll() is None, "".join(log)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ExportReport]:
    from tracker.extract.owners import Lexicon, default_lexicon_path
    from tracker.store.db import ensure_schema, make_engine
    from tracker.store.importer import import_paths

    folder = tmp_path_factory.mktemp("feeds")
    engine = make_engine(f"sqlite:///{folder / 'tracker.db'}")
    ensure_schema(engine)
    assert not import_paths(engine, [SEEDS], lexicon=Lexicon.load(default_lexicon_path())).errors
    report = export_ics(engine, folder / "exports", as_of=AS_OF, todo=True)
    engine.dispose()
    return folder / "exports", report


def _upload(client: caldav.DAVClient, name: str, data: bytes) -> caldav.Calendar:
    """A new calendar holding exactly this feed (Radicale replaces a collection on PUT)."""
    calendar = client.principal().make_calendar(name=name, cal_id=name)
    response = client.put(str(calendar.url), data, {"Content-Type": "text/calendar; charset=utf-8"})
    assert response.status in (200, 201), (name, response.status)
    return calendar


def test_radicale_stores_every_feed_and_caldav_reads_it_back(radicale: str, exported: tuple[Path, ExportReport]) -> None:
    folder, report = exported
    client = caldav.DAVClient(url=radicale, username="office", password="-")
    for k, f in enumerate(report.files):
        data = (folder / f.name).read_bytes()
        calendar = _upload(client, f"feed{k}", data)
        stored = calendar.todos(include_completed=True) if f.name.endswith(".todo.ics") else calendar.events()
        expected = {str(c["UID"]) for c in parse(data).walk("VTODO" if f.name.endswith(".todo.ics") else "VEVENT")}
        assert {str(o.icalendar_component["UID"]) for o in stored} == expected, f.name
        assert len(stored) == f.events


def test_the_server_expands_reviews_like_an_independent_library(radicale: str, exported: tuple[Path, ExportReport]) -> None:
    folder, _ = exported
    client = caldav.DAVClient(url=radicale, username="office", password="-")
    data = (folder / "plan-yunnan-2020-2021.ics").read_bytes()
    calendar = _upload(client, "yunnan", data)
    start, end = datetime(2021, 1, 1), datetime(2021, 12, 31, 23, 59)
    found = calendar.search(start=start, end=end, event=True, expand=True)
    mine = occurrences(data, start.date(), date(2022, 1, 1))
    ongoing = sum(1 for e in parse(data).walk("VEVENT") if str(e["UID"]).endswith("-review@plan-tracker"))
    assert ongoing > 50 and len(found) == len(mine)
    reviews = [o for o in found if str(o.icalendar_component["UID"]).endswith("-review@plan-tracker")]
    assert len(reviews) == ongoing * 4  # every ongoing task has four reviews in 2021


def test_radicale_really_checks(radicale: str, exported: tuple[Path, ExportReport]) -> None:
    folder, _ = exported
    client = caldav.DAVClient(url=radicale, username="office", password="-")
    data = (folder / (feed_filename("unit", "省公安厅") + ".ics")).read_bytes()
    broken = data.replace(b"DTEND;VALUE=DATE:", b"DTEND;VALUE=DATE:2021", 1)
    calendar = client.principal().make_calendar(name="broken", cal_id="broken")
    response = client.put(str(calendar.url), broken, {"Content-Type": "text/calendar; charset=utf-8"})
    assert response.status == 400
