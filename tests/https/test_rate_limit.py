"""The per-client rate limit on counted views: a burst over it is answered
429 with Retry-After, counted nowhere and logged, while another client
counts on; behind trusted proxies each client behind them has its own
limit, and X-Forwarded-For from anyone else changes nothing."""
import json

import pytest

from harness.command import run
from harness.compose import TESTS_CONTAINER
from harness.http import get
from harness.wait import wait_for

HTTP_PORT, HTTPS_PORT = 18226, 18227
# Low, so that one client's sequential requests go over it at any speed.
RATE, BURST = 1, 5
REQUESTS = 30


@pytest.fixture(scope="module")
def cluster(compose_project):
    settings = {"PAGEVIEWS_HTTPS_PORT": str(HTTPS_PORT), "PAGEVIEWS_RATE_LIMIT": str(RATE),
                "PAGEVIEWS_RATE_BURST": str(BURST)}
    with compose_project("pvt-https-rate", HTTP_PORT, env=settings) as project:
        yield project


def burst(url, headers=None):
    return [get(url, headers=headers) for _ in range(REQUESTS)]


def statuses(records):
    return [record.status for record in records]


def another_client(cluster, tools_image, forwarded_for=("",)):
    """Status codes of GET / from a container of its own on the frontend
    network (another client address): one request per X-Forwarded-For
    value, none sent for ''."""
    script = ('for value in "$@"; do curl -s -o /dev/null -w "%{http_code} " '
              '${value:+-H "X-Forwarded-For: $value"} "$URL"; done')
    done = run("docker", "run", "--rm", "--label", f"pageviews.test-project={cluster.name}",
               "--network", cluster.network("frontend"), "-e", f"URL={cluster.web_url}/", tools_image,
               "bash", "-c", script, "client", *forwarded_for)
    return [int(status) for status in done.stdout.split()]


@pytest.fixture(scope="module")
def limited(cluster):
    """One client's burst over the limit, with the count before and after."""
    before = cluster.db_count()
    records = burst(cluster.web_url + "/")
    return records, before, cluster.db_count()


def test_a_burst_over_the_limit_is_answered_429(limited):
    records, _, _ = limited
    seen = statuses(records)
    assert seen.count(429) >= REQUESTS // 2 and seen.count(200) >= BURST and set(seen) == {200, 429}, \
        f"{REQUESTS} requests at once (limit {RATE}/s, burst {BURST}): {seen}"


def test_limited_views_are_not_counted(limited):
    records, before, after = limited
    counted = statuses(records).count(200)
    assert after - before == counted, f"{counted} views answered 200, the count rose by {after - before}"


def test_a_429_says_when_to_retry(limited):
    answer = next(record for record in limited[0] if record.status == 429)
    assert answer.headers.get("Retry-After") == "1", answer.headers


def test_each_429_is_logged(cluster, limited):
    expected = statuses(limited[0]).count(429)

    def logged():
        lines = cluster.compose("logs", "--no-color", "--no-log-prefix", "web").stdout.splitlines()
        # Compose may start a line with a terminal control sequence.
        entries = [json.loads(line[line.index('{"time"'):]) for line in lines if '{"time"' in line]
        return sum(1 for entry in entries if entry.get("status") == 429)

    wait_for(f"{expected} 429s in nginx's access log", lambda: logged() >= expected, timeout=60,
             seen=lambda: f"{logged()} logged")


def test_another_client_is_not_limited(cluster, limited, images):
    limited_now = statuses(burst(cluster.web_url + "/"))
    other = another_client(cluster, images["tools"])
    assert limited_now[-1] == 429 and other == [200], f"one client: {limited_now}; another, just after: {other}"


@pytest.fixture(scope="module")
def behind_proxy(cluster, limited):
    """nginx recreated with the tests container as a trusted proxy (after the
    tests above: its limits start afresh)."""
    address = cluster.ip(TESTS_CONTAINER)
    cluster.env["PAGEVIEWS_TRUSTED_PROXIES"] = f"{address}/32"
    cluster.compose("up", "--detach", "--no-build", "--no-deps", "web")
    wait_for("nginx recreated and healthy", lambda: cluster.healthy("web") == 1, timeout=180)
    wait_for("nginx serving", lambda: get(cluster.web_url + "/healthz").status == 200, timeout=60)
    return address


def test_clients_behind_a_trusted_proxy_are_limited_separately(cluster, behind_proxy):
    first = statuses(burst(cluster.web_url + "/", headers={"X-Forwarded-For": "198.51.100.1"}))
    second = get(cluster.web_url + "/", headers={"X-Forwarded-For": "198.51.100.2"}).status
    assert 429 in first and second == 200, f"client 1 through the proxy: {first}; client 2: {second}"


def test_forged_x_forwarded_for_from_an_untrusted_address_changes_nothing(cluster, behind_proxy, images):
    forged = [f"203.0.113.{index}" for index in range(1, REQUESTS + 1)]
    seen = another_client(cluster, images["tools"], forwarded_for=forged)
    assert 429 in seen, f"{REQUESTS} requests, each with another forged X-Forwarded-For: {seen}"
