"""deploy/restore refuses what it cannot restore whole: one line on stderr,
a non-zero exit, the data as it was. What its checks catch is refused
before the app is stopped; a restore that fails inside leaves the old data
and starts the app again."""
import pytest

from harness.http import get

# How each bad backup is made from a good one (GOOD) in the backups folder,
# and what its one-line refusal names.
BAD_BACKUPS = {
    "truncated": ('head -c $(( $(stat -c %s GOOD) / 2 )) GOOD > BAD', "truncated"),
    "corrupt": ('cp GOOD BAD; printf corrupted | dd of=BAD bs=1 seek=$(( $(stat -c %s GOOD) / 2 )) conv=notrunc '
                'status=none', "corrupt"),
    "of the other database kind": ('mkdir /tmp/other; tar -C /tmp/other -xf GOOD; '
                                   'sed -i "s/^kind=.*/kind=OTHER/" /tmp/other/pageviews-backup.meta; '
                                   'tar -C /tmp/other -cf BAD $(ls /tmp/other); rm -rf /tmp/other', "is a OTHER dump"),
    "missing": ("true", "no backup named"),
    # Passes every check before the restore, fails inside it: all or nothing.
    "whose metadata's count is not its dump's": (
        'mkdir /tmp/other; tar -C /tmp/other -xf GOOD; '
        'sed -i "s/^count=.*/count=987654321/" /tmp/other/pageviews-backup.meta; '
        'tar -C /tmp/other -cf BAD pageviews-backup.meta $(cd /tmp/other && ls dump.*); rm -rf /tmp/other',
        "the restored count differs from the metadata"),
}
OTHER = {"postgres": "mariadb", "mariadb": "postgres"}


@pytest.fixture(scope="module")
def good(cluster, commands):
    """A verified backup of a database that holds views."""
    for _ in range(5):
        assert get(cluster.web_url + "/").status == 200
    return commands.backup()


@pytest.fixture(params=sorted(BAD_BACKUPS))
def refused(request, cluster, commands, good):
    """deploy/restore --stop-app on a bad backup; the state before and after."""
    script, expected = BAD_BACKUPS[request.param]
    bad = f"pageviews-{OTHER[cluster.db]}-20000101T000000Z.tar" if "OTHER" in script else "bad-backup.tar"
    script = script.replace("GOOD", good).replace("BAD", bad).replace("OTHER", OTHER[cluster.db])
    commands.in_backups(script)
    before = {"count": cluster.db_count(), "apps": cluster.container_ids("app")}
    done = commands.restore(bad, stop_app=True, check=False)
    after = {"count": cluster.db_count(), "apps": cluster.container_ids("app")}
    commands.in_backups(f"rm -f {bad}")
    return {"done": done, "before": before, "after": after, "expected": expected.replace("OTHER", OTHER[cluster.db])}


def test_a_bad_backup_is_refused_with_one_line_naming_why(refused):
    done = refused["done"]
    lines = done.stderr.strip().splitlines()
    assert done.returncode != 0 and len(lines) == 1 and refused["expected"] in lines[0], \
        f"exit {done.returncode}, stderr {done.stderr!r}"


def test_a_bad_backup_leaves_the_data_untouched(refused):
    assert refused["before"]["count"] > 0
    assert refused["after"]["count"] == refused["before"]["count"]


def test_a_bad_backup_leaves_the_app_serving(refused):
    assert refused["after"]["apps"] == refused["before"]["apps"]


def test_restore_refuses_while_replicas_serve_unless_told_to_stop_them(cluster, commands, good):
    before = cluster.db_count()
    done = commands.restore(good, stop_app=False, check=False)
    lines = done.stderr.strip().splitlines()
    assert done.returncode != 0 and len(lines) == 1 and "--stop-app" in lines[0], done.stderr
    assert cluster.db_count() == before and len(cluster.container_ids("app")) == 3
