"""The backup service on its own: hardening, its log line per backup, and
its health check, on a cluster that backs up every 10 s (2 x 10 s stale)."""
import re

import pytest

from harness.wait import wait_for

# Project name and host port (the suite's: pvt-backup-*, 18200-18219).
HEALTH_CLUSTER = ("pvt-backup-health", 18202)
SCHEDULE = "10s"
LOG_LINE = re.compile(r"backup (pageviews-postgres-\d{8}T\d{6}Z\.tar) verified: \S+B \((\d+) bytes\) "
                      r"in (\d+\.\d) s, count (\d+)$")


@pytest.fixture(scope="module")
def scheduled(compose_project):
    name, port = HEALTH_CLUSTER
    with compose_project(name, port, replicas=1, env={"PAGEVIEWS_BACKUP_SCHEDULE": SCHEDULE}) as project:
        yield project


def health(project):
    container = project.container("backup")
    return project.inspect(container)["State"]["Health"]["Status"]


# What the container runs with: (what, how to read it from docker inspect, expected).
HARDENING = [
    ("a user other than root", lambda c: c["Config"]["User"], "10002:10002"),
    ("a read-only root", lambda c: c["HostConfig"]["ReadonlyRootfs"], True),
    ("no capabilities", lambda c: c["HostConfig"]["CapDrop"], ["ALL"]),
    ("no new privileges", lambda c: c["HostConfig"]["SecurityOpt"], ["no-new-privileges:true"]),
    ("only the internal backend network", lambda c: sorted(key.rsplit("_", 1)[-1]
                                                           for key in c["NetworkSettings"]["Networks"]), ["backend"]),
]


@pytest.mark.parametrize("what,read,expected", HARDENING, ids=[row[0] for row in HARDENING])
def test_the_backup_service_runs_with(scheduled, what, read, expected):
    assert read(scheduled.inspect(scheduled.container("backup"))) == expected


def test_the_backup_service_turns_healthy_once_a_backup_is_verified(scheduled):
    wait_for("the backup service healthy", lambda: health(scheduled) == "healthy", timeout=300,
             seen=lambda: health(scheduled))


def test_each_backup_logs_one_line_with_its_size_and_duration(scheduled):
    def logged():
        lines = scheduled.compose("logs", "--no-color", "--no-log-prefix", "backup").stdout.splitlines()
        return [line for line in lines if " verified: " in line]

    lines = wait_for("two logged backups", lambda: (lambda found: found if len(found) >= 2 else None)(logged()),
                     timeout=300, seen=logged)
    parsed = [LOG_LINE.search(line) for line in lines]
    assert all(parsed), lines
    assert len({match.group(1) for match in parsed}) == len(parsed), f"a backup logged twice: {lines}"


def test_the_backup_service_turns_unhealthy_when_backups_stop(scheduled):
    wait_for("the backup service healthy", lambda: health(scheduled) == "healthy", timeout=300,
             seen=lambda: health(scheduled))
    scheduled.compose("stop", "db")
    wait_for("the backup service unhealthy", lambda: health(scheduled) == "unhealthy", timeout=300,
             seen=lambda: health(scheduled))
