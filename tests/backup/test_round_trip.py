"""A backup taken under load restores into a cluster whose database volume
was deleted, on PostgreSQL and on MariaDB (the cluster fixture's params):
README's Backups rows, run as written."""
import re
import time

import pytest

from harness.command import run
from harness.http import get
from harness.load import Load

CLIENTS = 4


def wipe_database(cluster):
    """docker compose down, then the database's volume removed (the
    backups volume stays), then up again: an empty, migrated database."""
    volume = "db-data" if cluster.db == "postgres" else "db-data-mariadb"
    cluster.leave_networks()
    cluster.compose("down", "--timeout", "20")
    run("docker", "volume", "rm", f"{cluster.name}_{volume}")
    cluster.up(replicas=3)
    cluster.wait_serving(3)


@pytest.fixture(scope="module")
def round_trip(cluster, commands, measured):
    """Backup under steady load, wipe, restore while nginx is watched: what was seen at each step."""
    seen = {}
    with Load(cluster.web_url, clients=CLIENTS, period=0.05, seconds=300, count=3000, name="count") as load:
        load.wait_for_requests(200)
        seen["count before"] = cluster.db_count()
        began = time.monotonic()
        seen["name"] = commands.backup()
        seen["backup seconds"] = time.monotonic() - began
        seen["count after"] = cluster.db_count()
        load.wait_for_requests(len(load.records) + 100)
    seen["metadata"] = commands.metadata(seen["name"])
    wipe_database(cluster)
    seen["count wiped"] = cluster.db_count()
    seen["listed"] = commands.names()
    with Load(cluster.web_url + "/api/views", clients=1, period=0.1, seconds=600, count=6000, name="watch") as watch:
        watch.wait_for_requests(5)
        began = time.monotonic()
        seen["restore"] = commands.restore(seen["name"])
        seen["restore seconds"] = time.monotonic() - began
        watch.wait_for_requests(len(watch.records) + 5)
        seen["watched"] = watch.stop()
    seen["count restored"] = cluster.db_count()
    seen["next view"] = get(cluster.web_url + "/").number
    failed = [record for record in seen["watched"] if record.status != 200]
    seen["outage seconds"] = (failed[-1].started - failed[0].started) if failed else 0.0
    stopped = re.search(r"stopped for ([\d.]+) s", seen["restore"].stderr)
    for what, value in (("backup", seen["backup seconds"]), ("restore", seen["restore seconds"]),
                        ("app stopped (restore's word)", float(stopped.group(1)) if stopped else None),
                        ("503s seen through nginx", seen["outage seconds"])):
        measured(f"{cluster.db}: {what}, seconds end to end", f"{value:.1f}" if value is not None else "not said")
    return seen


def test_a_backup_under_load_holds_a_count_between_before_and_after(round_trip):
    count = int(round_trip["metadata"]["count"])
    assert 0 < round_trip["count before"] <= count <= round_trip["count after"], round_trip["metadata"]


def test_the_backup_says_which_database_kind_it_is(round_trip, cluster):
    assert round_trip["metadata"]["kind"] == cluster.db, round_trip["metadata"]


def test_removing_the_database_volume_removes_the_data(round_trip):
    assert round_trip["count wiped"] == 0, f"the fresh database holds {round_trip['count wiped']} views"


def test_removing_the_database_volume_keeps_the_backups(round_trip):
    assert round_trip["name"] in round_trip["listed"], round_trip["listed"]


def test_restore_prints_the_count_in_the_dump_metadata(round_trip):
    assert round_trip["restore"].stdout.strip() == round_trip["metadata"]["count"], round_trip["restore"].stderr


def test_the_restored_database_holds_the_count_in_the_dump_metadata(round_trip):
    assert round_trip["count restored"] == int(round_trip["metadata"]["count"])


def test_the_next_view_after_a_restore_gets_the_next_number(round_trip):
    assert round_trip["next view"] == int(round_trip["metadata"]["count"]) + 1


def test_nginx_answers_503_while_the_app_is_stopped(round_trip):
    statuses = [record.status for record in round_trip["watched"]]
    assert 503 in statuses, f"statuses seen during the restore: {sorted(set(statuses), key=str)}"


def test_every_answer_but_200_during_a_restore_is_nginx_page_saying_why(round_trip):
    """While replicas stop, nginx may also meet one Docker's DNS still
    lists (a 502 or, after its 2 s connect timeout, a 504): the same page."""
    failed = [record for record in round_trip["watched"] if record.status != 200]
    unexplained = [(record.status, record.error or record.body[:200]) for record in failed
                   if "maintenance" not in record.body or "restore" not in record.body]
    assert failed and not unexplained, unexplained[:3]


def test_the_app_serves_again_after_a_restore(round_trip):
    assert round_trip["watched"][-1].status == 200, round_trip["watched"][-1]
