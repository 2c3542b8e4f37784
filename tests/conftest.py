"""Fixtures and ordering shared by every suite (tests/run runs pytest in the
tools image, with the Docker socket and the checkout at its host path)."""
import functools
import os
import pathlib

import pytest

from harness.command import run
from harness.compose import started

REPO = pathlib.Path(__file__).resolve().parents[1]
# Suites run in this order whatever order pytest collects them in: the fast
# ones first, swarm last (joining and leaving a swarm disturbs Docker's DNS
# for networks made meanwhile). A suite not named here runs before swarm.
SUITE_ORDER = ["lint", "harness", "report", "unit", "integration", "cluster", "bench-smoke", "browser",
               "upgrade", "backup", "https", "reliability"]
LAST_SUITES = ["swarm"]


def suite_of(item):
    parts = pathlib.Path(str(item.fspath)).relative_to(REPO).parts
    return parts[1] if parts[0] == "tests" else parts[0] if parts[0] != "bench" else "report"


def suite_rank(item):
    suite = suite_of(item)
    if suite in SUITE_ORDER:
        return SUITE_ORDER.index(suite)
    if suite in LAST_SUITES:
        return len(SUITE_ORDER) + 1 + LAST_SUITES.index(suite)
    return len(SUITE_ORDER)


def pytest_collection_modifyitems(items):
    # Stable: within a suite, pytest's own order (which groups the tests of
    # a parametrised fixture, e.g. PostgreSQL then MariaDB) stays.
    items.sort(key=suite_rank)


@pytest.fixture(scope="session")
def repo():
    return REPO


@pytest.fixture(scope="session")
def images():
    """The image names this run tests (tests/run builds the app's and the tools')."""
    return {
        "app": os.environ.get("PAGEVIEWS_IMAGE", "pageviews:local"),
        "tools": os.environ.get("PAGEVIEWS_TOOLS_IMAGE", "pageviews-tools:local"),
        "postgres": os.environ.get("POSTGRES_IMAGE", "postgres:17"),
        "postgres18": os.environ.get("POSTGRES18_IMAGE", "postgres:18"),
        "nginx": os.environ.get("NGINX_IMAGE", "nginx:1.30"),
        "mariadb": os.environ.get("MARIADB_IMAGE", "mariadb:11"),
        "backup": os.environ.get("PAGEVIEWS_BACKUP_IMAGE", "pageviews-backup:local"),
    }


@pytest.fixture(scope="session")
def compose_project(request):
    """Starts a compose project of the real docker-compose.yml:

        with compose_project("pageviews-test-x", 18090, replicas=3, db="mariadb") as project:

    inside a fixture of whatever scope the suite needs. Always torn down;
    prints its containers and logs when a test failed while it ran. See
    harness.compose."""
    return functools.partial(started, session=request.session)


@pytest.fixture(scope="session")
def build_image():
    """Builds a Dockerfile's image (once per session per tag); returns the tag."""
    built = {}

    def build(context, tag, *options):
        if tag not in built:
            run("docker", "build", "--quiet", "--tag", tag, *options, str(REPO / context), timeout=1800)
            built[tag] = True
        return tag

    return build
