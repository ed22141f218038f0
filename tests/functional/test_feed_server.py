"""The feed server over real HTTP on loopback: secret URLs, caching, refusals, concurrency."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import ROOT, SEEDS, run_cli
from tests.ics import check_feed, events
from tracker.feeds.export import FeedAddress, ensure_addresses, export_ics, feed_filename, load_secret, rotate
from tracker.feeds.server import FeedServer, make_server
from tracker.services.tasks import resolve_task
from tracker.store.changes import Change, set_status

AS_OF = date(2021, 7, 1)


@dataclass
class Served:
    server: FeedServer
    engine: Engine
    secret: bytes
    addresses: dict[tuple[str, str], FeedAddress]

    def path(self, scope: str, target: str, *, todo: bool = False) -> str:
        url = self.addresses[(scope, target)].url("", todo=todo)
        assert url is not None
        return url

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        host, port = self.server.server_address[0], self.server.server_address[1]
        conn = http.client.HTTPConnection(str(host), port, timeout=30)
        try:
            conn.request(method, path, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    from tracker.extract.owners import Lexicon, default_lexicon_path
    from tracker.store.db import ensure_schema, make_engine
    from tracker.store.importer import import_paths

    folder = tmp_path_factory.mktemp("served")
    engine = make_engine(f"sqlite:///{folder / 'tracker.db'}")
    ensure_schema(engine)
    assert not import_paths(engine, [SEEDS], lexicon=Lexicon.load(default_lexicon_path())).errors
    secret = load_secret(folder / "home")
    assert secret is not None
    addresses = {(a.scope, a.target): a for a in ensure_addresses(engine, secret)}
    server = make_server(engine, port=0, recheck=0, as_of=AS_OF)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Served(server, engine, secret, addresses)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        engine.dispose()


# ------------------------------------------------------------------ caching
def test_feed_then_not_modified(served: Served) -> None:
    path = served.path("unit", "省公安厅")
    status, headers, body = served.get(path)
    assert status == 200 and headers["content-type"] == "text/calendar; charset=utf-8"
    assert headers["etag"] == f'"{hashlib.sha256(body).hexdigest()}"' and int(headers["content-length"]) == len(body)
    assert headers["cache-control"].startswith("private") and "last-modified" in headers
    cal = check_feed(body)
    assert str(cal["X-WR-CALNAME"]) == "省公安厅 · 任务期限"
    status, h304, body304 = served.get(path, {"If-None-Match": headers["etag"]})
    assert (status, body304) == (304, b"") and h304["etag"] == headers["etag"]
    assert served.get(path, {"If-None-Match": 'W/"nope", ' + headers["etag"]})[0] == 304
    assert served.get(path, {"If-None-Match": "*"})[0] == 304
    assert served.get(path, {"If-Modified-Since": headers["last-modified"]})[0] == 304
    assert served.get(path, {"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})[0] == 200
    # If-None-Match decides when both are sent (RFC 9110 §13.2.2).
    assert served.get(path, {"If-None-Match": '"other"', "If-Modified-Since": headers["last-modified"]})[0] == 200


def test_gzip_head_and_todo_variant(served: Served) -> None:
    path = served.path("plan", "yunnan-2020-2021")
    _, plain_headers, plain = served.get(path)
    status, headers, packed = served.get(path, {"Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers["content-encoding"] == "gzip" and gzip.decompress(packed) == plain
    assert len(packed) < len(plain) / 3 and headers["vary"] == "Accept-Encoding"
    assert served.get(path, {"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]})[0] == 304
    assert served.get(path, {"If-None-Match": headers["etag"]})[0] == 304  # same bytes, either encoding
    status, head_headers, head_body = served.get(path, method="HEAD")
    assert status == 200 and head_body == b"" and head_headers["content-length"] == plain_headers["content-length"]
    status, _, todo = served.get(served.path("plan", "yunnan-2020-2021", todo=True))
    assert status == 200 and len(check_feed(todo).walk("VTODO")) > 0


def test_served_bytes_are_the_exported_bytes(served: Served, tmp_path: Path) -> None:
    export_ics(served.engine, tmp_path, as_of=AS_OF, owner="省法院")
    _, _, body = served.get(served.path("unit", "省法院"))
    assert body == (tmp_path / (feed_filename("unit", "省法院") + ".ics")).read_bytes()


def test_revalidation_builds_nothing(served: Served) -> None:
    path = served.path("unit", "省司法厅")
    _, headers, _ = served.get(path)
    builds = served.server.cache.builds
    for _ in range(30):
        assert served.get(path, {"If-None-Match": headers["etag"]})[0] == 304
    assert served.server.cache.builds == builds


def test_a_change_gives_a_new_etag_and_a_higher_sequence(served: Served) -> None:
    path = served.path("unit", "省商务厅")
    _, headers, before = served.get(path)
    uid = next(u for u in events(before) if not u.endswith("-review@plan-tracker"))
    slug, key = uid.removesuffix("@plan-tracker").rsplit("-", 1)
    set_status(served.engine, resolve_task(served.engine, f"{slug}:{key}"), Change("alice"), status="doing", progress=10)
    status, after_headers, after = served.get(path, {"If-None-Match": headers["etag"]})
    assert status == 200 and after_headers["etag"] != headers["etag"]
    assert int(events(after)[uid]["SEQUENCE"]) > int(events(before)[uid]["SEQUENCE"])


# ------------------------------------------------------------------ refusals
def test_unknown_tokens_all_get_the_same_404(served: Served) -> None:
    real = served.path("unit", "省公安厅")
    paths = [
        f"/feeds/{secrets.token_urlsafe(32)}.ics", "/feeds/" + quote("省公安厅") + ".ics", "/feeds/../../etc/passwd", "/", "/feeds/",
        real.removesuffix(".ics"), real.replace(".ics", ".ICS"), real + "x", real[:-5] + ("B" if real[-5] == "A" else "A") + ".ics", "/index.html",  # one character off
    ]
    answers = {served.get(p)[0::2] for p in paths}
    assert answers == {(404, b"404 Not Found\n")}


def test_other_methods_get_405(served: Served) -> None:
    path = served.path("unit", "省公安厅")
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND"):
        status, headers, _ = served.get(path, method=method)
        assert status == 405 and headers["allow"] == "GET, HEAD"


def test_a_rotated_address_is_refused(served: Served) -> None:
    old = served.path("unit", "省教育厅")
    assert served.get(old)[0] == 200
    fresh = rotate(served.engine, served.secret, "unit", "省教育厅")
    new = fresh.url("")
    assert new is not None and new != old
    assert served.get(old)[0] == 404
    assert served.get(new)[0] == 200
    listed = {(a.scope, a.target): a for a in ensure_addresses(served.engine, served.secret)}
    assert listed[("unit", "省教育厅")].url("") == new  # re-derived, not stored
    served.addresses[("unit", "省教育厅")] = fresh


# ------------------------------------------------------------------ many subscribers
def test_a_slow_client_does_not_block_the_others(served: Served) -> None:
    host, port = served.server.server_address[0], served.server.server_address[1]
    stalled = socket.create_connection((str(host), port))
    stalled.sendall(b"GET /feeds/")  # and then nothing
    try:
        path = served.path("unit", "省公安厅")
        started = time.perf_counter()
        for _ in range(10):
            assert served.get(path)[0] == 200
        assert time.perf_counter() - started < 10
    finally:
        stalled.close()


def test_many_subscribers_at_once(served: Served) -> None:
    paths = [served.path("unit", u) for u in ("省公安厅", "省法院", "省检察院", "省科技厅")]
    results: list[int] = []
    lock = threading.Lock()

    def subscriber(k: int) -> None:
        host, port = served.server.server_address[0], served.server.server_address[1]
        conn = http.client.HTTPConnection(str(host), port, timeout=30)  # keep-alive: one connection
        etag = ""
        for _ in range(15):
            conn.request("GET", paths[k % len(paths)], headers={"If-None-Match": etag} if etag else {})
            resp = conn.getresponse()
            resp.read()
            etag = resp.getheader("ETag") or etag
            with lock:
                results.append(resp.status)
        conn.close()

    threads = [threading.Thread(target=subscriber, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 8 * 15 and set(results) <= {200, 304} and results.count(304) >= 8 * 14


# ------------------------------------------------------------------ the command
def test_serve_command(cli_env: dict[str, str]) -> None:
    run_cli(cli_env, "import")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracker", "serve", "--port", "0", "--as-of", "2021-07-01"],
        cwd=ROOT, env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "http://127.0.0.1:" in line, line
        base = line.split("serving calendar feeds on ", 1)[1].split(" ", 1)[0].rstrip("/")
        listed = json.loads(run_cli(cli_env, "feeds", "list", "--format", "json", "--base-url", base).stdout)
        police = next(a for a in listed if a["target"] == "省公安厅")
        assert police["webcal"] == police["url"].replace("http://", "webcal://") and police["known_here"]
        port = int(base.rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", police["url"][len(base):])
        resp = conn.getresponse()
        body = resp.read()
        assert resp.status == 200 and b"X-WR-CALNAME:\xe7\x9c\x81\xe5\x85\xac\xe5\xae\x89\xe5\x8e\x85" in body
        conn.close()
        rotated = run_cli(cli_env, "feeds", "rotate", "省公安厅", "--base-url", base).stdout.split()
        assert rotated[0].startswith(base) and rotated[0] != police["url"]
        # The server re-reads the addresses within --recheck (1 s by default).
        deadline = time.monotonic() + 10
        while True:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", police["url"][len(base):])
            status = conn.getresponse().status
            conn.close()
            if status == 404 or time.monotonic() > deadline:
                break
        assert status == 404
        # The key file that makes addresses re-derivable is private.
        assert (Path(cli_env["TRACKER_HOME"]) / "feed-secret.key").stat().st_mode & 0o077 == 0
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "已停止" in err
    assert police["url"].rsplit("/", 1)[1] not in err  # tokens never logged


def test_feeds_rotate_needs_one_target(cli_env: dict[str, str]) -> None:
    run_cli(cli_env, "import")
    assert run_cli(cli_env, "feeds", "rotate", check=False).returncode == 2
    assert run_cli(cli_env, "feeds", "rotate", "省公安厅", "--all", check=False).returncode == 2
    assert run_cli(cli_env, "feeds", "rotate", "没有的单位", check=False).returncode == 3
    assert run_cli(cli_env, "feeds", "rotate", "--plan", "yunnan-2020-2021").stdout.startswith("http://127.0.0.1:8080/feeds/")


def test_an_address_made_elsewhere_is_not_shown(served: Served, tmp_path: Path) -> None:
    other = load_secret(tmp_path)  # another machine's key
    assert other is not None and other != served.secret
    listed = {(a.scope, a.target): a for a in ensure_addresses(served.engine, other)}
    assert listed[("unit", "省公安厅")].token is None  # exists, but not derivable with this key
    assert os.stat(tmp_path / "feed-secret.key").st_mode & 0o777 == 0o600


def test_http_dates_never_go_backwards(served: Served) -> None:
    from email.utils import parsedate_to_datetime

    path = served.path("unit", "省外办")
    _, first, _ = served.get(path)
    set_status(served.engine, resolve_task(served.engine, "yunnan-2020-2021:88"), Change("bob"), status="doing")
    _, second, _ = served.get(path)
    assert parsedate_to_datetime(second["last-modified"]) >= parsedate_to_datetime(first["last-modified"])
    assert format_datetime(parsedate_to_datetime(second["last-modified"]), usegmt=True) == second["last-modified"]


def test_serving_from_either_database(seeded: Engine, tmp_path: Path) -> None:
    """The same server on SQLite and PostgreSQL (the fingerprint query is backend-neutral)."""
    secret = load_secret(tmp_path)
    assert secret is not None
    addresses = {(a.scope, a.target): a for a in ensure_addresses(seeded, secret)}
    server = make_server(seeded, port=0, recheck=0, as_of=AS_OF)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        s = Served(server, seeded, secret, addresses)
        path = s.path("plan", "yunyang-2022-2025")
        status, headers, body = s.get(path)
        assert status == 200 and check_feed(body)
        assert s.get(path, {"If-None-Match": headers["etag"]})[0] == 304
        set_status(seeded, resolve_task(seeded, "yunyang-2022-2025:（五）"), Change("carol"), status="doing")
        status, changed, _ = s.get(path, {"If-None-Match": headers["etag"]})
        assert status == 200 and changed["etag"] != headers["etag"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
