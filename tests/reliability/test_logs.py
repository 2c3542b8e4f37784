"""No secret in any log line (row H9 of docs/reliability.md): the logs of
every container of the cluster, read after everything else the suite does
to it (bad input, faults), so that their lines are there too: the suite's
module order puts this module last. A fault that replaces containers saves
their logs first, in db_secrets.SAVED_LOGS."""
import re

import pytest

from reliability.db_secrets import SAVED_LOGS, db_passwords, lines_with

H9 = "No secret in any log line"
ROW_H9 = ("hardening", "H9", H9)


@pytest.fixture(scope="module")
def logs(cluster):
    return "".join(SAVED_LOGS) + cluster.compose("logs", "--no-color", "--timestamps").stdout


@pytest.mark.row(*ROW_H9)
def test_no_password_in_any_log_line(logs, row, repo):
    row(*ROW_H9)
    hits = lines_with(logs, db_passwords(repo))
    row.observe(f"{len(logs.splitlines())} log lines of db, migrate, app and web: {len(hits)} with a password")
    assert logs and hits == [], f"{len(hits)} lines, the first: {hits[:1]}"


@pytest.mark.row(*ROW_H9)
def test_the_app_logs_its_database_url_with_the_password_masked(logs, row):
    row(*ROW_H9)
    urls = re.findall(r"pageviews starting.*?(database=\S+)", logs)
    row.observe(f"the app logs {urls[0] if urls else 'no database URL'}")
    assert urls and all(":***@" in url for url in urls), urls[:3]
