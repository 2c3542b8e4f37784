"""deploy/backups: every backup, newest first, with its size and the count
it holds."""
import re

import pytest

# Older backups, made by renaming copies of a real one (the name is the
# only date a backup has).
OLDER = ["20251231T020000Z", "20260615T020000Z"]
LINE = re.compile(r"^(\S+\.tar)\t(\d+(\.\d+)?[KMG]?i?B)\t(\d+) views\t(postgres|mariadb)$")


@pytest.fixture(scope="module")
def listed(cluster, commands):
    newest = commands.backup()
    copies = [f"pageviews-{cluster.db}-{stamp}.tar" for stamp in OLDER]
    commands.in_backups("; ".join(f"cp {newest} {copy}" for copy in copies))
    try:
        yield {"newest": newest, "copies": copies, "lines": commands.run("backups").stdout.splitlines()}
    finally:
        commands.in_backups(f"rm -f {' '.join(copies)}")


def test_backups_lists_the_newest_first(listed):
    names = [line.split("\t")[0] for line in listed["lines"]]
    assert names[:3] == [listed["newest"], *reversed(listed["copies"])], names


def test_backups_gives_each_one_size_count_and_kind(listed, cluster):
    parsed = [LINE.match(line) for line in listed["lines"]]
    assert parsed and all(parsed), listed["lines"]
    assert {match.group(5) for match in parsed} == {cluster.db}, listed["lines"]
