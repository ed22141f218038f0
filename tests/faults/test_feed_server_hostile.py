"""Issue 17, the feed server: a rotated address answers 404 on the very next request (not
``--recheck`` seconds later), and a GET with a body is never parsed as a second request.

`tracker serve` runs as a real process on SQLite and on the PostgreSQL server of the test
session; `tracker feeds rotate` is another process, as an office would run it.
"""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import ROOT, SEEDS
from tests.faults.support import run_tracker, tracker_cmd, tracker_env

SEED = SEEDS / "yunyang-2022-ip-county-plan.txt"
UNIT = "县法院"


@contextmanager
def serving(env: dict[str, str], *extra: str) -> Iterator[tuple[str, int]]:
    """`tracker serve --port 0` (and ``extra``) until the block ends; yields (host, port)."""
    proc = subprocess.Popen(tracker_cmd("serve", "--port", "0", *extra), env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    try:
        line = proc.stderr.readline()
        assert "serving calendar feeds on " in line, line + (proc.stderr.read() if proc.poll() is not None else "")
        base = line.split("serving calendar feeds on ", 1)[1].split(" ", 1)[0].rstrip("/")
        host, port = base.split("://", 1)[1].rsplit(":", 1)
        yield host, int(port)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def _get(host: str, port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()


def _unit_path(env: dict[str, str]) -> str:
    listed = json.loads(run_tracker(env, "feeds", "list", "--format", "json", "--base-url", "", timeout=60).stdout)
    [url] = [a["url"] for a in listed if a["scope"] == "unit" and a["target"] == UNIT]
    assert url.startswith("/feeds/")
    return str(url)


def test_rotated_address_answers_404_on_the_next_request(db_url: str, tmp_path: Path) -> None:
    """`--recheck 3600`: the content is rechecked once an hour, the address on every request."""
    env = tracker_env(tmp_path, db_url)
    assert run_tracker(env, "import", str(SEED), timeout=120).returncode == 0
    old = _unit_path(env)
    with serving(env, "--recheck", "3600", "--as-of", "2023-06-01") as (host, port):
        status, headers = _get(host, port, old)
        assert status == 200
        assert _get(host, port, old, {"If-None-Match": headers["etag"]})[0] == 304  # the cached path
        rotated = run_tracker(env, "feeds", "rotate", UNIT, "--base-url", "", timeout=60)
        assert rotated.returncode == 0, rotated.stderr
        new = rotated.stdout.splitlines()[0]
        assert new != old
        assert _get(host, port, old, {"If-None-Match": headers["etag"]})[0] == 404  # the very next request
        assert _get(host, port, old)[0] == 404
        assert _get(host, port, new)[0] == 200
        # Rotated again: the second address dies at once too.
        again = run_tracker(env, "feeds", "rotate", UNIT, "--base-url", "", timeout=60).stdout.splitlines()[0]
        assert _get(host, port, new)[0] == 404
        assert _get(host, port, again)[0] == 200


def _exchange(host: str, port: int, payload: bytes) -> bytes:
    """Send ``payload`` on one connection and read until the server closes it (or 5 s pass)."""
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(payload)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except TimeoutError:
            pass
    return data


def test_get_with_a_body_is_not_answered_twice(tmp_path: Path) -> None:
    """Request smuggling: the body of a GET used to be parsed as a second request and
    answered; now the GET is refused with 400 and the connection closed."""
    env = tracker_env(tmp_path, tmp_path / "t.db")
    assert run_tracker(env, "import", str(SEED), timeout=120).returncode == 0
    feed = _unit_path(env)
    with serving(env, "--as-of", "2023-06-01") as (host, port):
        smuggled = f"GET {feed} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
        for method in ("GET", "HEAD"):
            head = f"{method} /feeds/none.ics HTTP/1.1\r\nHost: x\r\nContent-Length: {len(smuggled)}\r\n\r\n".encode()
            answer = _exchange(host, port, head + smuggled)
            assert answer.count(b"HTTP/1.1 ") == 1, answer[:300]
            assert answer.startswith(b"HTTP/1.1 400 "), answer[:100]
            assert b"Connection: close" in answer
        chunked = b"GET /feeds/none.ics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % len(smuggled) + smuggled + b"\r\n0\r\n\r\n"
        answer = _exchange(host, port, chunked)
        assert answer.count(b"HTTP/1.1 ") == 1 and answer.startswith(b"HTTP/1.1 400 "), answer[:300]
        # A body-less GET with Content-Length: 0 is an ordinary request; keep-alive works.
        plain = f"GET {feed} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".encode()
        with socket.create_connection((host, port), timeout=10) as sock:
            sock.sendall(plain + plain)
            data = b""
            while data.count(b"HTTP/1.1 200 ") < 2:
                chunk = sock.recv(65536)
                assert chunk, data[:200]
                data += chunk
