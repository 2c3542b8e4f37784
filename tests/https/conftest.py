"""The https suite's fixtures. Its projects are named pvt-https-* and
publish host ports 18220-18239 only."""
import os

import pytest

HTTPS_TEST_IMAGE = os.environ.get("PAGEVIEWS_HTTPS_TEST_IMAGE", "pageviews-https-test:local")


@pytest.fixture(scope="session")
def https_test_image(build_image):
    """Pebble and testssl.sh, from Debian 13 (tests/https/Dockerfile)."""
    return build_image("tests/https", HTTPS_TEST_IMAGE)
