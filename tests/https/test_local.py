"""PAGEVIEWS_TLS_CERTS=local without a domain, the default of a fresh clone:
HTTPS with a certificate from the installation's own CA, HTTP/2, and plain
HTTP exactly as before (no redirect, no HSTS)."""
import pytest

from harness.http import get
from https.tlsclient import curl, local_ca, presented_certificate, raw_over_tls, subject_alt_names, web_address

HTTP_PORT, HTTPS_PORT = 18222, 18223


@pytest.fixture(scope="module")
def cluster(compose_project):
    with compose_project("pvt-https-local", HTTP_PORT, env={"PAGEVIEWS_HTTPS_PORT": str(HTTPS_PORT)}) as project:
        yield project


@pytest.fixture(scope="module")
def ca(cluster):
    return local_ca(cluster)


def test_the_chain_verifies_against_the_local_ca(cluster, ca):
    _, status, _, error = curl(web_address(cluster), "localhost", "/healthz", cafile=ca)
    assert status == 200, f"https://localhost/ against the local CA: {error or status}"


def test_the_certificate_names_the_loopback_addresses(cluster):
    names = subject_alt_names(presented_certificate(web_address(cluster), "localhost"))
    assert {"IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1"} <= set(names), f"names: {names}"


def test_curl_over_http2_counts_a_view(cluster, ca):
    before = cluster.db_count()
    version, status, _, error = curl(web_address(cluster), "localhost", "/", cafile=ca, options=["--http2"])
    after = cluster.db_count()
    assert (version, status) == ("2", 200), f"curl --http2: HTTP/{version} {status} {error}"
    assert after == before + 1, f"the count went from {before} to {after} for one view over HTTP/2"


def test_the_key_is_root_s_alone(cluster):
    listing = cluster.exec("web", "stat", "-c", "%a %u %n", "/etc/nginx/tls/server.pem").stdout.split()
    assert listing[:2] == ["600", "0"], f"server.pem is mode {listing[0]}, owner {listing[1]}; expected 600 and root"


def test_no_key_reaches_a_log(cluster):
    logs = cluster.compose("logs", "--no-color").stdout
    assert "PRIVATE KEY" not in logs, "a private key is in the services' logs"


def test_plain_http_is_served_as_before(cluster):
    answer = get(cluster.web_url + "/healthz")
    assert answer.status == 200 and "Strict-Transport-Security" not in answer.headers, \
        f"plain HTTP without a domain: {answer.status} {answer.headers}"


def test_https_sends_no_hsts_without_a_domain(cluster, ca):
    _, status, headers, error = curl(web_address(cluster), "localhost", "/healthz", cafile=ca)
    assert status == 200 and "strict-transport-security" not in headers.lower(), f"{status} {error}\n{headers}"


HOST = b"Host: localhost\r\n"
# One request of each class of bad input that nginx refuses over plain HTTP
# (tests/reliability: bad input), now through TLS.
BAD_INPUT = {
    "B1 bad version": b"GET / HTTP/1.x\r\n" + HOST + b"\r\n",
    "B2 TRACE": b"TRACE / HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n",
    "B3 no Host": b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
    "B4 64 KB header": b"GET / HTTP/1.1\r\n" + HOST + b"X-Big: " + b"a" * 65536 + b"\r\n\r\n",
    "B5 10 KB path": b"GET /" + b"p" * 10240 + b" HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n",
    "B7 raw NUL": b"GET /\x00 HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n",
    "B8 dot-dot": b"GET /../../etc/passwd HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n",
    "B9 two lengths": b"GET / HTTP/1.1\r\n" + HOST + b"Content-Length: 0\r\nContent-Length: 5\r\n\r\nhello",
    "B10 chunked body": b"GET / HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "unknown host": b"GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n",
}


@pytest.mark.parametrize("request_bytes", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_over_tls_is_refused_uncounted(cluster, request_bytes):
    before = cluster.db_count()
    answer = raw_over_tls(web_address(cluster), "localhost", request_bytes)
    after = cluster.db_count()
    status_line = answer.split(b"\r\n", 1)[0]
    refused = status_line[9:10] == b"4" or status_line[9:12] in (b"501", b"505") or answer == b""
    assert refused, f"answered {status_line[:80]!r}"
    assert after == before, f"the count went from {before} to {after}"
