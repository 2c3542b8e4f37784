"""What the fault tests do to the cluster and read back from it: psql in
the db container, what identifies a container's run, the app's own
settings as it logged them, a PostgreSQL readiness probe and nginx's access
log. ready_after() is pure (test_faultkit.py); the rest drives Docker."""
import os
import re
import subprocess
import threading
import time

from harness.command import output, run
from harness.wait import wait_for
from reliability import nginx_log


def psql(cluster, sql, database=""):
    """Runs sql with psql inside the db container as the owner, over the
    Unix socket (so its own backend has no client address), in database
    (default: the app's). The app's database name is the psql variable db.
    Unaligned, tuples only; raises on the first error."""
    script = ('psql -X -q -t -A -v ON_ERROR_STOP=1 -v db="$POSTGRES_DB" '
              '-U "$POSTGRES_USER" -d "${1:-$POSTGRES_DB}"')
    return run("docker", "exec", "-i", cluster.container("db"), "sh", "-c", script, "sh", database,
               input=sql, timeout=120).stdout.strip()


def identity(cluster, container):
    """What changes when a container is restarted or replaced."""
    state = cluster.inspect(container)
    return (state["Id"], state["State"]["StartedAt"], state["RestartCount"])


def identities(cluster, service="app"):
    return [identity(cluster, container) for container in cluster.container_ids(service)]


def logs(container, since=None):
    """A container's log, stdout and stderr together."""
    flags = ["--since", f"{since:.3f}"] if since else []
    done = run("docker", "logs", *flags, container, check=False, timeout=120)
    return done.stdout + done.stderr


def app_setting(container, name):
    """A setting as the replica logged it at its last start (the
    "settings: ... db_timeout_ms=2000 ..." line): what it runs with,
    whether compose set it or the app's default applied."""
    found = re.findall(rf"\b{re.escape(name)}=(\S+)", logs(container))
    if not found:
        raise AssertionError(f"{container[:12]} logged no {name}=")
    return found[-1]


def docker_time(text):
    """Docker's RFC 3339 time (nanoseconds, Z) as epoch seconds."""
    from datetime import datetime

    whole, _, fraction = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{whole}.{(fraction + '000000')[:6]}+00:00").timestamp()


def wait_healthy(cluster, container, timeout=180):
    wait_for(f"{container[:12]} healthy",
             lambda: cluster.inspect(container)["State"].get("Health", {}).get("Status") == "healthy",
             timeout=timeout, seen=lambda: cluster.inspect(container)["State"]["Status"])


def duration_s(text):
    """A compose duration ("15s", "1m30s") in seconds; None if unreadable."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", text or "")
    if not parts or "".join(number + unit for number, unit in parts) != text:
        return None
    return sum(float(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit] for number, unit in parts)


def sleep_until(moment):
    time.sleep(max(0.0, moment - time.time()))


def ready_after(changes, since):
    """changes: (epoch s, pg_isready exit code) at each change, in order. The
    first moment at or after since that PostgreSQL accepted connections
    after not doing so (the refusal may have begun before since); None while
    it has not."""
    down = False
    for moment, code in changes:
        if code != 0:
            down = True
        elif down and moment >= since:
            return moment
        else:
            down = False
    return None


class DbProbe:
    """pg_isready against the db container every 0.2 s from the tests
    container, recording each change of its answer. By address, never by
    name: while the container is gone a name would be looked up beyond
    the cluster. Stopped or paused, it does not answer (code 2)."""

    def __init__(self, cluster):
        self.cluster, self.container, self.changes = cluster, cluster.container("db"), []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _answer(self):
        try:
            address = self.cluster.ip(self.container, "backend")
        except (AssertionError, KeyError):
            return 2
        if not address:
            return 2
        return subprocess.run(["pg_isready", "-q", "-h", address, "-p", "5432", "-t", "1"],
                              capture_output=True).returncode

    def _poll(self):
        last = None
        while not self._stop.is_set():
            moment, code = time.time(), self._answer()
            if code != last:
                self.changes.append((moment, code))
                last = code
            self._stop.wait(0.2)

    def ready_after(self, since, timeout):
        """Waits (at most timeout) until the probe saw PostgreSQL accept
        connections again at or after since; None when it never did."""
        try:
            return wait_for("PostgreSQL accepting connections again", lambda: ready_after(self.changes, since),
                            timeout=timeout, interval=0.2, seen=lambda: f"pg_isready changes {self.changes[-4:]}")
        except AssertionError:
            return None

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)


def proxied(cluster, prefix, records):
    """nginx's access log entries of the requests whose id starts with
    prefix, once it holds every one that nginx answered (it writes its log
    out once a second)."""
    web = cluster.container("web")
    answered = [record.request_id for record in records if record.status is not None]
    last = max((r for r in records if r.status is not None), key=lambda r: r.started, default=None)

    def entries():
        found = nginx_log.parse(logs(web), prefix)
        return found if last is None or last.request_id in found else None

    if not answered:
        return nginx_log.parse(logs(web), prefix)
    return wait_for(f"nginx's access log of {prefix}", entries, timeout=60, interval=1.0)


def helper(cluster, options, command, detach=False):
    """Runs command in a container of the tools image beside the project,
    labelled so that the project's teardown removes it; returns its output
    (its id when detached)."""
    image = os.environ.get("PAGEVIEWS_TOOLS_IMAGE", "pageviews-tools:local")
    mode = ["--detach"] if detach else ["--rm"]
    return output("docker", "run", *mode, "--label", f"pageviews.test-project={cluster.name}", *options, image,
                  *command, timeout=120)
