"""Moving a running cluster from PostgreSQL 17 to 18 the way README says:
stop the app, take a backup, start 18 on its own volume
(compose.postgres18.yml), restore the backup there, start the app."""
import time

import pytest

from harness.command import run
from harness.http import get
from harness.load import Load

# Project name and host port (the suite's: pvt-backup-*, 18200-18219).
UPGRADE_CLUSTER = ("pvt-backup-pg18", 18203)
REPLICAS = 2


def sql(project, query):
    command = 'psql -X -q -t -A -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB"'
    return project.exec("db", "sh", "-c", command, input=query).stdout.strip()


@pytest.fixture(scope="module")
def moved(request, compose_project, commands_for, build_image, images, measured):
    """What was seen on 17 under load, and on 18 after the move."""
    build_image("deploy/backup-service", images["backup"] + "-pg18", "--build-arg", "POSTGRES_MAJOR=18")
    seen = {}
    name, port = UPGRADE_CLUSTER
    # `down -v` with the 18 file set no longer knows 17's volume.
    request.addfinalizer(lambda: run("docker", "volume", "rm", "--force", f"{name}_db-data", check=False))
    with compose_project(name, port, replicas=REPLICAS) as project:
        commands = commands_for(project)
        seen["version before"] = sql(project, "SHOW server_version_num")
        with Load(project.web_url, clients=4, period=0.05, seconds=120, count=1000, name="on17") as load:
            load.wait_for_requests(200)
            began = time.monotonic()
            project.compose("stop", "app")
        seen["acknowledged"] = [record.number for record in load.stop() if record.number]
        seen["count on 17"] = project.db_count()
        backup = commands.backup()
        project.files.append("compose.postgres18.yml")
        project.compose("up", "--detach", "--no-build", "db", "backup")
        seen["restore"] = commands.restore(backup, stop_app=False)
        project.up(replicas=REPLICAS)
        project.wait_serving(REPLICAS)
        seen["stopped seconds"] = time.monotonic() - began
        seen["next view"] = get(project.web_url + "/").number
        seen["version after"] = sql(project, "SHOW server_version_num")
        seen["data directory"] = sql(project, "SHOW data_directory")
        measured("17 -> 18: app stopped, seconds (stop, backup, start 18, restore, start)",
                 f"{seen['stopped seconds']:.1f}")
        yield seen


def test_the_cluster_ran_postgresql_17_before(moved):
    assert moved["version before"].startswith("17"), moved["version before"]


def test_the_cluster_runs_postgresql_18_after(moved):
    assert moved["version after"].startswith("18"), moved["version after"]


def test_18_keeps_its_data_where_the_official_18_image_does(moved):
    assert moved["data directory"] == "/var/lib/postgresql/18/docker"


def test_every_view_acknowledged_on_17_is_counted_on_17(moved):
    acknowledged = moved["acknowledged"]
    assert len(acknowledged) == len(set(acknowledged)) > 0, "a number acknowledged twice, or none"
    assert moved["count on 17"] == max(acknowledged)


def test_the_count_on_17_is_restored_on_18(moved):
    assert moved["restore"].stdout.strip() == str(moved["count on 17"]), moved["restore"].stderr


def test_counting_continues_on_18_with_no_gap(moved):
    assert moved["next view"] == moved["count on 17"] + 1
