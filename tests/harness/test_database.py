"""Reading the count (no Docker): an unread count raises instead of
becoming an empty value that an equality check would accept."""
import subprocess

import pytest

from harness.command import CommandFailed
from harness.database import read_count


def answering(stdout, returncode=0, stderr=""):
    return lambda sql: subprocess.CompletedProcess(["client"], returncode, stdout, stderr)


def test_the_count_is_read_as_a_number():
    assert read_count(answering("42\n"), "postgres") == 42


@pytest.mark.parametrize("client", [
    answering(""),
    answering("", returncode=2, stderr="could not connect"),
    answering("42\n", returncode=1),
    answering("views\n"),
], ids=["no row", "no server", "client failed", "not a number"])
def test_an_unread_count_raises_naming_what_was_seen(client):
    with pytest.raises(CommandFailed, match="could not read the count of / from mariadb"):
        read_count(client, "mariadb")


def test_the_path_is_quoted_as_an_sql_literal():
    queries = []
    read_count(lambda sql: queries.append(sql) or subprocess.CompletedProcess([], 0, "1", ""), "postgres", "/it's")
    assert queries == ["SELECT views FROM page_views WHERE path = '/it''s';"]
