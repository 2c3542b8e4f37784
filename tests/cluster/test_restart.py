"""Restarts: every replica restarted, one killed while views flow, every
one stopped; nginx follows each through Docker's DNS, never restarted
itself, and no view is counted twice."""
from dataclasses import dataclass

import pytest

from cluster.helpers import REPLICAS, api_views, ensure_replicas, page, spread
from harness.burst import burst
from harness.command import run
from harness.wait import GaveUp, wait_for


def identity(cluster):
    """Changes if nginx's container is restarted or replaced."""
    state = cluster.inspect(cluster.container("web"))
    return state["Id"], state["State"]["StartedAt"], state["RestartCount"]


@pytest.fixture(scope="module")
def web_before(cluster):
    return identity(cluster)


@pytest.fixture(scope="module")
def compose_restart(cluster, web_before):
    """docker compose restart app; then a burst: how it was counted and spread."""
    ensure_replicas(cluster, REPLICAS)
    cluster.compose("restart", "app")
    cluster.wait_serving(REPLICAS)
    return spread(cluster, "restart", 30)


@dataclass
class Kill:
    during: list  # the records of the burst right after the kill
    rejoined: object  # a Spread once the replica is back


@pytest.fixture(scope="module")
def killed_replica(cluster, web_before):
    """One replica killed (SIGKILL) while 40 views flow, two at a time; then
    brought back (its restart policy may have done so already)."""
    ensure_replicas(cluster, REPLICAS)
    run("docker", "kill", "--signal", "KILL", cluster.container_ids("app")[0])
    during = burst(cluster.web_url + "/", 40, 2, name="kill")
    cluster.up("--no-recreate", replicas=REPLICAS)
    cluster.wait_serving(REPLICAS)
    return Kill(during, spread(cluster, "rejoin", 30))


@dataclass
class NoReplica:
    before: int  # the count before every replica stopped
    first: object  # the first view with none running
    immediate: object  # a 503 answered at once, or why none came
    after: object  # the first view once they are back


@pytest.fixture(scope="module")
def no_replica(cluster, web_before):
    """Every replica stopped, then started again."""
    ensure_replicas(cluster, REPLICAS)
    before = api_views(cluster)
    cluster.compose("stop", "app")
    try:
        # Until nginx re-resolves "app" (each second) it may still try a
        # vanished address (504); then it knows there is none (503 at once).
        first = page(cluster)
        last = [first]

        def answered_at_once():
            last[0] = page(cluster, timeout=5)
            return last[0] if last[0].status == 503 and last[0].seconds < 0.5 else None

        try:
            immediate = wait_for("nginx's 503 at once", answered_at_once, timeout=30,
                                 seen=lambda: f"{last[0].describe()} after {last[0].seconds:.2f} s")
        except GaveUp as gave_up:
            immediate = str(gave_up)
    finally:
        cluster.compose("start", "app")
    cluster.wait_serving(REPLICAS)
    return NoReplica(before, first, immediate, page(cluster))


def test_nginx_reaches_the_app_again_after_compose_restart(cluster, compose_restart):
    assert (cluster.healthy("app"), page(cluster, "/healthz").status) == (REPLICAS, 200)


def test_views_after_compose_restart_are_counted_once_each(compose_restart):
    assert compose_restart.problem == ""


def test_nginx_sends_to_every_replica_after_compose_restart(compose_restart):
    assert compose_restart.missing == set(), f"served by {sorted(compose_restart.seen)} only"


def test_nginx_stops_sending_to_a_killed_replica(killed_replica):
    statuses = [record.status for record in killed_replica.during]
    assert statuses.count(200) >= len(statuses) - 5 and statuses[-10:] == [200] * 10, statuses


def test_no_number_is_served_twice_while_a_replica_dies(killed_replica):
    numbers = [record.number for record in killed_replica.during if record.number is not None]
    assert numbers and len(set(numbers)) == len(numbers), numbers


def test_the_replaced_replica_rejoins_nginxs_rotation(killed_replica):
    assert killed_replica.rejoined.missing == set(), f"served by {sorted(killed_replica.rejoined.seen)} only"


def test_views_after_the_rejoin_are_counted_once_each(killed_replica):
    assert killed_replica.rejoined.problem == ""


def test_nginx_serves_its_unavailable_page_when_no_replica_runs(no_replica):
    first = no_replica.first
    assert first.status in (503, 504) and "unavailable" in first.body, first.describe()


def test_nginx_learns_from_dns_that_no_replica_is_left(no_replica):
    assert not isinstance(no_replica.immediate, str), no_replica.immediate


def test_counting_resumes_after_every_replica_restarts_and_nothing_counted_meanwhile(no_replica):
    assert no_replica.after.number == no_replica.before + 1, no_replica.after.describe()


def test_nginx_itself_is_never_restarted(cluster, web_before, compose_restart, killed_replica, no_replica):
    assert identity(cluster) == web_before
