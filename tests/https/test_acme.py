"""PAGEVIEWS_TLS_CERTS=acme, offline: certbot gets a certificate for the
test domain from Pebble by HTTP-01 through nginx's webroot, nginx serves
it (a client trusting only Pebble's root verifies it), and a forced renewal
under steady HTTPS load is served without a restart and without one failed
request."""
import pytest

from harness.http import get
from harness.load import Load
from harness.wait import wait_for
from https.tlsclient import DOMAIN, context, pem_file, presented_certificate, serial, web_address

HTTP_PORT, HTTPS_PORT = 18228, 18229
CLIENTS = 4


@pytest.fixture(scope="module")
def cluster(compose_project, https_test_image):
    settings = {"PAGEVIEWS_HTTPS_PORT": str(HTTPS_PORT), "PAGEVIEWS_TLS_CERTS": "acme", "PAGEVIEWS_DOMAIN": DOMAIN,
                "PAGEVIEWS_ACME_DIRECTORY": "https://pebble:14000/dir", "PAGEVIEWS_ACME_EMAIL": "ops@pageviews.test",
                "PAGEVIEWS_HTTPS_TEST_IMAGE": https_test_image}
    with compose_project("pvt-https-acme", HTTP_PORT, env=settings, files=["tests/https/compose.acme.yml"]) as project:
        yield project


def installed_source(cluster):
    """What the tls volume's certificate is: placeholder, local or acme."""
    done = cluster.exec("web", "cat", "/etc/nginx/tls/server.source", check=False)
    return done.stdout.split(" ", 1)[0]


def served_serial(cluster):
    return serial(presented_certificate(web_address(cluster), DOMAIN))


def obtained_serial(cluster):
    """The serial of the certificate certbot holds now."""
    done = cluster.exec("certbot", "openssl", "x509", "-noout", "-serial", "-in",
                        "/etc/letsencrypt/live/pageviews/cert.pem")
    return done.stdout.strip().partition("=")[2]


@pytest.fixture(scope="module")
def pebble_root(cluster):
    """Pebble's root, from its management port: the only CA a client trusts."""
    done = cluster.exec("pebble", "curl", "-sf", "--cacert", "/pebble-ca/ca.pem", "https://pebble:15000/roots/0")
    assert "BEGIN CERTIFICATE" in done.stdout, f"no root from Pebble: {done.stdout[:200]!r}"
    return pem_file(done.stdout, "pebble-root.pem")


@pytest.fixture(scope="module")
def first_certificate(cluster):
    """Waits for certbot's first certificate to be served (it starts once
    nginx is healthy, serving the placeholder meanwhile); its serial."""
    wait_for("certbot's certificate installed", lambda: installed_source(cluster) == "acme", timeout=300,
             seen=lambda: f"{installed_source(cluster)!r}; certbot: "
                          f"{cluster.compose('logs', '--tail', '5', 'certbot', check=False).stdout}")
    obtained = obtained_serial(cluster)
    wait_for(f"nginx serving certificate {obtained}", lambda: served_serial(cluster) == obtained, timeout=120,
             seen=lambda: f"serial {served_serial(cluster)}")
    return obtained


def test_a_client_trusting_only_pebble_verifies_the_served_certificate(cluster, pebble_root, first_certificate):
    answer = get(f"https://{DOMAIN}/healthz", tls=context(pebble_root))
    assert answer.status == 200, f"https://{DOMAIN}/ against Pebble's root: {answer.status} {answer.error}"


def test_a_forced_renewal_under_load_is_served_without_a_failed_request(cluster, pebble_root, first_certificate):
    started = web_started(cluster)
    with Load(f"https://{DOMAIN}/", clients=CLIENTS, period=0.2, seconds=600, count=3000, name="renewal",
              tls=context(pebble_root)) as load:
        load.wait_for_requests(20)
        # At once: certbot renew waits a random while when run without a
        # terminal, to spread a CA's load.
        cluster.exec("certbot", "certbot", "renew", "--force-renewal", "--no-random-sleep-on-renew",
                     "--cert-name", "pageviews", "--deploy-hook", "pageviews-install-cert")
        renewed = obtained_serial(cluster)
        wait_for(f"nginx serving the renewed certificate {renewed}", lambda: served_serial(cluster) == renewed,
                 timeout=180, seen=lambda: f"serial {served_serial(cluster)}")
        load.wait_for_requests(len(load.records) + 20)
    records = load.stop()
    failed = [f"{record.status} {record.error}" for record in records if record.status != 200]
    assert not failed, f"{len(failed)} of {len(records)} requests failed across the renewal: {failed[:5]}"
    assert renewed != first_certificate
    assert web_started(cluster) == started, "nginx's container restarted; the certificate must come by reload"


def web_started(cluster):
    """The web container's id and start time: unchanged unless it restarted."""
    container = cluster.container("web")
    return container, cluster.inspect(container)["State"]["StartedAt"]
