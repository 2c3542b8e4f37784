"""The cluster suite's cluster: the real docker-compose.yml under a project
name and host port of its own, on PostgreSQL and then on MariaDB
(compose.mariadb.yml): every test of the suite runs against each."""
import os

import pytest

from harness.database import DATABASES

PROJECTS = {
    "postgres": os.environ.get("PAGEVIEWS_TEST_PROJECT", "pvt-cluster-pg"),
    "mariadb": os.environ.get("PAGEVIEWS_TEST_MARIADB_PROJECT", "pvt-cluster-maria"),
}
HTTP_PORTS = {
    "postgres": int(os.environ.get("PAGEVIEWS_TEST_HTTP_PORT", "18100")),
    "mariadb": int(os.environ.get("PAGEVIEWS_TEST_MARIADB_HTTP_PORT", "18101")),
}


@pytest.fixture(scope="package", params=DATABASES)
def cluster(request, compose_project):
    """Started with one app replica, as `docker compose up` does. A test
    that needs three scales it (helpers.ensure_replicas); a test that stops
    or removes something brings it back before it ends."""
    db = request.param
    with compose_project(PROJECTS[db], HTTP_PORTS[db], replicas=1, db=db) as project:
        yield project
