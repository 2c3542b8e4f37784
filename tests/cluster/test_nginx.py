"""host -> nginx: the published port, and what nginx itself answers or
adds before any request reaches the app."""
import re
import uuid

import pytest

from cluster.helpers import api_views, number_of, page
from harness.http import request, via_host_port

SECURITY_HEADERS = ["Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"]


def test_the_published_port_serves_the_page_with_its_number(cluster, images):
    record = via_host_port(images["tools"], cluster.http_port, "/")
    assert record.number is not None, f"host port {cluster.http_port}: {record.describe()}"


def test_nginx_answers_its_own_health_check(cluster):
    record = page(cluster, "/nginx-health")
    assert (record.status, record.body.strip()) == (200, "ok"), record.describe()


def test_the_number_rises_by_exactly_one_per_view(cluster):
    numbers = [number_of(page(cluster)) for _ in range(6)]
    assert [later - earlier for earlier, later in zip(numbers, numbers[1:])] == [1] * 5, numbers


def test_head_passes_through_and_counts_nothing(cluster):
    before = api_views(cluster)
    head = request(cluster.web_url + "/", "HEAD")
    assert (head.status, api_views(cluster)) == (200, before), head.describe()


def test_nginx_hides_its_version(cluster):
    record = page(cluster)
    assert record.header("Server") == "nginx", record.headers


@pytest.mark.parametrize("name", SECURITY_HEADERS)
def test_the_page_carries_the_security_header(cluster, name):
    record = page(cluster)
    assert record.header(name), f"{name} missing; headers: {record.headers}"


def test_a_request_id_is_generated_when_the_client_sends_none(cluster):
    record = page(cluster, "/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", record.header("X-Request-ID") or ""), record.headers


def test_the_clients_request_id_is_kept(cluster):
    sent = f"clustertest-{uuid.uuid4().hex}"
    record = page(cluster, "/healthz", request_id=sent)
    assert record.header("X-Request-ID") == sent, record.headers


def test_an_unknown_host_is_refused_with_421_and_not_counted(cluster):
    before = api_views(cluster)
    record = page(cluster, headers={"Host": "unknown.example"})
    assert (record.status, api_views(cluster)) == (421, before), record.describe()


def test_nginx_answers_the_favicon_itself_with_204(cluster):
    record = page(cluster, "/favicon.ico")
    assert record.status == 204, record.describe()
