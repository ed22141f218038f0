"""`tracker serve`: each unit's and plan's feed, live from the database, at a secret URL.

``GET /feeds/<token>.ics`` (VEVENT feed) and ``GET /feeds/<token>.todo.ics`` (VTODO feed);
tokens come from ``tracker feeds list`` (tracker.feeds.export explains how they are made). Built on
the standard library's ``ThreadingHTTPServer``: one thread per connection, so a slow or
stalled subscriber ties up only its own thread (and is dropped after ``timeout`` seconds of
silence), never the others.

**Caching.** Subscribers poll (Google every 8–24 h, Outlook ~3 h, Thunderbird every 30 min)
and mostly revalidate. A feed is built once per (token, database state, day) and kept with
its strong ETag (sha256 of the bytes) and, lazily, its gzip form. The database state is a
cheap fingerprint (counts and maxima over tasks, history, owners, plans, units, addresses:
one query) taken at most once every ``recheck`` seconds, by one thread while the others go
on with the state they know: a revalidation never waits on the database and never builds a
feed. ``If-None-Match`` is answered first, then ``If-Modified-Since``; ``Last-Modified`` is
the latest change the database recorded or the latest instant a task in the feed became
overdue, whichever is later, so it never moves backwards, even when a task leaves a feed.

**Revocation is immediate.** Which tokens are valid is not part of that cached state: every
request first asks the database, on one connection kept for the purpose, for the version of
the address table (its highest id and how many addresses are revoked: `tracker feeds
rotate` changes both, and rows are never deleted) and reloads the addresses when it moved.
On SQLite the table is asked only when ``PRAGMA data_version`` says another connection has
committed since (a microsecond); bench/feeds.py measures the cost on the 304 path. So the very next request after a rotation gets its 404, whatever
``recheck`` is; a database that cannot answer gives 503, never a revoked feed.

**One request per request.** A GET or HEAD carrying a body (``Content-Length`` other than
0, or any ``Transfer-Encoding``) is refused with 400 and the connection closed: left unread,
the body would be parsed as the next request, which behind a reverse proxy is request
smuggling.

**What strangers learn: nothing.** An unknown or revoked token, a malformed path and a
path outside ``/feeds/`` all get the same 404 with the same body; other methods get 405.
Tokens never reach the log (paths are redacted). The server binds to 127.0.0.1 unless told
otherwise: publishing it is a decision for whoever puts a reverse proxy with TLS in front.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime, formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from tracker.feeds.export import (
    FEED_PATH,
    FeedSpec,
    active_tokens,
    build_feed,
    fingerprint,
    is_token_shaped,
    last_change,
    token_hash,
)
from tracker.feeds.ical import FeedOptions
from tracker.store.models import feed_token_t

NOT_FOUND = b"404 Not Found\n"
NOT_ALLOWED = b"405 Method Not Allowed\n"
BAD_REQUEST = b"400 Bad Request\n"


@dataclass
class CachedFeed:
    """One built feed and its validators."""

    body: bytes
    etag: str  # the quoted strong ETag of the identity body
    tag: str  # the bare hash, for If-None-Match comparisons whatever the encoding
    last_modified: datetime
    http_date: str
    _gzip: bytes | None = field(default=None, repr=False)

    @property
    def gzip(self) -> bytes:
        if self._gzip is None:
            self._gzip = gzip.compress(self.body, compresslevel=6, mtime=0)  # mtime=0: same bytes every time
        return self._gzip


@dataclass(frozen=True)
class State:
    """What a feed's bytes depend on besides its options: the database and the day."""

    as_of: date
    fingerprint: tuple[Any, ...]


class FeedCache:
    """Feeds by (scope, target, variant), rebuilt only when the database state or the day
    changed; token → feed resolution from the active addresses of the same state."""

    def __init__(
        self,
        engine: Engine,
        opts: FeedOptions,
        *,
        recheck: float = 1.0,
        as_of: date | None = None,
    ) -> None:
        self.engine = engine
        self.opts = opts
        self.recheck = recheck
        self.fixed_as_of = as_of
        self._state: State | None = None
        self._checked_at = 0.0
        self._watch = TokenWatch(engine)
        self._token_version: tuple[Any, ...] | None = None
        self._check_lock = threading.Lock()
        self._tokens: dict[str, tuple[str, str]] = {}
        self._feeds: dict[tuple[str, str, bool], tuple[State, CachedFeed]] = {}
        self._build_locks: dict[tuple[str, str, bool], threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self.builds = 0  # feeds built so far (tests check the 304 path builds nothing)

    def today(self) -> date:
        if self.fixed_as_of is not None:
            return self.fixed_as_of
        return datetime.now(ZoneInfo(self.opts.tz)).date()

    def state(self) -> State:
        """The current state, re-read from the database at most every ``recheck`` seconds.
        While one thread re-reads it, the others use the state they know."""
        now = time.monotonic()
        current = self._state
        if current is not None and now - self._checked_at < self.recheck:
            return current
        blocking = current is None
        if not self._check_lock.acquire(blocking=blocking):
            return current  # type: ignore[return-value]  # not None: non-blocking only then
        try:
            if self._state is not None and self._state is not current and time.monotonic() - self._checked_at < self.recheck:
                return self._state
            fresh = State(self.today(), fingerprint(self.engine))
            if fresh != self._state:
                self._state = fresh
            self._checked_at = time.monotonic()
            return self._state
        finally:
            self._check_lock.release()

    def resolve(self, token: str) -> tuple[tuple[str, str], State] | None:
        """The feed a token names, checked against the address table as it is now."""
        version = self._watch.version()
        if version != self._token_version:
            with self._check_lock:
                if version != self._token_version:
                    self._tokens = active_tokens(self.engine)
                    self._token_version = version
        state = self.state()
        found = self._tokens.get(token_hash(token))
        return (found, state) if found is not None else None

    def close(self) -> None:
        self._watch.close()

    def feed(self, scope: str, target: str, todo: bool, state: State) -> CachedFeed:
        key = (scope, target, todo)
        entry = self._feeds.get(key)
        if entry is not None and entry[0] == state:
            return entry[1]
        with self._locks_lock:
            lock = self._build_locks.setdefault(key, threading.Lock())
        with lock:  # one build per feed at a time; the others wait for it, then reuse it
            entry = self._feeds.get(key)
            if entry is not None and entry[0] == state:
                return entry[1]
            built = build_feed(self.engine, FeedSpec(scope, target, ""), state.as_of, self.opts, todo=todo)
            self.builds += 1
            body = built.feed.body
            digest = hashlib.sha256(body).hexdigest()
            moment = max(last_change(state.fingerprint), built.latest or datetime(1970, 1, 1, tzinfo=UTC))
            previous = entry[1] if entry is not None else None
            if previous is not None and previous.tag == digest:
                moment = previous.last_modified  # same bytes: keep the validators
            elif previous is not None and moment < previous.last_modified:
                moment = previous.last_modified  # never backwards
            cached = CachedFeed(body, f'"{digest}"', digest, moment, format_datetime(moment.astimezone(UTC), usegmt=True))
            self._feeds[key] = (state, cached)
            return cached


class TokenWatch:
    """The version of the address table, asked of the database on every call, on one
    connection kept open for it (a pool checkout would cost more than the query).

    On SQLite, ``PRAGMA data_version`` (which changes when any other connection, in any
    process, commits) is asked first, a microsecond: the table is queried only after a
    commit somewhere. PostgreSQL has no such counter; the query there is one round trip.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self._lock = threading.Lock()
        self._conn: Any = None
        self._data_version: Any = None
        self._version: tuple[Any, ...] = ()
        self._sql = f'SELECT max(id), count(revoked_at) FROM "{feed_token_t.name}"'

    def version(self) -> tuple[Any, ...]:
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = self.engine.raw_connection()
                    if not self._sqlite:
                        self._conn.driver_connection.autocommit = True  # every query sees the latest commit
                    self._conn.detach()  # ours alone: never handed back to the pool in autocommit
                    self._data_version = None
                cur = self._conn.cursor()
                try:
                    if self._sqlite:
                        cur.execute("PRAGMA data_version")
                        seen = cur.fetchone()[0]
                        if seen == self._data_version:
                            return self._version
                    cur.execute(self._sql)
                    self._version = tuple(cur.fetchone())
                    if self._sqlite:
                        self._data_version = seen
                finally:
                    cur.close()
            except Exception:
                self.close()  # a broken connection is made again on the next request
                raise
            return self._version

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None


class _Clock:
    """The Date header, formatted once a second (formatdate costs more than the rest of a
    revalidation)."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._text = formatdate(second, usegmt=True)
            self._second = second
        return self._text


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True  # Ctrl-C does not wait for idle keep-alive connections
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], cache: FeedCache, *, verbose: bool = False, timeout: float = 30.0) -> None:
        self.cache = cache
        self.verbose = verbose
        self.clock = _Clock()
        # A silent client is dropped after ``timeout`` seconds (StreamRequestHandler.timeout).
        handler = type("FeedHandler", (FeedHandler,), {"timeout": timeout})
        super().__init__(address, handler)

    def server_close(self) -> None:
        super().server_close()
        self.cache.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A subscriber that leaves mid-response or stalls past the timeout is routine for a
        feed server: say so in one line (when verbose), never a traceback on stderr."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError | OSError):
            if self.verbose:
                print(f"feed client {client_address[0]} left: {type(exc).__name__}", file=sys.stderr)
            return
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host, port = self.server_address[0], self.server_address[1]
        name = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}/"


def _etags(header: str) -> list[str]:
    """Entity tags of an If-None-Match header, bare (no W/, quotes or encoding suffix)."""
    tags = []
    for part in header.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        tag = tag.strip('"')
        if tag.endswith("-gzip"):
            tag = tag[:-5]
        if tag:
            tags.append(tag)
    return tags


def _wants_gzip(header: str | None) -> bool:
    """Whether Accept-Encoding accepts gzip (``gzip``, ``x-gzip`` or ``*`` with q > 0).

    >>> _wants_gzip("gzip, deflate"), _wants_gzip("br;q=1, gzip;q=0"), _wants_gzip(None), _wants_gzip("*;q=0.5")
    (True, False, False, True)
    """
    if not header:
        return False
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() not in ("gzip", "x-gzip", "*"):
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        return q > 0
    return False


class FeedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: subscribers polling many feeds reuse one connection
    server_version = "plan-tracker"
    sys_version = ""
    disable_nagle_algorithm = True  # a response is one write; do not hold it back for an ACK
    server: FeedServer

    # ------------------------------------------------------------- methods
    def do_GET(self) -> None:
        self._feed(head=False)

    def do_HEAD(self) -> None:
        self._feed(head=True)

    def __getattr__(self, name: str) -> Any:
        # Every other method (POST, PUT, DELETE, PROPFIND …) is refused with 405, not the
        # 501 BaseHTTPRequestHandler gives for methods it has no do_ method for.
        if name.startswith("do_"):
            return self._not_allowed
        raise AttributeError(name)

    def _not_allowed(self) -> None:
        self.close_connection = True  # a request body we did not read must not be taken for the next request
        self._send(405, "Method Not Allowed", [("Allow", "GET, HEAD"), ("Content-Type", "text/plain; charset=utf-8")],
                   NOT_ALLOWED, head=False)

    # ------------------------------------------------------------- feeds
    def _has_body(self) -> bool:
        """Whether the request says a body follows (a GET or HEAD has none to give)."""
        if self.headers.get("Transfer-Encoding") is not None:
            return True
        lengths = self.headers.get_all("Content-Length") or []
        return any(value.strip() != "0" for value in lengths)

    def _feed(self, *, head: bool) -> None:
        if self._has_body():
            self.close_connection = True  # the unread body must not be taken for the next request
            self._send(400, "Bad Request", [("Content-Type", "text/plain; charset=utf-8")], BAD_REQUEST, head=head)
            return
        path = self.path.split("?", 1)[0]
        found = None
        todo = False
        if path.startswith(FEED_PATH):
            name = path[len(FEED_PATH):]
            if name.endswith(".todo.ics"):
                token, todo = name[: -len(".todo.ics")], True
            elif name.endswith(".ics"):
                token = name[: -len(".ics")]
            else:
                token = ""
            if is_token_shaped(token):
                try:
                    found = self.server.cache.resolve(token)
                except Exception as exc:  # the database cannot say whether the token is valid
                    self.log_error("token check failed: %s", exc)
                    self._unavailable(head)
                    return
        if found is None:
            self._send(404, "Not Found", [("Content-Type", "text/plain; charset=utf-8")], NOT_FOUND, head=head)
            return
        (scope, target), state = found
        try:
            feed = self.server.cache.feed(scope, target, todo, state)
        except Exception as exc:  # a database error: say so without details, log it
            self.log_error("feed build failed: %s", exc)
            self._unavailable(head)
            return
        gz = _wants_gzip(self.headers.get("Accept-Encoding"))
        common = [
            ("ETag", f'"{feed.tag}-gzip"' if gz else feed.etag),
            ("Last-Modified", feed.http_date),
            ("Cache-Control", "private, no-cache"),
            ("Vary", "Accept-Encoding"),
        ]
        if self._not_modified(feed):
            self._send(304, "Not Modified", common, b"", head=True)
            return
        headers = [("Content-Type", "text/calendar; charset=utf-8"), *common, ("X-Content-Type-Options", "nosniff")]
        if gz:
            headers.append(("Content-Encoding", "gzip"))
        self._send(200, "OK", headers, feed.gzip if gz else feed.body, head=head)

    def _unavailable(self, head: bool) -> None:
        self._send(503, "Service Unavailable", [("Content-Type", "text/plain; charset=utf-8"), ("Retry-After", "60")],
                   b"503 Service Unavailable\n", head=head)

    def _not_modified(self, feed: CachedFeed) -> bool:
        """RFC 9110 §13.2.2: If-None-Match first; If-Modified-Since only without it."""
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return inm.strip() == "*" or feed.tag in _etags(inm)
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError, IndexError):
                return False
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
            return feed.last_modified.replace(microsecond=0) <= since
        return False

    # ------------------------------------------------------------- plumbing
    def _send(self, code: int, reason: str, headers: list[tuple[str, str]], body: bytes, *, head: bool) -> None:
        """Status line, headers and body in one write (with TCP_NODELAY: no 40 ms stall)."""
        lines = [f"HTTP/1.1 {code} {reason}", f"Date: {self.server.clock.now()}", "Server: plan-tracker"]
        lines += [f"{k}: {v}" for k, v in headers]
        if code != 304:
            lines.append(f"Content-Length: {len(body)}")
        if self.close_connection:
            lines.append("Connection: close")
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if not head and code != 304:
            payload += body
        self.wfile.write(payload)
        if self.server.verbose:
            self.log_request(code)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.server.verbose:
            super().log_request(code, size)

    def log_message(self, format: str, *args: Any) -> None:
        # Never log a token: "GET /feeds/<token>.ics" becomes "GET /feeds/….ics".
        text = (format % args).replace("\n", " ")
        if FEED_PATH in text:
            head, _, rest = text.partition(FEED_PATH)
            tail = rest.split(" ", 1)
            suffix = ".todo.ics" if tail[0].endswith(".todo.ics") else ".ics" if tail[0].endswith(".ics") else ""
            text = f"{head}{FEED_PATH}…{suffix}" + (f" {tail[1]}" if len(tail) > 1 else "")
        sys.stderr.write(f"{self.address_string()} - [{self.log_date_time_string()}] {text}\n")


def make_server(
    engine: Engine,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    opts: FeedOptions | None = None,
    recheck: float = 1.0,
    as_of: date | None = None,
    verbose: bool = False,
) -> FeedServer:
    """A feed server bound to ``host:port`` (port 0: any free port; see ``server.url``)."""
    cache = FeedCache(engine, opts or FeedOptions(), recheck=recheck, as_of=as_of)
    if ":" in host:
        return FeedServer6((host, port), cache, verbose=verbose)
    return FeedServer((host, port), cache, verbose=verbose)


class FeedServer6(FeedServer):
    address_family = socket.AF_INET6
