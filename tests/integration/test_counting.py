"""Exact counting on a database server: every view gets the next number,
from one app, from two apps on one database, and in per-request mode."""
import threading

import pytest

from harness.burst import burst, exact_run_problem
from harness.http import get


@pytest.fixture(scope="module")
def apps(server):
    """Two apps on the server, by name: their base URLs."""
    return {name: server.start_app(name) for name in ("a", "b")}


@pytest.fixture(scope="module")
def two_apps_burst(server, apps):
    """250 views through each app at once: the first number due, the records."""
    first = server.count() + 1
    records = {}
    threads = [threading.Thread(target=lambda name=name: records.__setitem__(
        name, burst(apps[name] + "/", 250, 16, name=f"two-{name}"))) for name in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return first, records["a"] + records["b"]


def test_a_view_adds_exactly_one(server, apps):
    before = server.count()
    record = get(apps["a"] + "/")
    assert record.number == before + 1, record.describe()


def test_300_concurrent_views_get_the_next_300_numbers(server, apps):
    first = server.count() + 1
    assert exact_run_problem(burst(apps["a"] + "/", 300, 32, name="one"), first) == ""


def test_two_apps_on_one_database_give_500_unique_gap_free_numbers(two_apps_burst):
    first, records = two_apps_burst
    assert exact_run_problem(records, first) == ""


def test_the_database_holds_the_last_number_served(server, two_apps_burst):
    _, records = two_apps_burst
    numbers = [record.number for record in records if record.number is not None]
    assert numbers and server.count() == max(numbers)


def test_per_request_mode_also_counts_exactly(server):
    url = server.start_app("per-request", "PAGEVIEWS_COUNT_MODE=per-request")
    first = server.count() + 1
    assert exact_run_problem(burst(url + "/", 100, 16, name="per-request"), first) == ""


def test_readyz_is_200_with_the_schema_current(apps):
    record = get(apps["a"] + "/readyz")
    assert record.status == 200, record.describe()


def test_readyz_is_200_with_a_newer_schema_than_its_own(server, apps):
    # During an upgrade an old replica serves beside the new release's
    # migrations (expand, then contract: DECISIONS 24).
    inserted = server.sql("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from a newer release')")
    assert inserted.returncode == 0, inserted.stdout + inserted.stderr
    try:
        record = get(apps["a"] + "/readyz")
    finally:
        server.sql("DELETE FROM schema_migrations WHERE version = 9999")
    assert record.status == 200, record.describe()
