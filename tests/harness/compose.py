"""A compose project of the real docker-compose.yml, under a name and host
port of its own, that the tests container reaches over the project's own
networks (so it works wherever Docker runs, Docker Desktop included).

Contract: a Project refuses to start when containers of its name exist (a
run still going, or leftovers: not ours to remove, and their counts would
skew ours), and removes only what it started. started() tears it down on
every exit, failures and Ctrl-C included.
"""
import contextlib
import json
import os
import pathlib
import sys

from harness.command import CommandFailed, output, run
from harness.database import DATABASES, owner_client, read_count
from harness.wait import wait_for

REPO = pathlib.Path(__file__).resolve().parents[2]
# Seconds to wait for a service to become healthy; generous, since the
# machine may be busy: the wait ends as soon as the event happens.
HEALTHY_WITHIN = float(os.environ.get("PAGEVIEWS_TEST_WAIT", "180"))
# The container this test session runs in (tests/run names it).
TESTS_CONTAINER = os.environ.get("PAGEVIEWS_TESTS_CONTAINER", "")


class Project:
    """base is the first compose file, its folder the project directory:
    docker-compose.yml, or another cluster of the same services (db, app,
    web), such as the benchmark's reference (bench/reference/django), whose
    app has no /healthz: ready_path is what nginx must answer 200 once the
    app replicas are healthy."""

    def __init__(self, name, http_port, db="postgres", files=(), env=None, base="docker-compose.yml",
                 ready_path="/healthz"):
        if db not in DATABASES:
            raise ValueError(f"db must be one of {DATABASES}, not {db!r}")
        self.name, self.http_port, self.db = name, int(http_port), db
        self.base, self.ready_path = base, ready_path
        self.files = [base] + (["compose.mariadb.yml"] if db == "mariadb" else []) + list(files)
        # Unless a test sets them: the per-client rate limit is off, since the
        # suites' loads all come from one address, the tests container's
        # (the https suite tests the limit itself); and HTTPS is published on
        # a host port Docker picks (0), so that projects side by side never
        # claim the same one.
        self.env = {"PAGEVIEWS_RATE_LIMIT": "0", "PAGEVIEWS_HTTPS_PORT": "0", **os.environ,
                    "PAGEVIEWS_HTTP_PORT": str(http_port), **(env or {})}
        self.owned = False
        self._joined = []

    # -- compose itself ----------------------------------------------------

    def compose(self, *args, check=True, timeout=600, input=None):
        files = [argument for name in self.files for argument in ("--file", str(REPO / name))]
        directory = (REPO / self.base).parent
        command = ["docker", "compose", "--project-name", self.name, "--project-directory", str(directory),
                   *files, *args]
        done = run(*command, check=False, timeout=timeout, input=input, env=self.env)
        if check and done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-20:])
            raise CommandFailed(f"docker compose {' '.join(args)} exited {done.returncode}:\n{tail}")
        return done

    def exec(self, service, *command, input=None, check=True, user=None):
        """Runs command in service's (first) container; returns CompletedProcess."""
        flags = ["--user", user] if user else []
        return self.compose("exec", "-T", *flags, service, *command, input=input, check=check)

    def up(self, *args, replicas=None):
        """docker compose up -d --no-build (every image is built once, by
        tests/run), then joins the project's networks."""
        scale = ["--scale", f"app={replicas}"] if replicas is not None else []
        self.compose("up", "--detach", "--no-build", *scale, *args)
        self.join_networks()

    # -- lifecycle -----------------------------------------------------------

    def claim(self):
        existing = self.container_ids(all=True)
        if existing:
            raise CommandFailed(
                f"project {self.name} has {len(existing)} containers (another run, or leftovers: "
                f"docker compose -p {self.name} down -v); not starting beside them")
        self.owned = True
        # Volumes and networks of a run killed outright would skew the counts.
        self.compose("down", "--volumes", "--remove-orphans", "--timeout", "5", check=False)

    def start(self, replicas=1):
        """Claims the name, starts the whole cluster and waits until nginx
        answers through replicas healthy app replicas."""
        self.claim()
        self.up(replicas=replicas)
        self.wait_serving(replicas)

    def down(self):
        if not self.owned:
            return
        self.leave_networks()
        helpers = self.helper_ids()
        if helpers:
            run("docker", "rm", "--force", *helpers, check=False)
        self.compose("down", "--volumes", "--remove-orphans", "--timeout", "10", check=False)
        self.owned = False

    def diagnostics(self):
        """What a failure needs: every container's state and each service's last log lines."""
        states = self.compose("ps", "--all", check=False).stdout
        logs = self.compose("logs", "--no-color", "--tail", "25", check=False).stdout
        return f"--- {self.name}: containers\n{states}\n--- {self.name}: last log lines\n{logs}"

    # -- containers and networks ---------------------------------------------

    def label(self):
        return f"label=com.docker.compose.project={self.name}"

    def container_ids(self, service=None, all=False, healthy=False):
        """Ids of the project's (running, unless all) containers, sorted."""
        filters = ["--filter", self.label()]
        if service:
            filters += ["--filter", f"label=com.docker.compose.service={service}"]
        if healthy:
            filters += ["--filter", "health=healthy"]
        ids = output("docker", "ps", "--quiet", "--no-trunc", *(["--all"] if all else []), *filters)
        return sorted(ids.split())

    def container(self, service):
        """The one running container of service."""
        ids = self.container_ids(service)
        if len(ids) != 1:
            raise CommandFailed(f"expected one running {service} container, found {len(ids)}")
        return ids[0]

    def helper_ids(self):
        """Containers tests started beside the project (labelled with its name)."""
        label = f"label=pageviews.test-project={self.name}"
        return output("docker", "ps", "--all", "--quiet", "--filter", label).split()

    def network(self, key):
        """The full name of the project's network key (frontend, backend)."""
        return output("docker", "network", "ls", "--format", "{{.Name}}", "--filter", self.label(),
                      "--filter", f"label=com.docker.compose.network={key}")

    def inspect(self, container):
        return json.loads(output("docker", "inspect", container))[0]

    def ip(self, container, key="frontend"):
        return self.inspect(container)["NetworkSettings"]["Networks"][self.network(key)]["IPAddress"]

    def join_networks(self):
        """Connects the tests container to each of the project's networks."""
        if not TESTS_CONTAINER:
            return
        for network in output("docker", "network", "ls", "--format", "{{.Name}}", "--filter", self.label()).split():
            if network in self._joined:
                continue
            done = run("docker", "network", "connect", network, TESTS_CONTAINER, check=False)
            if done.returncode != 0 and "already exists" not in done.stderr:
                raise CommandFailed(f"could not join {network}: {done.stderr.strip()}")
            self._joined.append(network)

    def leave_networks(self):
        # Before `down`: a network with a member left cannot be removed.
        for network in self._joined:
            run("docker", "network", "disconnect", "--force", network, TESTS_CONTAINER, check=False)
        self._joined = []

    # -- serving -------------------------------------------------------------

    @property
    def web_url(self):
        """nginx as seen from the tests container (its address on frontend)."""
        return f"http://{self.ip(self.container('web'))}"

    def healthy(self, service):
        return len(self.container_ids(service, healthy=True))

    def wait_serving(self, replicas=1, timeout=HEALTHY_WITHIN):
        """Waits for replicas healthy app containers and nginx answering ready_path through them."""
        from harness.http import get

        wait_for(f"{replicas} healthy app replicas", lambda: self.healthy("app") == replicas, timeout=timeout,
                 seen=lambda: f"{self.healthy('app')} healthy of {len(self.container_ids('app'))} running")
        wait_for(f"nginx answering {self.ready_path}",
                 lambda: get(self.web_url + self.ready_path, timeout=3).status == 200, timeout=timeout)

    # -- the count -----------------------------------------------------------

    def sql(self, query):
        """Runs query as the database's owner with its own client in db; returns the CompletedProcess."""
        return self.exec("db", *owner_client(self.db), input=query, check=False)

    def db_count(self, path="/"):
        """The count of path as the database holds it. Raises when it cannot
        be read: a check never compares an unread count."""
        return read_count(self.sql, self.db, path)


@contextlib.contextmanager
def started(name, http_port, replicas=1, session=None, **options):
    """A started Project, torn down on every exit. Its diagnostics go to the
    terminal when starting failed, the body raised, or (given pytest's
    session) a test failed while it ran: pytest does not raise a test's
    failure into the fixture that holds the project."""
    project = Project(name, http_port, **options)
    failed_before = session.testsfailed if session else 0
    try:
        project.start(replicas)
        yield project
        if session and session.testsfailed > failed_before:
            sys.__stderr__.write(project.diagnostics())
    except BaseException:
        if project.owned:
            sys.__stderr__.write(project.diagnostics())
        raise
    finally:
        project.down()
