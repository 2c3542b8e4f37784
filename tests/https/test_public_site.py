"""With PAGEVIEWS_DOMAIN set (local certificates): plain-HTTP requests for
the domain move to HTTPS but for ACME challenges and nginx's health check,
HTTPS sends them HSTS, localhost and addresses keep plain HTTP, and
testssl.sh finds the TLS settings sound. Writes testssl's findings to
docs/tls.md."""
import json
import pathlib
import ssl

import pytest

from harness.command import run
from harness.http import get
from https.tlsclient import (DOMAIN, curl, local_ca, presented_certificate, session_has_ticket, subject_alt_names,
                             web_address)
from https.tls_report import write_report

HTTP_PORT, HTTPS_PORT = 18230, 18231
HSTS_MAX_AGE = "86400"
REPO = pathlib.Path(__file__).resolve().parents[2]
# testssl.sh findings rated MEDIUM or worse that DECISIONS.md names and
# justifies (entry 27), by testssl's id.
JUSTIFIED = {"cert_revocation", "HSTS_time", "BREACH"}


@pytest.fixture(scope="module")
def cluster(compose_project):
    settings = {"PAGEVIEWS_HTTPS_PORT": str(HTTPS_PORT), "PAGEVIEWS_DOMAIN": DOMAIN,
                "PAGEVIEWS_HSTS_MAX_AGE": HSTS_MAX_AGE}
    with compose_project("pvt-https-domain", HTTP_PORT, env=settings) as project:
        yield project


@pytest.fixture(scope="module")
def ca(cluster):
    return local_ca(cluster)


REDIRECTED = ["/", "/api/views", "/x?y=1"]


@pytest.mark.parametrize("path", REDIRECTED)
def test_plain_http_is_moved_to_https(cluster, path):
    answer = get(cluster.web_url + path, headers={"Host": DOMAIN})
    expected = f"https://{DOMAIN}:{HTTPS_PORT}{path}"
    assert (answer.status, answer.headers.get("Location")) == (301, expected), \
        f"{path}: {answer.status} {answer.headers.get('Location')} {answer.error}"


@pytest.mark.parametrize("path, status", [("/nginx-health", 200), ("/.well-known/acme-challenge/none", 404)])
def test_acme_challenges_and_the_health_check_stay_on_plain_http(cluster, path, status):
    answer = get(cluster.web_url + path, headers={"Host": DOMAIN})
    assert answer.status == status, f"{path}: {answer.status} {answer.headers.get('Location')}"


@pytest.mark.parametrize("host", ["localhost", "an address"])
def test_requests_for_localhost_or_an_address_keep_plain_http(cluster, host):
    headers = {"Host": "localhost"} if host == "localhost" else {}
    answer = get(cluster.web_url + "/healthz", headers=headers)
    assert answer.status == 200, f"plain HTTP for {host}: {answer.status} {answer.headers.get('Location')}"


def test_https_sends_no_hsts_for_localhost(cluster, ca):
    _, status, headers, error = curl(web_address(cluster), "localhost", "/healthz", cafile=ca)
    assert status == 200 and "strict-transport-security" not in headers.lower(), f"{status} {error}\n{headers}"


def test_plain_http_sends_no_hsts(cluster):
    answer = get(cluster.web_url + "/nginx-health", headers={"Host": DOMAIN})
    assert "Strict-Transport-Security" not in answer.headers, answer.headers


def test_https_sends_hsts_with_the_configured_max_age(cluster, ca):
    _, status, headers, error = curl(web_address(cluster), DOMAIN, "/healthz", cafile=ca)
    assert status == 200 and f"strict-transport-security: max-age={HSTS_MAX_AGE}" in headers.lower(), \
        f"{status} {error}\n{headers}"


def test_the_local_certificate_names_the_domain(cluster):
    names = subject_alt_names(presented_certificate(web_address(cluster), DOMAIN))
    assert f"DNS:{DOMAIN}" in names and "DNS:localhost" in names, f"names: {names}"


@pytest.fixture(scope="module")
def findings(cluster, ca, https_test_image):
    """testssl.sh's findings against the HTTPS port, trusting the local CA;
    its files in tests/out, where the Docker host sees them too."""
    out = REPO / "tests" / "out" / "testssl"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ca.pem").write_text(pathlib.Path(ca).read_text())
    (out / "findings.json").unlink(missing_ok=True)
    done = run("docker", "run", "--rm", "--label", f"pageviews.test-project={cluster.name}",
               "--network", cluster.network("frontend"), "-v", f"{out}:/out", https_test_image,
               "testssl", "--quiet", "--color", "0", "--warnings", "batch", "--add-ca", "/out/ca.pem",
               "--jsonfile", "/out/findings.json", "--ip", web_address(cluster), f"https://{DOMAIN}/",
               check=False, timeout=840)
    assert (out / "findings.json").exists(), f"testssl wrote no findings (exit {done.returncode}):\n" \
                                             f"{done.stdout[-2000:]}{done.stderr[-1000:]}"
    found = json.loads((out / "findings.json").read_text())
    version = run("docker", "run", "--rm", https_test_image, "dpkg-query", "-W", "-f", "${Version}",
                  "testssl.sh").stdout.strip()
    write_report(REPO / "docs" / "tls.md", found, version, JUSTIFIED)
    return {finding["id"]: finding for finding in found}


@pytest.mark.parametrize("protocol", ["SSLv2", "SSLv3", "TLS1", "TLS1_1"])
def test_old_protocols_are_refused(findings, protocol):
    assert findings[protocol]["finding"] == "not offered", findings[protocol]


@pytest.mark.parametrize("protocol", ["TLS1_2", "TLS1_3"])
def test_tls_1_2_and_1_3_are_offered(findings, protocol):
    assert findings[protocol]["finding"].startswith("offered"), findings[protocol]


def test_forward_secrecy_is_offered(findings):
    assert findings["FS"]["severity"] == "OK" and findings["FS"]["finding"] == "offered", findings["FS"]


def test_http2_is_offered_by_alpn(findings):
    assert "h2" in findings["ALPN_HTTP2"]["finding"].split(), findings["ALPN_HTTP2"]


def test_tls_1_2_sends_no_session_ticket(cluster):
    # TLS 1.3's resumption uses stateful tickets from the shared cache
    # (DECISIONS.md, entry 27); a TLS 1.2 ticket would hold the session
    # encrypted under a key nginx keeps for its lifetime.
    assert not session_has_ticket(web_address(cluster), DOMAIN, ssl.TLSVersion.TLSv1_2)


def test_no_finding_is_medium_or_worse_unless_justified(findings):
    serious = {key: f"{value['severity']}: {value['finding']}" for key, value in findings.items()
               if value["severity"] in ("MEDIUM", "HIGH", "CRITICAL") and key not in JUSTIFIED}
    assert not serious, f"testssl findings rated MEDIUM or worse, not justified in DECISIONS.md: {serious}"


@pytest.mark.parametrize("finding", sorted(JUSTIFIED))
def test_each_justified_finding_is_named_in_decisions(finding):
    assert f"`{finding}`" in (REPO / "DECISIONS.md").read_text(), f"DECISIONS.md does not name `{finding}`"
