"""HTTP requests from the tests container, one connection per request (as a
browser's first visit), each returning a Record with its outcome."""
import http.client
import ssl
import time
import urllib.parse

from harness.command import run
from harness.records import Record


def request(url, method="GET", headers=None, body=None, timeout=10.0, request_id="", tls=None):
    """Sends one request on a new connection; never raises for network errors
    (they become the Record's error), so a failure message can say what was
    seen. An https URL is verified with tls (an ssl.SSLContext; the system's
    CAs when None) against the URL's host name."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    all_headers = dict(headers or {})
    if request_id:
        all_headers["X-Request-ID"] = request_id
    record = Record(started=time.time(), seconds=0.0, request_id=request_id)
    clock = time.monotonic()
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.hostname, parts.port or 443, timeout=timeout,
                                                 context=tls or ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    try:
        try:
            connection.connect()
        except OSError as error:
            # No connection: nothing was sent.
            record.error, record.refused = f"connect: {error}", True
            return record
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        record.status = response.status
        record.headers = dict(response.getheaders())
        record.body = response.read().decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as error:
        record.error = f"{type(error).__name__}: {error}"
    finally:
        connection.close()
        record.seconds = time.monotonic() - clock
    return record


def get(url, **options):
    return request(url, "GET", **options)


def via_host_port(tools_image, port, path="/", *curl_options):
    """GET through the host's published port: from a throwaway container on
    the host's network, since the tests container has its own loopback.
    Only for checks about the published port itself."""
    done = run("docker", "run", "--rm", "--network", "host", tools_image,
               "curl", "-sS", "--max-time", "10", "-o", "/dev/stdout", "-w", "\n%{http_code}",
               *curl_options, f"http://127.0.0.1:{port}{path}", check=False)
    body, _, status = done.stdout.rpartition("\n")
    record = Record(started=time.time(), seconds=0.0, body=body, error=done.stderr.strip())
    record.status = int(status) if status.strip().isdigit() and status.strip() != "000" else None
    return record
