"""The reliability suite's settings, read by its conftest.py and its tests."""
import os
import pathlib

from reliability.rows import Rows

REPO = pathlib.Path(__file__).resolve().parents[2]
PROJECT = os.environ.get("PAGEVIEWS_RELIABILITY_PROJECT", "pageviews-reliability")
HTTP_PORT = int(os.environ.get("PAGEVIEWS_RELIABILITY_HTTP_PORT", "18090"))
REPLICAS = 3
# Compose files layered over docker-compose.yml (to try a fix before it
# lands; the doc names them), space-separated.
EXTRA_COMPOSE = os.environ.get("PAGEVIEWS_RELIABILITY_EXTRA_COMPOSE", "").split()
# Where the doc goes: a path in the checkout (the one folder of the host the
# tests container sees), relative to its top.
DOC = REPO / os.environ.get("PAGEVIEWS_RELIABILITY_DOC", "docs/reliability.md")
# The rows of the doc, filled by the tests as they run.
ROWS = Rows()
# A failed request may take the database timeout plus this much
# (proxying, scheduling); the doc states it.
FAIL_SLACK_S = 0.5
