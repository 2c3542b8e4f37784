"""SQLite with zero setup: `docker run` of the image with no settings
counts views in a file in its working directory."""
import http.client
import json
import urllib.parse
from dataclasses import dataclass

import pytest

from harness.burst import burst, exact_run_problem
from harness.http import get
from integration.sandbox import Sandbox, prefix


@dataclass
class Fresh:
    sandbox: Sandbox
    url: str
    first: list  # the records of its first two views


@pytest.fixture(scope="module")
def fresh(images):
    """The image run with no settings at all, once it answers, and its first
    two views."""
    with Sandbox(f"{prefix()}-sqlite") as sandbox:
        sandbox.start("app", images["app"])
        sandbox.wait_answering("app")
        url = sandbox.url("app", "")
        yield Fresh(sandbox, url, [get(url + "/"), get(url + "/")])


def bodiless(url, method):
    """(status, body start) of a request with no body and no Content-Length
    (http.client would add "Content-Length: 0" to a POST, which the app
    refuses as a body with 400)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.putrequest(method, parts.path)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()[:120]
    finally:
        connection.close()


def api_views(url):
    record = get(url + "/api/views")
    assert record.status == 200, record.describe()
    return json.loads(record.body)["views"]


@pytest.mark.parametrize("view, number", [(0, 1), (1, 2)], ids=["first view", "second view"])
def test_a_fresh_file_numbers_views_from_1(fresh, view, number):
    assert fresh.first[view].number == number, fresh.first[view].describe()


@pytest.mark.parametrize("method, path, status", [
    ("HEAD", "/", 200),
    ("GET", "/nope", 404),
    ("GET", "/favicon.ico", 404),
    ("POST", "/", 405),
])
def test_a_request_that_is_no_view_is_answered_and_not_counted(fresh, method, path, status):
    before = api_views(fresh.url)
    answer = bodiless(fresh.url + path, method)
    assert (answer[0], api_views(fresh.url)) == (status, before), answer


def test_api_views_reports_the_path_and_its_count(fresh):
    served = get(fresh.url + "/").number
    record = get(fresh.url + "/api/views")
    assert record.body.strip() == json.dumps({"path": "/", "views": served}, separators=(",", ":")), record.describe()


def test_readyz_is_200(fresh):
    record = get(fresh.url + "/readyz")
    assert record.status == 200, record.describe()


def test_200_concurrent_views_get_the_next_200_numbers(fresh):
    first = api_views(fresh.url) + 1
    assert exact_run_problem(burst(fresh.url + "/", 200, 20, name="sqlite"), first) == ""


def test_the_file_lives_in_the_working_directory(fresh):
    done = fresh.sandbox.exec("app", "test", "-s", "/var/lib/pageviews/pageviews.sqlite3")
    assert done.returncode == 0, done.stderr
