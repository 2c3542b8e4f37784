"""Measures failed requests under the same steady load (4 clients through
nginx to 3 replicas) for the two ways README has given to upgrade the app to
a new build: `docker compose up -d --build` (before deploy/upgrade) and
`deploy/upgrade`. Not a test: it prints numbers (DECISIONS 24). Run it in
the tools image the way tests/run runs pytest:

    docker run --rm --name pvt-upgrade-measure -e PAGEVIEWS_TESTS_CONTAINER=pvt-upgrade-measure \\
        -e PAGEVIEWS_IMAGE -e POSTGRES_IMAGE -e NGINX_IMAGE -v /var/run/docker.sock:/var/run/docker.sock \\
        -v "$PWD:$PWD" -w "$PWD" pageviews-tools:local python3 tests/upgrade/measure_compose_up.py
"""
import os
import pathlib
import shutil
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "tests/upgrade"), str(REPO / "tests")]

from conftest import NEW_LINE, OLD_LINE, PAGE_SOURCE  # noqa: E402
from harness.command import run  # noqa: E402
from harness.compose import Project  # noqa: E402
from harness.load import Load  # noqa: E402
from harness.verdict import load_stats  # noqa: E402

# The tag the cluster runs; each upgrade first points it at another build.
TAG = "pageviews:upgrade-measure"


def build_changed_copy(scratch, tag):
    """The app built from a copy of the checkout with the page's footer changed."""
    path = pathlib.Path(scratch) / "pageviews"
    shutil.copytree(REPO, path, ignore=shutil.ignore_patterns(".git", "out", "artifacts", "__pycache__"))
    page = path / PAGE_SOURCE
    page.write_text(page.read_text().replace(OLD_LINE, NEW_LINE))
    run("docker", "compose", "-p", "pvt-upgrade-build", "-f", str(path / "docker-compose.yml"), "build", "--quiet",
        "app", env={**os.environ, "PAGEVIEWS_IMAGE": tag}, timeout=1800)


def under_load(project, what, image, command):
    """Points TAG at image, runs command under the load; returns one line
    saying what failed."""
    run("docker", "tag", image, TAG)
    with Load("http://web/", clients=4, period=0.05, seconds=600, count=12000, name=what) as load:
        load.wait_for_requests(80)
        began = time.time()
        run(*command, env=project.env, timeout=1800)
        took = time.time() - began
        project.wait_serving(3)
        load.wait_for_requests(len(load.records) + 80)
        records = load.stop()
    stats = load_stats(records)
    failed = [r for r in records if r.number is None]
    span = (failed[-1].started - failed[0].started) if failed else 0.0
    return (f"{what}: {stats.total - stats.acknowledged} of {stats.total} requests failed "
            f"({stats.describe_statuses()}) over {span:.1f} s; the command took {took:.1f} s")


def main():
    original = os.environ.get("PAGEVIEWS_IMAGE", "pageviews:local")
    changed = TAG + "-next"
    run("docker", "tag", original, TAG)
    project = Project("pvt-upgrade-measure", 18187, env={"PAGEVIEWS_IMAGE": TAG})
    try:
        with tempfile.TemporaryDirectory() as scratch:
            build_changed_copy(scratch, changed)
        project.start(3)
        # What `docker compose up -d --build` does once its build is done.
        compose = ["docker", "compose", "-p", project.name, "--project-directory", str(REPO),
                   *[argument for name in project.files for argument in ("-f", str(REPO / name))]]
        print(under_load(project, "docker compose up -d --build", changed,
                         [*compose, "up", "-d", "--no-build", "--scale", "app=3"]), flush=True)
        print(under_load(project, "deploy/upgrade", original,
                         [str(REPO / "deploy/upgrade"), "--no-build", *compose[2:]]), flush=True)
    finally:
        project.down()
        run("docker", "image", "rm", TAG, changed, check=False)


if __name__ == "__main__":
    main()
