"""The upgrade suite's images and clusters: the app image under test, a
second one built from a copy of the source with a one-line change in the page
(a real code change: the C++ is compiled again), and one whose health check
fails; one cluster per case, each upgraded under steady load."""
import os
import pathlib
import shutil
import tempfile
import time
from dataclasses import dataclass, field

import pytest

from harness.command import output, run
from harness.load import Load

REPO = pathlib.Path(__file__).resolve().parents[2]
# The line the new build changes, and what it changes it to.
PAGE_SOURCE = "src/page.cc"
OLD_LINE = "pageviews &middot; reload to count another view"
NEW_LINE = "pageviews &middot; upgraded &middot; reload to count another view"
# What the change shows in the page (the HTML of NEW_LINE).
NEW_CODE_MARK = "upgraded &middot;"
# Steady load through nginx during each upgrade: 4 clients, 20 views/s each,
# bounded in time and count.
CLIENTS, PERIOD, SECONDS, COUNT = 4, 0.05, 400, 8000
# Requests answered before an upgrade starts and after it returned, so that
# it meets a running load and the new replicas are seen serving it.
SETTLE_REQUESTS = 80


def derived_tag(image, suffix):
    """pageviews:upgrade -> pageviews:upgrade-<suffix>."""
    name, _, tag = image.rpartition(":")
    return f"{name}:{tag}-{suffix}" if name and "/" not in tag else f"{image}:{suffix}"


@dataclass
class Checkout:
    path: pathlib.Path
    image: str


@pytest.fixture(scope="session")
def next_checkout(images):
    """A copy of the checkout whose page footer differs by one word, as after
    a `git pull`, and the tag its build gets. Built here first, the way
    deploy/upgrade builds it, so that its build under load takes seconds
    from the cache rather than minutes of C++ on a shared machine."""
    tag = derived_tag(images["app"], "next")
    # Under the checkout, which is mounted at its host path: the compose
    # file's secrets are bind mounts, read by the Docker host.
    (REPO / "tests/out").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=REPO / "tests/out", prefix="upgrade-") as scratch:
        path = pathlib.Path(scratch) / "pageviews"
        shutil.copytree(REPO, path, ignore=shutil.ignore_patterns(".git", "out", "artifacts", "__pycache__"))
        page = path / PAGE_SOURCE
        text = page.read_text()
        assert text.count(OLD_LINE) == 1, f"{PAGE_SOURCE} no longer has the line this suite changes: {OLD_LINE!r}"
        page.write_text(text.replace(OLD_LINE, NEW_LINE))
        run("docker", "compose", "--project-name", "pvt-upgrade-build", "--file", str(path / "docker-compose.yml"),
            "build", "--quiet", "app", env={**os.environ, "PAGEVIEWS_IMAGE": tag}, timeout=1800)
        yield Checkout(path, tag)
    run("docker", "image", "rm", tag, check=False)


@pytest.fixture(scope="session")
def unhealthy_image(images):
    """The app image whose `pageviews healthcheck` always fails (the app
    itself serves and counts as usual)."""
    tag = derived_tag(images["app"], "unhealthy")
    run("docker", "build", "--quiet", "--build-arg", f"APP_IMAGE={images['app']}", "--tag", tag,
        str(REPO / "tests/upgrade/unhealthy"), timeout=600)
    yield tag
    run("docker", "image", "rm", tag, check=False)


@dataclass
class Case:
    db: str
    replicas: int
    # How deploy/upgrade is told the project: "-p" (its option) or
    # "COMPOSE_PROJECT_NAME" (the environment), never the default name.
    named_by: str
    port: int

    @property
    def project(self):
        return f"pvt-upgrade-{self.db[:2]}{self.replicas}"


CASES = [
    pytest.param(Case("postgres", 3, "-p", 18184), id="postgres-3-replicas"),
    pytest.param(Case("postgres", 1, "COMPOSE_PROJECT_NAME", 18185), id="postgres-1-replica"),
    pytest.param(Case("mariadb", 3, "-p", 18186), id="mariadb-3-replicas"),
]


@dataclass
class Upgrade:
    """What one deploy/upgrade under load did and what it left."""
    status: int
    output: str
    records: list
    returned_at: float
    count_before: int
    count_after: int
    apps_before: list
    apps_after: list
    web_before: dict
    web_after: dict
    images_after: set = field(default_factory=set)

    def records_after(self):
        """The requests sent after deploy/upgrade returned."""
        return [record for record in self.records if record.started > self.returned_at]


def upgrade(project, case, image, checkout=None):
    """Runs deploy/upgrade under steady load, the way a user would (the
    compose files and the project name passed on): with a checkout, as
    `git pull && deploy/upgrade` there, building it; else rolling out image
    as it is."""
    source, build = (checkout.path, []) if checkout else (REPO, ["--no-build"])
    files = [argument for name in project.files for argument in ("-f", str(source / name))]
    env = {**project.env, "PAGEVIEWS_IMAGE": checkout.image if checkout else image}
    name = ["-p", project.name]
    if case.named_by == "COMPOSE_PROJECT_NAME":
        env["COMPOSE_PROJECT_NAME"], name = project.name, []
    apps_before, web_before = project.container_ids("app"), project.inspect(project.container("web"))
    count_before = project.db_count()
    with Load(project.web_url + "/", clients=CLIENTS, period=PERIOD, seconds=SECONDS, count=COUNT,
              name=f"upgrade-{case.project}") as load:
        load.wait_for_requests(SETTLE_REQUESTS)
        done = run(str(REPO / "deploy/upgrade"), *build, *name, *files, check=False, timeout=900, env=env)
        returned_at = time.time()
        load.wait_for_requests(len(load.records) + SETTLE_REQUESTS)
        records = load.stop()
    apps_after = project.container_ids("app")
    return Upgrade(status=done.returncode, output=(done.stdout + done.stderr).strip(), records=records,
                   returned_at=returned_at, count_before=count_before, count_after=project.db_count(),
                   apps_before=apps_before, apps_after=apps_after, web_before=web_before,
                   web_after=project.inspect(project.container("web")),
                   images_after={output("docker", "inspect", "--format", "{{.Image}}", app) for app in apps_after})


@pytest.fixture(scope="module", params=CASES)
def case(request):
    return request.param


@pytest.fixture(scope="module")
def cluster(case, compose_project):
    with compose_project(case.project, case.port, replicas=case.replicas, db=case.db) as project:
        yield project


@pytest.fixture(scope="module")
def upgraded(cluster, case, next_checkout):
    """The cluster upgraded under load to a new build of a changed checkout."""
    return upgrade(cluster, case, None, checkout=next_checkout)


@pytest.fixture(scope="module")
def rolled_back(upgraded, cluster, case, unhealthy_image):
    """Then an upgrade to an image that never turns healthy, under load."""
    return upgrade(cluster, case, unhealthy_image)


@pytest.fixture(scope="session")
def new_code_mark():
    """What the new build's page shows and the old one's does not."""
    return NEW_CODE_MARK


@pytest.fixture(scope="session")
def deploy_upgrade():
    """Runs deploy/upgrade with arguments (and env); returns CompletedProcess."""
    def call(*arguments, env=None):
        return run(str(REPO / "deploy/upgrade"), *arguments, check=False, timeout=900, env=env)
    return call
