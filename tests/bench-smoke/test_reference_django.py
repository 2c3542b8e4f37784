"""The benchmark's reference, the assignment's Django app
(bench/reference/django), comes up under its own project and counts
exactly: what the benchmark's scenario E relies on. Its speed is not judged.
"""
import os
import re

import pytest

from harness.command import run
from harness.http import get
from harness.wait import wait_for

PROJECT = os.environ.get("PAGEVIEWS_REFERENCE_DJANGO_PROJECT", "pageviews-benchsmoke-django")
IMAGE = os.environ.get("PAGEVIEWS_REFERENCE_DJANGO_IMAGE", "pageviews-reference-django:local")
VIEWS = 20
WRK_CONNECTIONS = 16


@pytest.fixture(scope="module")
def reference(compose_project, build_image):
    build_image("bench/reference/django", IMAGE)
    # Publishes no port (0: unused); nginx has no /healthz of its own to
    # proxy to Django, so its own answer says it is up once the app is healthy.
    with compose_project(PROJECT, 0, base="bench/reference/django/compose.yml", ready_path="/nginx-health",
                         env={"PAGEVIEWS_REFERENCE_DJANGO_IMAGE": IMAGE}) as project:
        yield project


def settled_count(project):
    """The count once it stopped moving: views whose answers a client gave
    up on may still be landing."""
    counts = [project.db_count()]

    def still():
        counts.append(project.db_count())
        return counts[-1] == counts[-2]

    wait_for("the count to settle", still, timeout=60, interval=0.5, seen=lambda: counts[-5:])
    return counts[-1]


def test_each_view_is_counted_once_and_shows_its_number(reference):
    before = reference.db_count()
    answers = [get(reference.web_url + "/") for _ in range(VIEWS)]
    after = reference.db_count()
    numbers = [answer.number for answer in answers]
    assert numbers == list(range(before + 1, before + VIEWS + 1)) and after == before + VIEWS, \
        f"count {before} -> {after}; answers: {[answer.describe() for answer in answers if answer.number is None]}"


def test_a_wrk_run_is_exact(reference):
    """As the benchmark counts: the database grew by wrk's 2xx answers plus
    at most one per connection (the answers in flight when wrk stopped)."""
    before = reference.db_count()
    done = run("wrk", "-t2", f"-c{WRK_CONNECTIONS}", "-d2s", "--timeout", "10s", reference.web_url + "/",
               timeout=120)
    grown = settled_count(reference) - before
    requests = int(re.search(r"(\d+) requests in", done.stdout).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    errors = re.search(r"Socket errors: .*", done.stdout)
    ok = requests - (int(non_2xx.group(1)) if non_2xx else 0)
    assert (non_2xx, errors) == (None, None) and ok <= grown <= ok + WRK_CONNECTIONS and ok > 0, \
        f"count grew by {grown} for {ok} answers 2xx:\n{done.stdout}"
