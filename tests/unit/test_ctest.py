"""The C++ unit tests (GoogleTest, registered with ctest in the image's test
stage), one pytest result each: ctest runs once in the pageviews-test
image, and each test reads its own result from ctest's JUnit report."""
import json
import os
import xml.etree.ElementTree as ElementTree

import pytest

from harness.command import run

TEST_IMAGE = os.environ.get("PAGEVIEWS_TEST_IMAGE", "pageviews-test:local")
CTEST = ["ctest", "--test-dir", "/src/build"]


def registered_tests():
    """The names ctest knows; collecting fails loudly if it cannot list them."""
    listing = run("docker", "run", "--rm", "--network", "none", TEST_IMAGE, *CTEST, "--show-only=json-v1").stdout
    return [test["name"] for test in json.loads(listing)["tests"]]


@pytest.fixture(scope="module")
def results():
    done = run("docker", "run", "--rm", "--network", "none", TEST_IMAGE, "sh", "-c",
               f"{' '.join(CTEST)} --output-junit /tmp/ctest.xml >/dev/null 2>&1; cat /tmp/ctest.xml",
               check=False, timeout=600)
    root = ElementTree.fromstring(done.stdout)
    return {case.get("name"): case for case in root.iter("testcase")}


def test_ctest_lists_the_unit_tests():
    # Guards the parametrised test below against passing by finding nothing.
    assert len(registered_tests()) >= 50


@pytest.mark.parametrize("name", registered_tests())
def test_unit(results, name):
    case = results.get(name)
    assert case is not None, f"ctest did not report {name}"
    assert case.get("status") == "run", f"{name}: {case.get('status')}\n{case.findtext('system-out', '')[-3000:]}"
