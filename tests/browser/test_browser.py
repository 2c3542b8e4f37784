"""A real browser against the cluster: Debian's Chromium, headless, on the
cluster's frontend network, loads the page through nginx, reloads it, and
takes screenshots at a desktop and a phone width (kept in
tests/browser/artifacts/ to look at); and over HTTPS, trusting the local CA
the way README says, gets HTTP/2 and a rising number."""
import json
import os
import pathlib
import struct

import pytest

from harness.command import run
from harness.records import views_in
from harness.wait import wait_for

HERE = pathlib.Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
PROJECT = os.environ.get("PAGEVIEWS_BROWSER_PROJECT", "pvt-browser")
HTTP_PORT = int(os.environ.get("PAGEVIEWS_BROWSER_PORT", "18102"))
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture(scope="module")
def cluster(compose_project):
    with compose_project(PROJECT, HTTP_PORT) as project:
        yield project


@pytest.fixture(scope="module")
def chromium(cluster, build_image):
    """Runs Chromium with the given arguments, by default on the cluster's
    frontend network (no published port needed); returns its CompletedProcess."""
    image = build_image("tests/browser", os.environ.get("PAGEVIEWS_BROWSER_IMAGE", "pageviews-browser:local"))
    ARTIFACTS.mkdir(exist_ok=True)

    def browse(*arguments, network=None, ca=None):
        mounts = ["--volume", f"{ARTIFACTS}:/out"] + (["--volume", f"{ca}:/ca/ca.pem:ro"] if ca else [])
        return run("docker", "run", "--rm", "--network", network or cluster.network("frontend"),
                   "--label", f"pageviews.test-project={PROJECT}", *mounts,
                   image, *arguments, check=False, timeout=300)
    yield browse


@pytest.fixture(scope="module")
def two_loads(chromium):
    """The DOM of the page loaded twice, one after the other."""
    return [chromium("--dump-dom", "http://web/").stdout for _ in range(2)]


def png_size(path):
    """(width, height) from a PNG's header, or None when it is no PNG."""
    header = path.read_bytes()[:24] if path.exists() else b""
    if header[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", header[16:24])


def test_the_page_renders_its_count(two_loads):
    assert views_in(two_loads[0]) is not None, two_loads[0][:300]


def test_the_page_has_its_title(two_loads):
    assert "<title>Page views</title>" in two_loads[0], two_loads[0][:300]


def test_reloading_shows_a_higher_number(two_loads):
    first, second = (views_in(dom) for dom in two_loads)
    assert first is not None and second is not None and second > first, (first, second)


@pytest.mark.parametrize("name", SIZES)
def test_a_screenshot_is_saved_at_the_windows_width(chromium, name):
    width, height = SIZES[name]
    shot = ARTIFACTS / f"{name}.png"
    shot.unlink(missing_ok=True)
    done = chromium(f"--window-size={width},{height}", "--hide-scrollbars", f"--screenshot=/out/{name}.png",
                    "http://web/")
    assert png_size(shot) == (width, height), (done.stdout + done.stderr)[-300:]


@pytest.fixture(scope="module")
def https_loads(cluster, chromium):
    """The page loaded twice over HTTPS as https://localhost/ (Chromium in
    nginx's network namespace, so localhost is nginx, the name the local
    certificate carries), with the local CA trusted; then nginx's access-log
    lines of those loads."""
    ca = ARTIFACTS / "local-ca.pem"
    ca.write_text(cluster.exec("web", "cat", "/etc/nginx/tls/ca.pem").stdout)
    web = f"container:{cluster.container('web')}"
    doms = [chromium("--dump-dom", "https://localhost/", network=web, ca=ca) for _ in range(2)]

    def chromium_lines():
        logs = cluster.compose("logs", "--no-color", "--no-log-prefix", "web").stdout
        return [entry for entry in map(parse_json, logs.splitlines())
                if entry and "HeadlessChrome" in entry.get("user_agent", "") and entry.get("uri") == "/"
                and entry.get("host") == "localhost"]

    # nginx writes its access log out once a second.
    lines = wait_for("nginx's log of Chromium's HTTPS loads", lambda: len(chromium_lines()) >= 2 and chromium_lines(),
                     timeout=30, seen=lambda: f"{len(chromium_lines())} lines")
    return doms, lines


def parse_json(line):
    """An access-log entry, or None; compose may put a terminal control
    sequence before the first line it prints."""
    start = line.find("{")
    try:
        entry = json.loads(line[start:]) if start >= 0 else None
    except ValueError:
        return None
    return entry if isinstance(entry, dict) else None


def test_over_https_with_the_local_ca_trusted_the_number_rises(https_loads):
    doms, _ = https_loads
    first, second = (views_in(done.stdout) for done in doms)
    assert first is not None and second is not None and second > first, \
        [done.stdout[:200] + done.stderr[-300:] for done in doms]


def test_over_https_chromium_gets_http2(https_loads):
    _, lines = https_loads
    assert {line["protocol"] for line in lines} == {"HTTP/2.0"}, lines
