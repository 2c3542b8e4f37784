"""The backup suite's clusters and the three commands it drives them with
(deploy/backup, deploy/backups, deploy/restore), called exactly as a user
would: with the project's name and compose files on their command line."""
import pathlib
import sys

import pytest

from harness.command import run

REPO = pathlib.Path(__file__).resolve().parents[2]
# Project names and host ports of this suite: pvt-backup-*, 18200-18219.
CLUSTERS = {"postgres": ("pvt-backup-pg", 18200), "mariadb": ("pvt-backup-mariadb", 18201)}
MEASURED = REPO / "tests" / "out" / "backup-measurements.txt"


class Commands:
    """deploy/backup, deploy/backups and deploy/restore against one project."""

    def __init__(self, project):
        self.project = project

    def options(self):
        files = [argument for name in self.project.files for argument in ("-f", str(REPO / name))]
        return ["-p", self.project.name, *files]

    def run(self, command, *args, check=True):
        return run(str(REPO / "deploy" / command), *self.options(), *args, check=check, timeout=900,
                   env=self.project.env)

    def backup(self):
        """Takes a backup; returns its name (the command's only output)."""
        return self.run("backup").stdout.strip()

    def names(self):
        """The backups deploy/backups lists, in its order."""
        return [line.split("\t")[0] for line in self.run("backups").stdout.splitlines() if line.strip()]

    def restore(self, name, stop_app=True, check=True):
        return self.run("restore", *(["--stop-app"] if stop_app else []), name, check=check)

    def metadata(self, name):
        """What the backup's metadata says (kind, count, ...), as the
        service's own check reads it back."""
        done = self.project.exec("backup", "pageviews-backup", "check", name)
        return dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)

    def in_backups(self, script):
        """A shell script in the backup container, inside the backups folder."""
        return self.project.exec("backup", "bash", "-c", f"set -Eeuo pipefail; cd /backups; {script}")


@pytest.fixture(scope="package", params=sorted(CLUSTERS), ids=lambda db: db)
def cluster(request, compose_project):
    """Three app replicas on PostgreSQL, then on MariaDB, shared by the
    suite's modules that take it."""
    name, port = CLUSTERS[request.param]
    with compose_project(name, port, replicas=3, db=request.param) as project:
        yield project


@pytest.fixture(scope="package")
def commands(cluster):
    return Commands(cluster)


@pytest.fixture(scope="session")
def commands_for():
    """Commands for a project a module starts itself."""
    return Commands


@pytest.fixture(scope="session")
def measured():
    """measured(what, seconds): a number for the report, printed and kept
    in tests/out/backup-measurements.txt."""
    MEASURED.parent.mkdir(exist_ok=True)
    lines = []

    def record(what, value):
        line = f"{what}: {value}"
        lines.append(line)
        sys.__stderr__.write(f"[measured] {line}\n")
        MEASURED.write_text("\n".join(lines) + "\n")

    return record
