"""A real browser against the cluster: Debian's Chromium, headless, on the
cluster's frontend network, loads the page through nginx, reloads it, and
takes screenshots at a desktop and a phone width (kept in
tests/browser/artifacts/ to look at)."""
import os
import pathlib
import struct

import pytest

from harness.command import run
from harness.records import views_in

HERE = pathlib.Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
PROJECT = os.environ.get("PAGEVIEWS_BROWSER_PROJECT", "pvt-browser")
HTTP_PORT = int(os.environ.get("PAGEVIEWS_BROWSER_PORT", "18102"))
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture(scope="module")
def chromium(compose_project, build_image):
    """Runs Chromium with the given arguments on the cluster's frontend
    network (no published port needed); returns its CompletedProcess."""
    image = build_image("tests/browser", os.environ.get("PAGEVIEWS_BROWSER_IMAGE", "pageviews-browser:local"))
    ARTIFACTS.mkdir(exist_ok=True)
    with compose_project(PROJECT, HTTP_PORT) as project:
        def browse(*arguments):
            return run("docker", "run", "--rm", "--network", project.network("frontend"),
                       "--label", f"pageviews.test-project={PROJECT}", "--volume", f"{ARTIFACTS}:/out",
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
