"""nginx -> app: the app's routes pass through nginx, and concurrent views
through it are each counted once."""
import pytest

from cluster.helpers import api_views, page
from harness.burst import burst, exact_run_problem


@pytest.mark.parametrize("path, status, body", [
    ("/healthz", 200, "ok"),
    ("/readyz", 200, None),  # ready: database reached, schema migrated
    ("/no-such-page", 404, None),
])
def test_the_apps_answer_passes_through_nginx(cluster, path, status, body):
    record = page(cluster, path)
    assert (record.status, record.body.strip() if body else None) == (status, body), record.describe()


def test_200_concurrent_views_get_200_distinct_consecutive_numbers(cluster):
    first = api_views(cluster) + 1
    records = burst(cluster.web_url + "/", 200, 50, name="concurrent")
    assert exact_run_problem(records, first) == ""
