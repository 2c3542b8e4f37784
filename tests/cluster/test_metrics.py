"""Prometheus metrics: on a port of the app's own, on the backend network;
no spelling of /metrics reaches them through nginx or the app's HTTP port
(Drogon matches paths case-insensitively and decodes them, nginx matches
exact bytes)."""
import http.client

import pytest

from cluster.helpers import api_views, container_env

SPELLINGS = [
    "/metrics", "/METRICS", "/Metrics", "/mEtRiCs", "/metrics/", "/METRICS/", "/metrics//", "/%6detrics",
    "/%6Detrics", "/%6D%65trics", "/%2fmetrics", "/%2Fmetrics", "/metrics%2f", "/metrics?", "/metrics?x",
    "/METRICS?x=1", "//metrics", "///metrics", "/./metrics", "/x/../metrics", "/metrics/.", "/metrics%20",
    "/metrics%09", "/metrics;x", "/metrics%3b", "/METRICS%2F",
]


def raw_get(host, port, path):
    """(status, body) of GET path sent byte for byte as written (no
    normalisation), or (None, error)."""
    connection = http.client.HTTPConnection(host, port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as error:
        return None, str(error)
    finally:
        connection.close()


def answers_metrics(host, port, path):
    _, body = raw_get(host, port, path)
    return any(line.startswith(("# TYPE ", "# HELP ")) for line in body.splitlines())


@pytest.fixture(scope="module")
def app(cluster):
    return cluster.container_ids("app")[0]


@pytest.fixture(scope="module")
def metrics_port(cluster, app):
    return container_env(cluster, app, "PAGEVIEWS_METRICS_PORT")


def test_the_app_has_a_metrics_port_of_its_own(metrics_port):
    assert metrics_port and metrics_port.isdigit() and metrics_port != "8000", f"PAGEVIEWS_METRICS_PORT={metrics_port}"


def test_the_metrics_port_answers_prometheus_text_on_the_backend(cluster, app, metrics_port):
    status, body = raw_get(cluster.ip(app, "backend"), int(metrics_port), "/metrics")
    assert "# TYPE pageviews_http_requests_total counter" in body.splitlines(), f"{status}: {body[:200]!r}"


@pytest.mark.parametrize("side", ["nginx", "app:8000"])
def test_no_spelling_of_metrics_answers_metrics(cluster, app, metrics_port, side):
    if side == "nginx":
        host, port = cluster.ip(cluster.container("web"), "frontend"), 80
    else:
        host, port = cluster.ip(app, "frontend"), 8000
    # The control: without it, a probe that never finds metrics would pass.
    assert answers_metrics(cluster.ip(app, "backend"), int(metrics_port), "/metrics"), \
        "control: the probe finds no metrics on the metrics port either"
    leaks = [path for path in SPELLINGS if answers_metrics(host, port, path)]
    assert leaks == [], f"{len(leaks)} of {len(SPELLINGS)} spellings answer metrics through {side}"


def test_the_metrics_port_serves_nothing_else_and_counts_nothing(cluster, app, metrics_port):
    before = api_views(cluster)
    host = cluster.ip(app, "backend")
    statuses = [raw_get(host, int(metrics_port), path)[0] for path in ("/", "/api/views", "/METRICS", "/metrics/")]
    assert (statuses, api_views(cluster)) == ([404] * 4, before)
