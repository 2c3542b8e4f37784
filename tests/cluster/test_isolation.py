"""Isolation: only nginx is published, the database lives on an internal
network nginx cannot reach, and the app runs hardened with its passwords
in files only."""
import os
import pathlib

import pytest

from cluster.helpers import published_ports
from harness.command import run

REPO = pathlib.Path(__file__).resolve().parents[2]
DB_PORTS = {"postgres": 5432, "mariadb": 3306}
PASSWORD_FILES = {
    "PAGEVIEWS_DB_PASSWORD_FILE": "deploy/dev-db-password.txt",
    "PAGEVIEWS_DB_APP_PASSWORD_FILE": "deploy/dev-db-app-password.txt",
}
# Prints "<target> open" or "<target> closed" for each host:port argument.
PROBE = 'for target in "$@"; do if nc -z -w 2 "${target%:*}" "${target##*:}"; then echo "$target open"; ' \
        'else echo "$target closed"; fi; done'


@pytest.fixture(scope="module")
def reachable(cluster, images):
    """{(network, target): reachable}, probed from a helper container on that
    network alone: a target by its service name and by its address."""
    db_port = DB_PORTS[cluster.db]
    targets = {
        "backend": {"db": [f"db:{db_port}"],
                    "web": ["web:80", f"{cluster.ip(cluster.container('web'), 'frontend')}:80"]},
        "frontend": {"app": ["app:8000"],
                     "db": [f"db:{db_port}", f"{cluster.ip(cluster.container('db'), 'backend')}:{db_port}"]},
    }
    found = {}
    for network, named in targets.items():
        addresses = [address for group in named.values() for address in group]
        done = run("docker", "run", "--rm", "--network", cluster.network(network),
                   "--label", f"pageviews.test-project={cluster.name}", images["tools"],
                   "bash", "-c", PROBE, "probe", *addresses, timeout=120)
        states = dict(line.split() for line in done.stdout.splitlines())
        for target, group in named.items():
            found[(network, target)] = {address: states.get(address) for address in group}
    return found


@pytest.mark.parametrize("service", ["db", "app"])
def test_the_service_publishes_no_port(cluster, service):
    assert published_ports(cluster, cluster.container_ids(service)[0]) == {}


def test_web_publishes_only_ports_80_and_443_with_80_as_the_chosen_host_port(cluster):
    # 443 on the host port Docker picked (the harness asks for any).
    ports = published_ports(cluster, cluster.container("web"))
    assert set(ports) == {"80/tcp", "443/tcp"} and ports["80/tcp"] == [str(cluster.http_port)], ports


def test_the_backend_network_is_internal(cluster):
    done = run("docker", "network", "inspect", "--format", "{{.Internal}}", cluster.network("backend"))
    assert done.stdout.strip() == "true"


@pytest.mark.parametrize("service, network", [("db", "backend"), ("web", "frontend")])
def test_the_service_is_on_its_one_network_only(cluster, service, network):
    networks = cluster.inspect(cluster.container(service))["NetworkSettings"]["Networks"]
    assert sorted(networks) == [cluster.network(network)]


# The controls: without them, a refusal below could be a broken probe.
@pytest.mark.parametrize("network, target", [("backend", "db"), ("frontend", "app")])
def test_the_network_reaches_its_service(reachable, network, target):
    assert set(reachable[(network, target)].values()) == {"open"}, reachable[(network, target)]


@pytest.mark.parametrize("network, target", [("frontend", "db"), ("backend", "web")])
def test_the_network_cannot_reach_the_service_by_name_or_address(reachable, network, target):
    assert set(reachable[(network, target)].values()) == {"closed"}, reachable[(network, target)]


@pytest.mark.parametrize("variable", PASSWORD_FILES)
def test_the_password_is_not_in_the_apps_environment(cluster, variable):
    path = pathlib.Path(os.environ.get(variable, PASSWORD_FILES[variable]))
    password = (path if path.is_absolute() else REPO / path).read_text().splitlines()[0].strip()
    assert password, f"{path} is empty: nothing to look for"
    environment = cluster.inspect(cluster.container_ids("app")[0])["Config"]["Env"]
    assert not [entry.split("=")[0] for entry in environment if password in entry]


def test_the_app_runs_hardened(cluster):
    container = cluster.inspect(cluster.container_ids("app")[0])
    seen = (container["Config"]["User"], container["HostConfig"]["ReadonlyRootfs"],
            container["HostConfig"]["CapDrop"], container["HostConfig"]["SecurityOpt"])
    assert seen == ("10001:10001", True, ["ALL"], ["no-new-privileges:true"])
