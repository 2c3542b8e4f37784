"""The swarm suite's one resource: a stack deployed by following README's
"Running on a swarm" lines in a fresh clone, under the test's own stack name
and port. The tests in test_readme_swarm.py run those lines in order and
check what must hold between them; this fixture always takes down what they
left: the stack, its volumes, the images the lines built, the swarm (when
the test made it) and the clone.
"""
import json
import os
import pathlib
import re
import shutil
import tempfile

import pytest

from harness.command import CommandFailed, output, run
from harness.compose import TESTS_CONTAINER
from harness.wait import wait_for

STACK = os.environ.get("PAGEVIEWS_SWARM_STACK", "pvswarmtest")
PORT = int(os.environ.get("PAGEVIEWS_SWARM_PORT", "18383"))
# README's six lines, by what each does, in README's order. A README line
# is run as written; only the stack name is replaced by the test's.
STEPS = {
    "init": r"docker swarm init",
    "build": r"docker compose build",
    "deploy": r"deploy/swarm/deploy pageviews",
    "build-new": r"PAGEVIEWS_IMAGE=\S+ docker compose build",
    "deploy-new": r"PAGEVIEWS_IMAGE=\S+ deploy/swarm/deploy pageviews",
    "rm": r"docker stack rm pageviews",
}


def readme_swarm_lines(readme):
    """The commands of the first sh block after README's swarm heading, one
    a line, comments dropped."""
    section = readme.split("## Running on a swarm", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    lines = (re.sub(r"\s*#.*", "", line).strip() for line in block.splitlines())
    return [line for line in lines if line]


class Stack:
    """The stack the README lines deploy, and what the tests read of it."""

    def __init__(self, repo, clone):
        self.repo, self.clone = repo, clone
        self.steps, self.port = STEPS, PORT
        self.lines = readme_swarm_lines((clone / "README.md").read_text())
        self.done = set()  # the steps whose line ran and succeeded
        self.made_swarm = False
        self.made_images = []
        self.joined = False
        self.load = None
        self.update = {}  # what the update under load saw (test_readme_swarm)

    # -- README's lines ------------------------------------------------------

    def line(self, step):
        """README's line for step, matched by its pattern (None if absent)."""
        for line in self.lines:
            if re.fullmatch(STEPS[step], line):
                return line
        return None

    def need(self, *steps):
        """Skips the calling test when a line it builds on did not run."""
        missing = [step for step in steps if step not in self.done]
        if missing:
            pytest.skip(f"README's {', '.join(missing)} line did not run")

    def run_line(self, step):
        """Runs README's line for step in the clone, as a user would type it
        (the stack name replaced); raises with the end of its output."""
        line = self.line(step)
        if line is None:
            raise CommandFailed(f"README has no {step} line matching {STEPS[step]!r}: {self.lines}")
        if step == "init":
            return self.join_swarm()
        image = re.match(r"PAGEVIEWS_IMAGE=(\S+)", line)
        if image and run("docker", "image", "inspect", image.group(1), check=False).returncode != 0:
            self.made_images.append(image.group(1))
        line = line.replace("deploy/swarm/deploy pageviews", f"deploy/swarm/deploy {STACK}")
        line = line.replace("docker stack rm pageviews", f"docker stack rm {STACK}")
        # The load comes from one address as fast as answers come: the
        # per-client rate limit (tested by the https suite) would answer it
        # 429, so it is off here as in every harness project.
        env = {**os.environ, "PAGEVIEWS_HTTP_PORT": str(PORT), "PAGEVIEWS_RATE_LIMIT": "0"}
        done = run("bash", "-Eeuo", "pipefail", "-c", f"cd {self.clone} && {line}", check=False, timeout=1800,
                   env=env)
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-10:])
            raise CommandFailed(f"README line {line!r} exited {done.returncode}:\n{tail}")
        self.done.add(step)

    def join_swarm(self):
        # `docker swarm init` only when the engine is in no swarm: the test
        # must not take over, or later leave, a swarm it did not make.
        if output("docker", "info", "--format", "{{.Swarm.LocalNodeState}}") != "active":
            run("docker", "swarm", "init", "--advertise-addr", "127.0.0.1")
            self.made_swarm = True
        self.done.add("init")

    # -- what the stack is doing ---------------------------------------------

    def service(self, name):
        return f"{STACK}_{name}"

    def running_app_tasks(self):
        """How many of the app service's tasks are running now."""
        states = output("docker", "service", "ps", self.service("app"), "--filter", "desired-state=running",
                        "--format", "{{.CurrentState}}")
        return sum(1 for state in states.splitlines() if state.startswith("Running"))

    def wait_app_tasks(self, count, timeout):
        wait_for(f"{count} running app tasks", lambda: self.running_app_tasks() == count, timeout=timeout,
                 seen=lambda: f"{self.running_app_tasks()} running")

    def update_state(self):
        return output("docker", "service", "inspect", "--format",
                      "{{if .UpdateStatus}}{{.UpdateStatus.State}}{{else}}completed{{end}}", self.service("app"))

    def app_image(self):
        image = output("docker", "service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}",
                       self.service("app"))
        return image.split("@", 1)[0]

    def task_container(self, name):
        ids = output("docker", "ps", "--quiet", "--filter",
                     f"label=com.docker.swarm.service.name={self.service(name)}").split()
        if not ids:
            raise CommandFailed(f"no running container of {self.service(name)}")
        return ids[0]

    def db_count(self, path="/"):
        """The count of path as PostgreSQL holds it; raises when unreadable."""
        literal = path.replace("'", "''")
        done = run("docker", "exec", "-i", self.task_container("db"), "sh", "-c",
                   'psql -X -q -t -A -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB"',
                   input=f"SELECT views FROM page_views WHERE path = '{literal}';", check=False)
        value = done.stdout.strip()
        if done.returncode != 0 or not value.isdigit():
            raise CommandFailed(f"could not read the count of {path}: exit {done.returncode}, "
                                f"{(done.stdout + done.stderr).strip()[:200]!r}")
        return int(value)

    def web_url(self):
        """nginx's task as the tests container reaches it on the stack's
        frontend network, by address: Docker's DNS briefly fails lookups from
        attached containers while tasks churn, the test rig's weakness, not
        the cluster's (a client of a load balancer holds its address too)."""
        network = self.service("frontend")
        if not self.joined and TESTS_CONTAINER:
            run("docker", "network", "connect", network, TESTS_CONTAINER)
            self.joined = True
        settings = json.loads(output("docker", "inspect", self.task_container("web")))[0]["NetworkSettings"]
        return f"http://{settings['Networks'][network]['IPAddress']}"

    def leave_network(self):
        # Before `docker stack rm`: a network with a member left stays.
        if self.joined:
            run("docker", "network", "disconnect", "--force", self.service("frontend"), TESTS_CONTAINER, check=False)
            self.joined = False

    def leftovers(self):
        """What of the stack still exists: services, containers, networks."""
        label = f"label=com.docker.stack.namespace={STACK}"
        found = {
            "services": output("docker", "service", "ls", "--quiet", "--filter", label).split(),
            "containers": output("docker", "ps", "--all", "--quiet", "--filter", label).split(),
            "networks": output("docker", "network", "ls", "--quiet", "--filter", label).split(),
        }
        return {kind: ids for kind, ids in found.items() if ids}

    # -- teardown --------------------------------------------------------------

    def remove(self):
        if self.load is not None:
            self.load.stop()
        self.leave_network()
        if "deploy" in self.done and "rm" not in self.done:
            run("docker", "stack", "rm", STACK, check=False)
        try:
            wait_for("the stack's networks to go", lambda: "networks" not in self.leftovers(), timeout=60)
        except AssertionError as error:
            print(f"swarm teardown: {error}")
        volumes = output("docker", "volume", "ls", "--quiet", "--filter",
                         f"label=com.docker.stack.namespace={STACK}").split()
        if volumes:
            run("docker", "volume", "rm", *volumes, check=False)
        if self.made_swarm:
            run("docker", "swarm", "leave", "--force", check=False)
        if self.made_images:
            run("docker", "image", "rm", *self.made_images, check=False)


@pytest.fixture(scope="module")
def stack(repo):
    """A fresh clone of the checkout, under the checkout's ignored
    tests/out/ (the stack bind-mounts the clone's nginx configuration, so
    its path must mean the same to the Docker engine as to this container),
    removed with everything the stack left."""
    out = repo / "tests" / "out"
    out.mkdir(exist_ok=True)
    work = tempfile.mkdtemp(prefix="swarm-clone-", dir=out)
    try:
        clone = os.path.join(work, "clone")
        run("git", "-c", f"safe.directory={repo}", "clone", "--quiet", str(repo), clone, timeout=600)
        deployed = Stack(repo, pathlib.Path(clone))
        try:
            yield deployed
        finally:
            deployed.remove()
    finally:
        shutil.rmtree(work, ignore_errors=True)
