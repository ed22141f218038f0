"""The feed server under load: 200 keep-alive connections for 20 s and one client that reads
a byte a second. Nobody else sees an error, and the server's memory stays flat.

`tracker serve` runs as a real process (as in production); the subscribers are asyncio
connections in the test process speaking plain HTTP/1.1 with keep-alive, half of them
revalidating with If-None-Match as calendar clients do. The slow client is a blocking
socket with a tiny receive buffer, so the server's write to it really stalls (one handler
thread tied up, which must not hold back the others).

Memory is the server's VmRSS (/proc/PID/status), sampled once a second: after a warm-up (the
feeds are built and cached, every connection has its thread) it may not grow by more than
MEMORY_SLACK_MB by the end.
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import socket
import struct
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS
from tests.faults.support import run_tracker, tracker_cmd, tracker_env

CONNECTIONS = 200
DURATION_S = 20.0
WARM_UP_S = 5.0
MEMORY_SLACK_MB = 30
REQUEST_TIMEOUT_S = 30.0
SLOW_PIPELINED = 16  # requests the slow reader sends at once: 16 × ~400 KB outgrows the socket buffers


@dataclass
class Server:
    process: subprocess.Popen[str]
    host: str
    port: int
    paths: list[str]
    everything: str  # the all-tasks feed, the biggest
    log: str = ""  # the server's stderr, once stopped


@contextmanager
def serving(tmp_path: Path) -> Iterator[Server]:
    """`tracker serve` on the seeds; stopped with Ctrl-C on exit, its stderr kept in ``log``."""
    env = tracker_env(tmp_path, tmp_path / "load.db")
    imported = run_tracker(env, "import", str(SEEDS))
    assert imported.returncode == 0, imported.stderr
    proc = subprocess.Popen(tracker_cmd("serve", "--port", "0", "--as-of", "2021-07-01"), env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    server = Server(proc, "", 0, [], "")
    try:
        assert "serving calendar feeds on " in line, line
        base = line.split("serving calendar feeds on ", 1)[1].split(" ", 1)[0].rstrip("/")
        listed = json.loads(run_tracker(env, "feeds", "list", "--format", "json", "--base-url", base).stdout)
        server.paths = [a["url"][len(base):] for a in listed if a["url"]]
        server.paths += [p.replace(".ics", ".todo.ics") for p in server.paths[:10]]
        server.everything = next(a["url"][len(base):] for a in listed if a["scope"] == "all")
        host, port = base.split("://", 1)[1].rsplit(":", 1)
        server.host, server.port = host, int(port)
        yield server
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        server.log = line + err


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    per_client: Counter[int] = field(default_factory=Counter)


async def _request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, path: str, etag: str | None) -> tuple[int, str | None]:
    """One GET on a keep-alive connection; returns (status, ETag)."""
    extra = f"If-None-Match: {etag}\r\n" if etag else ""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: gzip\r\n{extra}\r\n".encode())
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("server closed the connection")
    status = int(status_line.split()[1])
    length, tag, closing = 0, None, False
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        key = name.strip().lower()
        if key == "content-length":
            length = int(value)
        elif key == "etag":
            tag = value.strip()
        elif key == "connection" and value.strip().lower() == "close":
            closing = True
    await reader.readexactly(length)
    if closing:
        raise ConnectionError("server asked to close a keep-alive connection")
    return status, tag


async def _subscriber(n: int, server: Server, stop_at: float, tally: Tally) -> None:
    rng = random.Random(n)
    etags: dict[str, str] = {}
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(server.host, server.port), REQUEST_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        tally.errors.append(f"client {n}: connect: {exc!r}")
        return
    try:
        while time.monotonic() < stop_at:
            path = rng.choice(server.paths)
            revalidate = n % 2 == 0 and path in etags
            status, tag = await asyncio.wait_for(
                _request(reader, writer, server.host, path, etags.get(path) if revalidate else None), REQUEST_TIMEOUT_S
            )
            if status not in (200, 304):
                tally.errors.append(f"client {n}: {status} for a feed")
            if tag:
                etags[path] = tag
            tally.statuses[status] += 1
            tally.per_client[n] += 1
    except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
        tally.errors.append(f"client {n}: {exc!r}")
    finally:
        writer.close()


def _slow_reader(server: Server, path: str, stop: threading.Event, got: list[int]) -> None:
    """Ask for the biggest feed many times over (pipelined), then read one byte a second.

    One ~400 KB feed fits in the kernel's loopback send buffer (autotuned up to 4 MB) and
    would leave the server's thread free; SLOW_PIPELINED copies do not, so the handler
    thread really blocks in write() for the whole run.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)  # before connect: a tiny window
    sock.settimeout(REQUEST_TIMEOUT_S)
    sock.connect((server.host, server.port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {server.host}\r\n\r\n".encode() * SLOW_PIPELINED)
    try:
        while not stop.wait(1.0):
            data = sock.recv(1)
            if not data:
                break
            got.append(len(data))
        # Leave politely: no more requests, read the rest to the server's close. (Leaving
        # with data unread resets the connection: see test_a_subscriber_leaving_mid_response_is_not_a_traceback.)
        sock.shutdown(socket.SHUT_WR)
        while sock.recv(1 << 16):
            pass
    finally:
        sock.close()


@pytest.mark.slow
def test_two_hundred_connections_and_a_slow_reader(tmp_path: Path) -> None:
    with serving(tmp_path) as server:
        _load(server)
    assert server.process.returncode == 0, server.log
    assert "Traceback" not in server.log, server.log


def _load(server: Server) -> None:
    samples: list[tuple[float, float]] = []
    stop_slow = threading.Event()
    slow_got: list[int] = []
    slow = threading.Thread(target=_slow_reader, args=(server, server.everything, stop_slow, slow_got), daemon=True)
    slow.start()

    tally = Tally()
    started = time.monotonic()
    stop_at = started + DURATION_S

    async def load() -> None:
        tasks = [asyncio.create_task(_subscriber(n, server, stop_at, tally)) for n in range(CONNECTIONS)]
        while time.monotonic() < stop_at:
            samples.append((time.monotonic() - started, rss_mb(server.process.pid)))
            await asyncio.sleep(1.0)
        await asyncio.gather(*tasks)
        samples.append((time.monotonic() - started, rss_mb(server.process.pid)))

    asyncio.run(load())
    stop_slow.set()
    slow.join(timeout=REQUEST_TIMEOUT_S)

    assert not tally.errors, tally.errors[:10]
    assert set(tally.statuses) <= {200, 304} and tally.statuses[304] > 0
    assert len(tally.per_client) == CONNECTIONS, "some connections never got an answer"
    assert len(slow_got) >= DURATION_S / 2, f"the slow reader was cut off after {len(slow_got)} bytes"
    warm = [mb for t, mb in samples if t >= WARM_UP_S]
    assert warm, samples
    growth = samples[-1][1] - warm[0]
    assert growth <= MEMORY_SLACK_MB, f"server memory grew {growth:.1f} MB after warm-up: {samples}"
    assert server.process.poll() is None  # still serving


def test_a_subscriber_leaving_mid_response_is_not_a_traceback(tmp_path: Path) -> None:
    with serving(tmp_path) as server:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        sock.connect((server.host, server.port))
        sock.sendall(f"GET {server.everything} HTTP/1.1\r\nHost: {server.host}\r\n\r\n".encode() * SLOW_PIPELINED)
        assert sock.recv(1)  # the server is writing
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()  # gone with data unread: the kernel resets the connection
        time.sleep(1.0)  # the server's blocked write fails at once; give its thread a moment to log
    assert server.process.returncode == 0, server.log
    assert "Traceback" not in server.log, server.log
