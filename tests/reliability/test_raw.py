"""The bad-input clients' reading of answers and their verdicts (no Docker)."""
import socket
import threading

import pytest

from reliability.raw import APP_LENIENT, Answer, SlowResult, burst, outcome, refused, send

OK = b'HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n<span data-views="7">7</span>\r\n'


def answer(response=b"", closed=False, error=""):
    return Answer(response, closed, 0.1, error)


def test_answer_reads_every_status_and_number_of_a_pipelined_response():
    response = OK + OK.replace(b'"7"', b'"8"') + b"HTTP/1.1 404 Not Found\r\n\r\n"
    assert (answer(response).statuses, answer(response).views) == ([200, 200, 404], [7, 8])


def test_answer_without_a_status_line_has_no_status():
    assert answer(b"garbage\r\n").status is None and answer(b"garbage\r\n").first_line == b"garbage"


@pytest.mark.parametrize("given, target, expected", [
    (answer(b"HTTP/1.1 400 Bad Request\r\n\r\n", closed=True), "nginx", True),
    (answer(b"HTTP/1.1 431 Too Large\r\n\r\n"), "app", True),
    (answer(b"HTTP/1.1 501 Not Implemented\r\n\r\n"), "nginx", True),
    (answer(b"HTTP/1.1 505 Version\r\n\r\n"), "app", True),
    (answer(b"421 Misdirected\r\n<html>"), "nginx", True),
    (answer(closed=True), "nginx", True),
    (answer(closed=False), "app", True),
    (answer(closed=False), "nginx", False),
    (answer(OK), "nginx", False),
    (answer(b"HTTP/1.1 500 Internal\r\n\r\n"), "app", False),
    (answer(b"HTTP/1.1 502 Bad Gateway\r\n\r\n"), "nginx", False),
    (answer(b"\x15\x03\x01"), "nginx", False),
    (answer(error="connection refused"), "nginx", False),
], ids=["400", "431", "501", "505", "bare-4xx", "closed", "app-held-open", "nginx-held-open", "200", "500",
        "502", "non-http", "no-connection"])
def test_refused_accepts_only_refusals(given, target, expected):
    assert refused(given, target) is expected


@pytest.mark.parametrize("given, expected", [
    (answer(OK + b"HTTP/1.1 400 Bad\r\n\r\n"), "200+400"),
    (answer(b"421 Misdirected\r\n"), "421 (HTTP/0.9, bare body)"),
    (answer(b"\x15\x03"), "non-HTTP answer"),
    (answer(closed=True), "closed"),
    (answer(), "held open, no answer in 3s"),
    (answer(error="timed out"), "no connection (timed out)"),
])
def test_outcome_names_what_came_back(given, expected):
    assert outcome(given) == expected


def test_slow_result_reports_the_span_of_the_servers_closes():
    result = SlowResult(closes=[10.2, 10.0, 10.1])
    assert (result.closed_by_server, result.first_close, result.last_close) == (3, 10.0, 10.2)
    assert SlowResult().first_close is None


def test_the_documented_leniencies_name_a_class_and_a_case():
    assert APP_LENIENT and all(key.split("/")[0].startswith("B") and "/" in key for key in APP_LENIENT)


@pytest.fixture
def server():
    """A loopback server that answers each connection with what the test
    puts in replies (None: reads and never answers), then closes."""
    listener = socket.create_server(("127.0.0.1", 0))
    replies = []

    def serve():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)
                reply = replies.pop(0) if replies else b""
                if reply is None:
                    connection.recv(65536)
                    continue
                connection.sendall(reply)

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1], replies
    listener.close()


def test_send_reads_until_the_server_closes(server):
    port, replies = server
    replies.append(OK)
    got = send("127.0.0.1", port, b"GET / HTTP/1.1\r\n\r\n", timeout=5)
    assert (got.statuses, got.views, got.closed) == ([200], [7], True)


def test_send_gives_up_after_its_timeout_on_a_silent_server(server):
    port, replies = server
    replies.append(None)
    got = send("127.0.0.1", port, b"GET", timeout=0.5)
    assert (got.response, got.closed) == (b"", False) and got.seconds < 3


def test_burst_counts_the_status_of_each_answer(server):
    port, replies = server
    replies.extend([OK, b"HTTP/1.1 429 Too Many\r\n\r\n", b""])
    sent, statuses = burst("127.0.0.1", port, 3, "/", timeout=5)
    assert (sent, dict(statuses)) == (3, {"200": 1, "429": 1, "closed": 1})
