"""docker compose down (keeping the volume) and up: the count continues."""
from dataclasses import dataclass

import pytest

from cluster.helpers import api_views, page


@dataclass
class DownAndUp:
    before: int  # the count before down
    left: list  # app and db containers still there after down
    after: object  # the first view after up (a Record)


@pytest.fixture(scope="module")
def down_and_up(cluster):
    before = api_views(cluster)
    # Networks with the tests container attached cannot be removed.
    cluster.leave_networks()
    cluster.compose("down", "--timeout", "15")
    left = cluster.container_ids("app", all=True) + cluster.container_ids("db", all=True)
    cluster.up()
    cluster.wait_serving(1)
    return DownAndUp(before, left, page(cluster))


def test_down_removes_the_containers(down_and_up):
    assert down_and_up.left == []


def test_the_count_continues_after_down_and_up(down_and_up):
    assert down_and_up.after.number == down_and_up.before + 1, down_and_up.after.describe()


def test_the_database_holds_the_count_after_down_and_up(cluster, down_and_up):
    assert down_and_up.after.number is not None, down_and_up.after.describe()
    assert cluster.db_count() == down_and_up.after.number
