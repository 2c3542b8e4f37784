"""What the cluster tests observe, through the compose networks: pages and
their numbers, the count the app reports, which replica nginx sent each
request to, and the containers' configuration."""
import json
import time
import uuid
from dataclasses import dataclass

from harness.burst import burst, exact_run_problem
from harness.http import get
from harness.wait import wait_for

REPLICAS = 3


def page(project, path="/", **options):
    """GET path through nginx, from the tests container."""
    return get(project.web_url + path, **options)


def number_of(record):
    """The number a page showed; fails naming that very request's outcome."""
    assert record.number is not None, f"no number served: {record.describe()}"
    return record.number


def api_views(project):
    """The count of / as the app reports it (counts nothing)."""
    record = page(project, "/api/views")
    try:
        return int(json.loads(record.body)["views"])
    except (ValueError, KeyError, TypeError):
        raise AssertionError(f"/api/views gave no count: {record.describe()}") from None


def ensure_replicas(project, replicas=REPLICAS):
    """Scales app to replicas (no-op when it runs so) and waits for nginx
    to answer through them."""
    if len(project.container_ids("app")) != replicas or project.healthy("app") != replicas:
        project.up(replicas=replicas)
    project.wait_serving(replicas)


def container_env(project, container, name):
    """A variable of a container's configured environment, or None."""
    for entry in project.inspect(container)["Config"]["Env"]:
        key, _, value = entry.partition("=")
        if key == name:
            return value
    return None


def published_ports(project, container):
    """{"80/tcp": ["18100"], ...}: only ports bound on the host."""
    ports = project.inspect(container)["NetworkSettings"]["Ports"] or {}
    return {port: sorted({binding["HostPort"] for binding in bindings})
            for port, bindings in ports.items() if bindings}


def app_addresses(project):
    """The running app replicas as nginx's upstream_addr names them."""
    return {f"{project.ip(container, 'frontend')}:8000" for container in project.container_ids("app")}


def nginx_log(project, prefix):
    """nginx's access log entries of the requests whose id starts with prefix."""
    logs = project.compose("logs", "--no-color", "--no-log-prefix", "web").stdout
    entries = []
    for line in logs.splitlines():
        # Compose may start a line with terminal control codes.
        start = line.find('{"time"')
        if start >= 0 and f'"request_id":"{prefix}-' in line:
            entries.append(json.loads(line[start:]))
    return entries


def upstreams_for(project, prefix, count):
    """The replica addresses nginx sent the count requests named prefix-*
    to (a retried request names several). Waits for the entries: nginx
    writes its access log out once a second."""
    def logged():
        entries = nginx_log(project, prefix)
        return entries if len(entries) >= count else None

    entries = wait_for(f"nginx's log of {count} requests {prefix}-*", logged, timeout=30,
                       seen=lambda: f"{len(nginx_log(project, prefix))} entries")
    addresses = set()
    for entry in entries:
        for tried in entry["upstream_addr"].replace(" : ", ", ").split(","):
            if tried.strip():
                addresses.add(tried.strip())
    return addresses


@dataclass
class Spread:
    problem: str  # what exact_run_problem found, or ""
    missing: set  # replicas that served none of the requests
    seen: set  # the replicas nginx sent requests to


def spread(project, name, count, attempts=3):
    """count requests, 6 at a time, through nginx: how they were counted and
    which replicas served them. A replica that just started may be missing
    until nginx re-resolves "app" (every second), so a burst that counted
    right but missed one is tried again, up to attempts bursts in all."""
    expected = app_addresses(project)
    for attempt in range(1, attempts + 1):
        prefix = f"{name}-{uuid.uuid4().hex[:8]}"
        first = api_views(project) + 1
        records = burst(project.web_url + "/", count, 6, name=prefix)
        result = Spread(exact_run_problem(records, first), set(), upstreams_for(project, prefix, count))
        result.missing = expected - result.seen
        if result.problem or not result.missing:
            return result
        time.sleep(2)  # a pause, not a wait for an event: the next burst is the check
    return result
