"""Reading nginx's JSON access log (no Docker)."""
import json

import pytest

from reliability import nginx_log


def line(request_id, status=200, addr="172.28.0.2:8000", upstream_status="200"):
    return json.dumps({"time": "2026-12-01T07:00:00+00:00", "request_id": request_id, "status": status,
                       "upstream_addr": addr, "upstream_status": upstream_status})


def test_parse_keeps_only_the_requests_with_the_prefix_and_skips_other_lines():
    text = "\n".join([
        line("f3-1-1"),
        '2026/12/01 07:00:00 [notice] 1#1: signal 1 (SIGHUP) received',
        line("f4-1-1"),
        "{not json",
        line("f3-1-2"),
    ])
    assert sorted(nginx_log.parse(text, "f3-")) == ["f3-1-1", "f3-1-2"]


def test_parse_splits_the_replicas_tried_in_order():
    proxied = nginx_log.parse(line("r", addr="172.28.0.2:8000, 172.28.0.3:8000", upstream_status="502, 200"))["r"]
    assert (proxied.first_tried, proxied.served_by) == ("172.28.0.2:8000", "172.28.0.3:8000")
    assert proxied.upstream_statuses == ["502", "200"]


@pytest.mark.parametrize("statuses, resent", [
    ("200", False),
    ("502", False),  # no other replica tried: the client saw the 502
    ("502, 200", True),
    ("503, 200", False),  # a 503 is "not counted": re-sending it loses nothing
    ("503, 502, 200", True),
    ("502 : 200", True),  # an internal redirect's separator
    ("", False),  # nginx answered itself (no replica live)
])
def test_resent_after_error_means_a_502_that_is_not_the_last_answer(statuses, resent):
    requests = nginx_log.parse(line("r", upstream_status=statuses))
    assert requests["r"].resent_after_error is resent
    assert nginx_log.resent_after_error(requests) == int(resent)


@pytest.mark.parametrize("addr, statuses, nginx_answered", [
    ("", "", True),
    ("app", "502", True),  # no live replica: the upstream group's name
    ("172.28.0.2:8000", "503", False),
    ("172.28.0.2:8000, app", "503, 502", True),
])
def test_nginx_answered_means_no_replica_gave_the_answer(addr, statuses, nginx_answered):
    proxied = nginx_log.parse(line("r", status=503, addr=addr, upstream_status=statuses))["r"]
    assert proxied.nginx_answered is nginx_answered
