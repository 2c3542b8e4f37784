"""The pure parts of the fault tests' tools (no Docker)."""
import pytest

from reliability.faultkit import docker_time, duration_s, ready_after


@pytest.mark.parametrize("changes, since, ready", [
    ([(10.0, 0), (11.0, 2), (16.0, 0)], 12.0, 16.0),  # down, then back after since
    ([(10.0, 2), (13.0, 0)], 12.0, 13.0),  # the refusal began before since
    ([(10.0, 0), (11.0, 2), (11.5, 0), (12.0, 2)], 11.8, None),  # back before since, down again
    ([(10.0, 0)], 5.0, None),  # never went down
    ([(10.0, 2)], 5.0, None),  # still down
])
def test_ready_after_is_the_first_acceptance_after_a_refusal(changes, since, ready):
    assert ready_after(changes, since) == ready


@pytest.mark.parametrize("text, seconds", [
    ("15s", 15.0), ("1m30s", 90.0), ("500ms", 0.5), ("", None), ("15", None), ("fifteen", None),
])
def test_duration_s_reads_compose_durations(text, seconds):
    assert duration_s(text) == seconds


def test_docker_time_reads_nanoseconds():
    assert docker_time("2026-12-01T07:02:54.754123456Z") == pytest.approx(1796108574.754123)
