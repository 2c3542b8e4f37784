"""The reliability suite's cluster (three replicas, its own project and
port), the rows of docs/reliability.md that its tests report into, and the
doc itself, written when the whole suite ran."""
import os
import pathlib
import time
from datetime import datetime, timezone

import pytest

from reliability import doc
from reliability.raw import APP_LENIENT
from reliability.suite import DOC, EXTRA_COMPOSE, FAIL_SLACK_S, HTTP_PORT, PROJECT, REPLICAS, ROWS

HERE = pathlib.Path(__file__).resolve().parent
# The cluster's modules in the order they run, after the ones that need no
# cluster: the checks of the cluster as it starts, then bad input, then the
# faults (F7 replaces every container, F9 the database, each saving their
# logs first), the fuzzers, and last the logs of all of it (H9).
MODULE_ORDER = ["test_hardening.py", "test_badinput.py", "test_faults.py", "test_fuzz.py", "test_logs.py"]


def pytest_configure(config):
    config.addinivalue_line("markers", "row(kind, id, what): the row of docs/reliability.md the test reports into")


@pytest.fixture(scope="package")
def cluster(compose_project):
    """The real docker-compose.yml with three app replicas, shared by the
    suite's tests; a test that changes it puts it back as it found it."""
    with compose_project(PROJECT, HTTP_PORT, replicas=REPLICAS, files=EXTRA_COMPOSE) as project:
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


def row_of(item):
    """The test's row: the one its body named, else its row marker (which
    counts even when a fixture it needs failed before the body ran)."""
    recorded = item.stash.get(ROW_KEY, None)
    marker = item.get_closest_marker("row")
    if recorded is None and marker is not None:
        recorded = ROWS.get(*marker.args)
    return recorded


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    recorded = row_of(item)
    # A test's outcome counts once: from its call, or from a setup or
    # teardown that failed (a fixture's own assertion).
    if recorded is not None and (report.when == "call" or report.failed):
        recorded.outcomes.append(report.outcome)
    return report


# ---------------------------------------------------------------------------
# Order, and whether the whole suite ran.

def in_suite(item):
    return pathlib.Path(str(item.fspath)).resolve().parent == HERE


def module_rank(item):
    name = pathlib.Path(str(item.fspath)).name
    return MODULE_ORDER.index(name) if name in MODULE_ORDER else -1


class Session:
    """The suite's tests as collected and as run."""
    collected, outcomes, started = set(), {}, None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    # First, before any deselection (-k, -m, --deselect): what the suite is.
    Session.collected = {item.nodeid for item in items if in_suite(item)}
    # A row's id selects its tests: -k F3 (substrings match: F1 takes F10 too).
    for item in items:
        marker = item.get_closest_marker("row")
        if marker is not None:
            item.extra_keyword_matches.add(marker.args[1])
    try:
        return (yield)
    finally:
        # Last: the suite's modules in MODULE_ORDER, in the places its items hold.
        places = [index for index, item in enumerate(items) if in_suite(item)]
        ordered = sorted((items[index] for index in places), key=module_rank)
        for index, item in zip(places, ordered):
            items[index] = item


def pytest_runtest_logreport(report):
    if report.nodeid in Session.collected:
        Session.started = Session.started or time.time()
        if report.when == "call" or report.outcome != "passed":
            Session.outcomes[report.nodeid] = report.outcome


def whole_suite_ran():
    """Not a -k, a file, or a run stopped early (doc.whole_suite)."""
    return doc.whole_suite([path.name for path in HERE.glob("test_*.py")], Session.collected, Session.outcomes)


def run_facts():
    outcomes = list(Session.outcomes.values())
    return doc.RunFacts(
        written=datetime.now(timezone.utc), commit=os.environ.get("PAGEVIEWS_REVISION", "unknown")[:7],
        dirty=os.environ.get("PAGEVIEWS_REVISION_DIRTY", "0") == "1", replicas=REPLICAS,
        app_image=os.environ.get("PAGEVIEWS_IMAGE", "pageviews:local"),
        db_image=os.environ.get("POSTGRES_IMAGE", "postgres:17"), web_image=os.environ.get("NGINX_IMAGE", "nginx:1.30"),
        passed=outcomes.count("passed"), failed=outcomes.count("failed"),
        seconds=round(time.time() - (Session.started or time.time())),
        fail_slack_s=FAIL_SLACK_S,
        extra_compose=EXTRA_COMPOSE, lenient=APP_LENIENT)


def pytest_sessionfinish(session):
    writer = session.config.get_terminal_writer()
    if not whole_suite_ran():
        # Part of the suite: what its rows saw, on the terminal only.
        for kind in ("fault", "input", "hardening", "fuzz"):
            for row in ROWS.of_kind(kind):
                writer.line(f"[reliability] {row.id} {row.result}: {doc.observed(row)}")
        return
    DOC.parent.mkdir(parents=True, exist_ok=True)
    partial = DOC.with_name(DOC.name + ".tmp")
    partial.write_text(doc.render(ROWS, run_facts()))
    partial.replace(DOC)
    writer.line(f"[reliability] wrote {DOC}")
