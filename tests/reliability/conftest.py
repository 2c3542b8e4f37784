"""The reliability suite's cluster (three replicas, its own project and
port) and the rows of docs/reliability.md that its tests report into."""
import os

import pytest

from reliability.rows import Rows

PROJECT = os.environ.get("PAGEVIEWS_RELIABILITY_PROJECT", "pageviews-reliability")
HTTP_PORT = int(os.environ.get("PAGEVIEWS_RELIABILITY_HTTP_PORT", "18090"))
REPLICAS = 3
ROWS = Rows()


@pytest.fixture(scope="package")
def cluster(compose_project):
    """The real docker-compose.yml with three app replicas, shared by the
    suite's tests; a test that changes it puts it back as it found it."""
    with compose_project(PROJECT, HTTP_PORT, replicas=REPLICAS) as project:
        yield project


class RowRecorder:
    """row(kind, id, what) puts the test in a row of the doc;
    row.observe(text) adds to what the row says was seen."""

    def __init__(self, item):
        self._item, self._row = item, None

    def __call__(self, kind, row_id, what):
        self._row = ROWS.get(kind, row_id, what)
        self._item.stash[ROW_KEY] = self._row
        return self

    def observe(self, text):
        if self._row is None:
            raise RuntimeError("row(kind, id, what) first")
        self._row.observed.append(text)


ROW_KEY = pytest.StashKey()


@pytest.fixture
def row(request):
    return RowRecorder(request.node)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    recorded = item.stash.get(ROW_KEY, None)
    # A test's outcome counts once: from its call, or from a setup or
    # teardown that failed (a fixture's own assertion).
    if recorded is not None and (report.when == "call" or report.failed):
        recorded.outcomes.append(report.outcome)
    return report
