"""Raw TCP clients for the bad-input rows (B1-B17): exact bytes on a
connection of their own, and the attacks (slow headers, slow bodies, a burst
from one address, a pipelined flood), each bounded in time by construction
whatever the server does. Reading an answer and judging it are pure
functions, unit-tested in test_raw.py."""
import dataclasses
import errno
import re
import selectors
import socket
import time
from collections import Counter
from typing import Optional

CONNECT_TIMEOUT = 3.0
_STATUS = re.compile(rb"(?:^|\n)HTTP/\d\.\d (\d{3})")
_VIEWS = re.compile(rb'data-views="(\d+)"')
_BARE_4XX = re.compile(rb"^4\d\d ")

# Requests the app accepts because of its HTTP framework (Drogon 1.9), which
# it cannot tell from a valid request once parsed: "class/case" -> why.
# nginx refuses every one of them and is the only client that can reach the
# app, so they are reported (with the one view each may count) instead of
# failing their class; docs/reliability.md lists them among its choices.
APP_LENIENT = {
    "B1/missing-target": "Drogon 1.9 reads an empty request target as / (newer Drogon refuses it)",
}


@dataclasses.dataclass
class Answer:
    """How a server answered bytes sent on one connection."""
    response: bytes
    closed: bool  # the server closed the connection
    seconds: float
    error: str = ""  # no connection could be made

    @property
    def statuses(self):
        return [int(status) for status in _STATUS.findall(self.response)]

    @property
    def status(self):
        statuses = self.statuses
        return statuses[0] if statuses else None

    @property
    def views(self):
        return [int(number) for number in _VIEWS.findall(self.response)]

    @property
    def first_line(self):
        return self.response.split(b"\n", 1)[0].rstrip(b"\r")


def refused(answer, target):
    """A request that must be refused was: a 4xx, 501 or 505 (HTTP's refusal
    of an unsupported transfer coding or version), nginx's own 4xx as
    HTTP/0.9 (a bare body), or the connection closed with no answer (nginx's
    444). From the app ("app"), a connection held open without any answer
    is also a refusal: Drogon waits for the rest of a request line it cannot
    parse yet, and its idle timeout closes it; it counts nothing."""
    if answer.error:
        return False
    if answer.status is not None:
        return 400 <= answer.status < 500 or answer.status in (501, 505)
    if answer.response:
        return bool(_BARE_4XX.match(answer.response))
    return answer.closed or target == "app"


def outcome(answer, timeout=CONNECT_TIMEOUT):
    """What an answer was, in a few words."""
    if answer.error:
        return f"no connection ({answer.error})"
    if answer.statuses:
        return "+".join(str(status) for status in answer.statuses)
    if _BARE_4XX.match(answer.response):
        return f"{answer.response[:3].decode()} (HTTP/0.9, bare body)"
    if answer.response:
        return "non-HTTP answer"
    if answer.closed:
        return "closed"
    return f"held open, no answer in {timeout:g}s"


def send(host, port, request, timeout=CONNECT_TIMEOUT):
    """Sends request's bytes as they are and reads until the server closes,
    4 MiB came, or timeout seconds passed since connecting."""
    start = time.monotonic()
    try:
        sock = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT)
    except OSError as error:
        return Answer(b"", True, time.monotonic() - start, error=str(error))
    response, closed = b"", False
    with sock:
        try:
            # The server may close early (a 400 on a huge header): that is an answer.
            sock.sendall(request)
        except OSError:
            pass
        while len(response) <= 4 * 1024 * 1024:
            left = timeout - (time.monotonic() - start)
            if left <= 0:
                break
            sock.settimeout(left)
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            except OSError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            response += chunk
    return Answer(response, closed, time.monotonic() - start)


@dataclasses.dataclass
class SlowResult:
    """What a slow client saw: times in seconds; first_close and last_close
    from the first connection, longest_hold from a connection's opening to
    the server closing it, oldest_open the age of the oldest connection still
    open at the end (None: there was none)."""
    opened: int = 0
    refused: int = 0
    answered: int = 0
    closes: list = dataclasses.field(default_factory=list)
    still_open: int = 0
    longest_hold: Optional[float] = None
    oldest_open: Optional[float] = None

    @property
    def closed_by_server(self):
        return len(self.closes)

    @property
    def first_close(self):
        return min(self.closes) if self.closes else None

    @property
    def last_close(self):
        return max(self.closes) if self.closes else None


def slow_client(host, port, conns, seconds, interval, mode="headers"):
    """Opens conns connections and keeps each busy for at most seconds, then
    closes everything. mode "headers" (slowloris): the start of a GET / and
    one more header line every interval seconds, never ending the headers.
    mode "body": a whole GET / header block announcing Content-Length: 1000,
    then one body byte every interval seconds; every other connection names
    a Host nginx does not serve, so both its servers are tried, and a
    connection the server closes is replaced at once (at most 50 a pass, so
    that a wave of closes does not hide the next ones), as an attacker would."""
    if mode not in ("headers", "body"):
        raise ValueError(f"mode must be headers or body, not {mode!r}")
    result, selector, opened_at = SlowResult(), selectors.DefaultSelector(), {}
    start = time.monotonic()

    def open_one():
        number = result.opened + 1
        try:
            sock = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT)
        except OSError:
            result.refused += 1
            return
        result.opened = number
        if mode == "body":
            name = "localhost" if number % 2 else "unknown.invalid"
            head = f"GET / HTTP/1.1\r\nHost: {name}\r\nX-Slow-Body: {number}\r\nContent-Length: 1000\r\n\r\n"
        else:
            head = f"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slowloris: {number}\r\n"
        sock.setblocking(False)
        try:
            sock.send(head.encode())
        except OSError:
            pass
        opened_at[sock] = time.monotonic()
        selector.register(sock, selectors.EVENT_READ, {"answered": False})

    def closed_by_server(sock):
        now = time.monotonic()
        hold = now - opened_at.pop(sock)
        result.longest_hold = hold if result.longest_hold is None else max(result.longest_hold, hold)
        selector.unregister(sock)
        sock.close()
        result.closes.append(now - start)

    for _ in range(conns):
        if time.monotonic() - start > seconds / 2:
            break
        open_one()
    next_send, line, owed = time.monotonic() + interval, 0, 0
    while time.monotonic() - start < seconds and (opened_at or owed):
        wait = 0 if owed else max(0.0, next_send - time.monotonic())
        for key, _ in selector.select(wait):
            # An answer (nginx's 400 to a body) may come before the close.
            try:
                chunk = key.fileobj.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if chunk:
                if not key.data["answered"]:
                    key.data["answered"] = True
                    result.answered += 1
                continue
            closed_by_server(key.fileobj)
            owed += mode == "body"
        if time.monotonic() - start >= seconds - 1:
            owed = 0
        for _ in range(min(owed, 50)):
            owed -= 1
            open_one()
        if time.monotonic() >= next_send:
            line += 1
            more = b"x" if mode == "body" else f"X-Slow-{line}: {line}\r\n".encode()
            for sock in list(opened_at):
                try:
                    if sock.send(more) > 0:
                        continue
                except BlockingIOError:
                    continue
                except OSError:
                    pass
                closed_by_server(sock)
                owed += mode == "body"
            next_send = time.monotonic() + interval
    now = time.monotonic()
    result.still_open = len(opened_at)
    if opened_at:
        result.oldest_open = max(now - opened for opened in opened_at.values())
    for sock in opened_at:
        sock.close()
    selector.close()
    return result


def burst(host, port, conns, path, timeout, on_sent=None):
    """Many requests in flight from one address at once: opens conns
    connections first, then sends GET path on each in one quick loop, calls
    on_sent(), and reads each answer's status line for at most timeout
    seconds. Returns (sent, Counter of statuses, "closed" for a close
    without an answer, "unanswered" for none within the time)."""
    socks = []
    for _ in range(conns):
        try:
            socks.append(socket.create_connection((host, port), timeout=CONNECT_TIMEOUT))
        except OSError:
            pass
    start, sent = time.monotonic(), 0
    request = f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode()
    for sock in socks:
        try:
            sock.sendall(request)
            sent += 1
        except OSError:
            pass
    if on_sent:
        on_sent()
    statuses, heads, selector = Counter(), {}, selectors.DefaultSelector()
    for sock in socks:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
    while selector.get_map() and time.monotonic() - start < timeout:
        for key, _ in selector.select(timeout - (time.monotonic() - start)):
            sock = key.fileobj
            try:
                chunk = sock.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            heads[sock] = heads.get(sock, b"") + chunk
            match = re.match(rb"HTTP/\d\.\d (\d{3})", heads[sock])
            if match:
                statuses[match.group(1).decode()] += 1
            elif chunk:
                continue
            else:
                statuses["closed"] += 1
            selector.unregister(sock)
    statuses["unanswered"] += len(selector.get_map())
    for sock in socks:
        sock.close()
    selector.close()
    return sent, +statuses


def pipeline_flood(host, port, count, hold):
    """Writes count GET / on one connection as fast as the server takes
    them, reads no answer, keeps the connection open until hold seconds after
    connecting, then closes it. Returns (requests fully written, why writing
    stopped early or "")."""
    request = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
    everything = memoryview(request * count)
    start = time.monotonic()
    sock = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT)
    sock.setblocking(False)
    offset, stopped = 0, ""
    with sock, selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_WRITE)
        while offset < len(everything):
            left = hold - (time.monotonic() - start)
            if left <= 0:
                stopped = "the server stopped reading"
                break
            if not selector.select(left):
                continue
            try:
                offset += sock.send(everything[offset:offset + 65536])
            except BlockingIOError:
                continue
            except OSError as error:
                stopped = errno.errorcode.get(error.errno, str(error))
                break
        rest = hold - (time.monotonic() - start)
        if rest > 0:
            time.sleep(rest)
    return offset // len(request), stopped
