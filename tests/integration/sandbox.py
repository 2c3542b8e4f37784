"""Containers of the app image, and a database server, on a private network
that the tests container joins: no compose, no published port.

Files the containers need (passwords) are copied in from memory before
they start: nothing is written to the host, so nothing is left behind.
Contract as for compose projects: a Sandbox refuses a name in use (another
run, or leftovers) and removes only what it started, on every exit.
"""
import io
import os
import subprocess
import tarfile

from harness.command import CommandFailed, output, run
from harness.compose import HEALTHY_WITHIN, TESTS_CONTAINER
from harness.http import get
from harness.wait import wait_for


class Sandbox:
    def __init__(self, name):
        self.name = name
        self.label = f"pageviews.test-project={name}"
        self.owned = False

    def __enter__(self):
        in_use = output("docker", "ps", "--all", "--quiet", "--filter", f"label={self.label}") or \
            run("docker", "network", "inspect", self.name, check=False).returncode == 0
        if in_use:
            raise CommandFailed(f"{self.name} is in use (another run, or leftovers: docker rm -f $(docker ps -aq "
                                f"--filter label={self.label}); docker network rm {self.name}); not starting beside it")
        self.owned = True
        run("docker", "network", "create", "--label", self.label, self.name)
        if TESTS_CONTAINER:
            run("docker", "network", "connect", self.name, TESTS_CONTAINER)
        return self

    def __exit__(self, *exc):
        if not self.owned:
            return
        if TESTS_CONTAINER:
            run("docker", "network", "disconnect", "--force", self.name, TESTS_CONTAINER, check=False)
        ids = output("docker", "ps", "--all", "--quiet", "--filter", f"label={self.label}").split()
        if ids:
            run("docker", "rm", "--force", "--volumes", *ids, check=False)
        run("docker", "network", "rm", self.name, check=False)
        self.owned = False

    def container(self, role):
        return f"{self.name}-{role}"

    def url(self, role, path="/", port=8000):
        return f"http://{self.container(role)}:{port}{path}"

    def create(self, role, *arguments, files=None):
        """docker create a container named for role on the network, with
        files ({absolute path: text}) in place; returns its name."""
        name = self.container(role)
        run("docker", "create", "--name", name, "--network", self.name, "--label", self.label, *arguments)
        if files:
            put_files(name, files)
        return name

    def start(self, role, *arguments, files=None):
        name = self.create(role, *arguments, files=files)
        run("docker", "start", name)
        return name

    def run_once(self, role, *arguments, files=None, timeout=300):
        """A container run to its end; returns its CompletedProcess (output
        and exit status), and removes it."""
        name = self.create(role, *arguments, files=files)
        try:
            return run("docker", "start", "--attach", name, check=False, timeout=timeout)
        finally:
            run("docker", "rm", "--force", name, check=False)

    def exec(self, role, *command, input=None, check=False):
        return run("docker", "exec", "--interactive", self.container(role), *command, input=input, check=check)

    def ip(self, role):
        return output("docker", "inspect", "--format",
                      f'{{{{(index .NetworkSettings.Networks "{self.name}").IPAddress}}}}', self.container(role))

    def describe(self, role):
        """What a wait that gave up saw: the container's state, health and last log lines."""
        state = run("docker", "inspect", "--format", "{{.State.Status}} (exit {{.State.ExitCode}}, health "
                    "{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}})", self.container(role),
                    check=False)
        logs = run("docker", "logs", "--tail", "5", self.container(role), check=False)
        return f"{role}: {(state.stdout or state.stderr).strip()}; last log lines: " \
               f"{(logs.stdout + logs.stderr).strip()[-400:]!r}"

    def wait_answering(self, role, path="/healthz", timeout=HEALTHY_WITHIN):
        """Waits for the app in role to answer path with 200: the event
        itself, bounded generously, naming what it saw when it gives up."""
        wait_for(f"{role} answering {path}", lambda: get(self.url(role, path), timeout=3).status == 200,
                 timeout=timeout, seen=lambda: self.describe(role))


def put_files(container, files):
    """Copies {absolute path: text} into a container (created or running)
    as a tar archive built in memory; readable by any user (the app runs
    as 10001), directories made as needed."""
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        made = set()
        for path, text in files.items():
            parts = path.strip("/").split("/")
            for depth in range(1, len(parts)):
                directory = "/".join(parts[:depth])
                if directory not in made:
                    info = tarfile.TarInfo(directory)
                    info.type, info.mode = tarfile.DIRTYPE, 0o755
                    tar.addfile(info)
                    made.add(directory)
            data = text.encode()
            info = tarfile.TarInfo("/".join(parts))
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    done = subprocess.run(["docker", "cp", "-", f"{container}:/"], input=archive.getvalue(), capture_output=True,
                          timeout=120)
    if done.returncode != 0:
        raise CommandFailed(f"docker cp into {container} failed: {done.stderr.decode(errors='replace').strip()}")


def prefix():
    """The names' common prefix (PAGEVIEWS_TEST_INTEGRATION_PROJECT)."""
    return os.environ.get("PAGEVIEWS_TEST_INTEGRATION_PROJECT", "pvt-integ")
