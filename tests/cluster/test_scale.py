"""--scale app=3: every replica healthy, nginx spreads views over all of
them, and they count together without losing or repeating a number."""
import pytest

from cluster.helpers import REPLICAS, ensure_replicas, number_of, page, spread


@pytest.fixture(scope="module")
def scaled(cluster):
    ensure_replicas(cluster, REPLICAS)
    return spread(cluster, "scale", 60)


def test_the_replicas_become_healthy(cluster, scaled):
    assert cluster.healthy("app") == REPLICAS


def test_views_through_nginx_are_counted_once_each(scaled):
    assert scaled.problem == ""


def test_nginx_sends_views_to_every_replica(scaled):
    assert scaled.missing == set(), f"served by {sorted(scaled.seen)} only"


def test_the_database_holds_the_number_the_replicas_served_last(cluster, scaled):
    served = number_of(page(cluster))
    assert cluster.db_count() == served
