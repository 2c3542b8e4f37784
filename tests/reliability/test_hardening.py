"""Hardening of the running cluster (rows H1-H16 of docs/reliability.md):
what is published and reachable, who runs as whom with which privileges,
where the secrets are not, what nginx tells strangers, and how the app image
and binary are built. Reads the cluster through Docker and the kernel's view
of its processes (from a tools container in a container's process
namespace), never by changing it."""
import json
import os
import re
import stat
import subprocess
import tarfile
import tempfile

import pytest

from harness.command import output, run
from reliability import raw
from reliability.db_secrets import db_passwords, lines_with
from reliability.procfs import cap_names, status_fields

BASE_IMAGE = os.environ.get("BASE_IMAGE", "debian:trixie-slim")


@pytest.fixture(scope="module")
def passwords(repo):
    return db_passwords(repo)


def service_of(cluster, container):
    return cluster.inspect(container)["Config"]["Labels"]["com.docker.compose.service"]


def name_of(cluster, container):
    return cluster.inspect(container)["Name"].lstrip("/")


def tools(cluster, image, *command, network="none", pid=None, check=False):
    """A throwaway tools container; returns its CompletedProcess."""
    flags = ["--pid", f"container:{pid}"] if pid else []
    return run("docker", "run", "--rm", "--label", f"pageviews.test-project={cluster.name}", "--network", network,
               *flags, image, *command, check=check, timeout=120)


def proc_status(cluster, image, container):
    """/proc/1/status of a container (its main process), read from its process namespace."""
    return status_fields(tools(cluster, image, "cat", "/proc/1/status", pid=container, check=True).stdout)


def reaches(cluster, image, network, host, port):
    done = tools(cluster, image, "nc", "-z", "-w", "2", host, str(port), network=cluster.network(network))
    return done.returncode == 0


# -- H1: ports -----------------------------------------------------------------

H1 = "Only the web port is published"
ROW_H1 = ("hardening", "H1", H1)


@pytest.fixture(scope="module")
def published(cluster):
    """{container name: (service, ["80/tcp->0.0.0.0:18090", ...])} of every container of the project."""
    ports = {}
    for container in cluster.container_ids(all=True):
        bindings = cluster.inspect(container)["NetworkSettings"]["Ports"] or {}
        ports[name_of(cluster, container)] = (service_of(cluster, container), sorted(
            f"{port}->{binding['HostIp']}:{binding['HostPort']}" for port, list_ in bindings.items()
            for binding in list_ or []))
    return ports


@pytest.mark.row(*ROW_H1)
def test_no_service_but_web_publishes_a_port(published, row):
    row(*ROW_H1)
    row.observe("; ".join(f"{service}: {' '.join(ports) or 'none'}" for service, ports in published.values()))
    assert {name: ports for name, (service, ports) in published.items() if service != "web" and ports} == {}
    assert len(published) >= 5, f"too few containers to mean anything: {published}"


@pytest.mark.row(*ROW_H1)
def test_web_publishes_only_port_80_as_the_http_port_and_443(published, row, cluster):
    # 443 (HTTPS) on the host port Docker picked: the harness asks for any.
    row(*ROW_H1)
    web = [ports for service, ports in published.values() if service == "web"]
    assert len(web) == 1 and {port.partition("->")[0] for port in web[0]} == {"80/tcp", "443/tcp"} and all(
        re.fullmatch(rf"80/tcp->[^ ]*:{cluster.http_port}", port) for port in web[0] if port.startswith("80/")), \
        f"web publishes {web}"


# -- H2: reach from the host and the frontend --------------------------------------

H2 = "db and app unreachable from the host"
ROW_H2 = ("hardening", "H2", H2)
HOST_PORTS = "5432 8000 9464"


@pytest.fixture(scope="module")
def open_on_host_loopback(cluster, images):
    """Which of the loopback addresses and ports answer on the Docker host."""
    script = (f'for port in {HOST_PORTS} {cluster.http_port}; do for addr in 127.0.0.1 ::1; do '
              'if nc -z -w 2 "$addr" "$port"; then echo "$addr:$port"; fi; done; done; echo scanned')
    lines = tools(cluster, images["tools"], "bash", "-c", script, network="host", check=True).stdout.split()
    assert lines[-1:] == ["scanned"], lines
    return lines[:-1]


@pytest.mark.row(*ROW_H2)
def test_db_app_and_metrics_ports_are_closed_on_the_host(open_on_host_loopback, row, cluster):
    row(*ROW_H2)
    row.observe(f"loopback 127.0.0.1 and ::1: ports {', '.join(HOST_PORTS.split())} closed, {cluster.http_port} "
                f"(nginx) open")
    assert [seen for seen in open_on_host_loopback if seen.rsplit(":", 1)[1] in HOST_PORTS.split()] == []


@pytest.mark.row(*ROW_H2)
def test_the_web_port_answers_on_the_host(open_on_host_loopback, row, cluster):
    # The control: the scan does find an open port.
    row(*ROW_H2)
    assert f"127.0.0.1:{cluster.http_port}" in open_on_host_loopback


@pytest.mark.row(*ROW_H2)
@pytest.mark.parametrize("by", ["name", "address"])
def test_the_frontend_cannot_reach_the_database(by, row, cluster, images):
    row(*ROW_H2)
    if by == "name":
        row.observe("from the frontend network db is neither resolvable nor reachable")
        row.observe("processes on the Docker host itself can still reach container addresses on the bridges "
                    "(Docker's design; see Documented choices)")
    host = "db" if by == "name" else cluster.ip(cluster.container("db"), "backend")
    assert not reaches(cluster, images["tools"], "frontend", host, 5432)


# -- H3: the backend network ----------------------------------------------------

H3 = "Backend network internal"
ROW_H3 = ("hardening", "H3", H3)


@pytest.mark.row(*ROW_H3)
def test_the_backend_network_is_internal(row, cluster):
    row(*ROW_H3)
    row.observe("internal: true (Docker drops everything leaving or entering the subnet); backend -> web, another of "
                "our own networks, unreachable by name and address; backend -> db works; db on the backend only")
    assert output("docker", "network", "inspect", "--format", "{{.Internal}}", cluster.network("backend")) == "true"


@pytest.mark.row(*ROW_H3)
@pytest.mark.parametrize("by", ["name", "address"])
def test_the_backend_cannot_reach_web(by, row, cluster, images):
    row(*ROW_H3)
    host = "web" if by == "name" else cluster.ip(cluster.container("web"), "frontend")
    assert not reaches(cluster, images["tools"], "backend", host, 80)


@pytest.mark.row(*ROW_H3)
def test_the_backend_reaches_the_database(row, cluster, images):
    # The control: from the backend, nc does connect.
    row(*ROW_H3)
    assert reaches(cluster, images["tools"], "backend", "db", 5432)


@pytest.mark.row(*ROW_H3)
def test_the_database_is_on_the_backend_network_only(row, cluster):
    row(*ROW_H3)
    assert list(cluster.inspect(cluster.container("db"))["NetworkSettings"]["Networks"]) == [cluster.network("backend")]


# -- H4: users -------------------------------------------------------------------

H4 = "Every container of ours runs as a non-root user"
ROW_H4 = ("hardening", "H4", H4)


def uids(container):
    """{host pid: uid} of every process of the container."""
    lines = output("docker", "top", container, "-eo", "pid,uid").splitlines()[1:]
    return {int(pid): int(uid) for pid, uid in (line.split() for line in lines)}


@pytest.mark.row(*ROW_H4)
@pytest.mark.parametrize("service", ["app", "migrate"])
def test_our_services_are_configured_to_run_as_10001(service, row, cluster):
    row(*ROW_H4)
    users = {name_of(cluster, c): cluster.inspect(c)["Config"]["User"]
             for c in cluster.container_ids(service, all=True)}
    assert users and set(users.values()) == {"10001:10001"}, users


@pytest.mark.row(*ROW_H4)
def test_every_app_process_runs_as_10001(row, cluster):
    row(*ROW_H4)
    row.observe("app and migrate: configured user 10001:10001, every app process uid 10001")
    seen = {name_of(cluster, c): sorted(set(uids(c).values())) for c in cluster.container_ids("app")}
    assert seen and all(found == [10001] for found in seen.values()), seen


@pytest.mark.row(*ROW_H4)
def test_no_database_process_runs_as_root(row, cluster):
    # The image's entrypoint starts as root and drops to postgres.
    row(*ROW_H4)
    seen = uids(cluster.container("db"))
    row.observe(f"db: uids {' '.join(map(str, sorted(set(seen.values()))))} (started as root by the image, server as "
                "postgres)")
    assert seen and 0 not in seen.values(), seen


# The certificate watcher (deploy/nginx/entrypoint.d/90-pageviews-tls.sh)
# reads the root-only key and signals the root master to reload, so it is
# root too; it parses no request. Its loop and the sleep it waits in.
CERTIFICATE_WATCHER = re.compile(r"^(/bin/sh /docker-entrypoint\.d/90-pageviews-tls\.sh|sleep \d+)$")


def commands(container):
    """{host pid: command line} of every process of the container."""
    lines = output("docker", "top", container, "-eo", "pid,args").splitlines()[1:]
    return {int(pid): args.strip() for pid, args in (line.strip().split(None, 1) for line in lines)}


@pytest.mark.row(*ROW_H4)
def test_only_nginx_master_and_its_certificate_watcher_run_as_root(row, cluster):
    row(*ROW_H4)
    web = cluster.container("web")
    master, seen, command = cluster.inspect(web)["State"]["Pid"], uids(web), commands(web)
    watcher = {pid for pid, args in command.items() if CERTIFICATE_WATCHER.match(args)}
    workers = sorted({uid for pid, uid in seen.items() if pid != master and pid not in watcher})
    row.observe(f"web: master root (official image: binds :80, reads config) and the certificate watcher, "
                f"workers uid {' '.join(map(str, workers))}")
    # The workers handle every connection.
    assert workers and 0 not in workers, f"master pid {master}, uids {seen}, commands {command}"


# -- H5: read-only root ------------------------------------------------------------

H5 = "App root filesystem read-only, only the needed tmpfs writable"
ROW_H5 = ("hardening", "H5", H5)
UPLOADS = "/var/lib/pageviews/uploads"


@pytest.mark.row(*ROW_H5)
@pytest.mark.parametrize("service", ["app", "migrate"])
def test_the_root_filesystem_is_read_only(service, row, cluster):
    row(*ROW_H5)
    seen = [cluster.inspect(c)["HostConfig"]["ReadonlyRootfs"] for c in cluster.container_ids(service, all=True)]
    assert seen and all(seen), seen


@pytest.mark.row(*ROW_H5)
def test_the_only_tmpfs_is_drogons_upload_scratch_directory(row, cluster):
    row(*ROW_H5)
    tmpfs = sorted(cluster.inspect(cluster.container_ids("app")[0])["HostConfig"]["Tmpfs"] or {})
    row.observe(f"ReadonlyRootfs true (app, migrate); tmpfs: {' '.join(tmpfs)}; writes to / and /tmp fail, "
                "the tmpfs accepts them")
    assert tmpfs == [UPLOADS]


@pytest.mark.row(*ROW_H5)
@pytest.mark.parametrize("directory, writable", [("/var/lib/pageviews", False), ("/tmp", False), (UPLOADS, True)])
def test_the_app_can_write_only_to_the_tmpfs(directory, writable, row, cluster):
    row(*ROW_H5)
    done = run("docker", "exec", cluster.container_ids("app")[0], "sh", "-c",
               f"echo x > {directory}/probe && rm {directory}/probe", check=False)
    assert (done.returncode == 0) == writable, done.stderr


# -- H6: capabilities ----------------------------------------------------------------

H6 = "All capabilities dropped where possible; no-new-privileges"
# db and web: the official images need a few capabilities to start (as
# root) before they drop to their users; everything else can go.
ROW_H6 = ("hardening", "H6", H6)
STARTING_AS_ROOT = {"db": ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"],
                    "web": ["CHOWN", "NET_BIND_SERVICE", "SETGID", "SETUID"]}


@pytest.mark.row(*ROW_H6)
@pytest.mark.parametrize("service", ["app", "migrate"])
def test_our_services_drop_every_capability_and_new_privileges(service, row, cluster):
    row(*ROW_H6)
    seen = {(tuple(cluster.inspect(c)["HostConfig"]["CapDrop"] or []), tuple(cluster.inspect(c)["HostConfig"][
        "SecurityOpt"] or [])) for c in cluster.container_ids(service, all=True)}
    assert seen == {(("ALL",), ("no-new-privileges:true",))}


@pytest.mark.row(*ROW_H6)
def test_the_kernel_gives_the_app_no_capability(row, cluster, images):
    row(*ROW_H6)
    row.observe("app, migrate: cap_drop ALL, no-new-privileges; kernel: CapEff=CapBnd=0, NoNewPrivs=1")
    seen = {}
    for container in cluster.container_ids("app"):
        status = proc_status(cluster, images["tools"], container)
        seen[name_of(cluster, container)] = (status["CapEff"], status["CapBnd"], status["NoNewPrivs"])
    assert seen and set(seen.values()) == {("0000000000000000", "0000000000000000", "1")}, seen


@pytest.mark.row(*ROW_H6)
@pytest.mark.parametrize("service", sorted(STARTING_AS_ROOT))
def test_official_images_keep_only_the_capabilities_they_start_with(service, row, cluster, images):
    row(*ROW_H6)
    status = proc_status(cluster, images["tools"], cluster.container(service))
    kept = cap_names(status["CapBnd"])
    row.observe(f"{service}: bounding set {','.join(kept)} (needed: {','.join(STARTING_AS_ROOT[service])}), "
                f"NoNewPrivs {status['NoNewPrivs']}")
    assert sorted(set(kept) - set(STARTING_AS_ROOT[service])) == []


@pytest.mark.row(*ROW_H6)
@pytest.mark.parametrize("service", sorted(STARTING_AS_ROOT))
def test_official_images_set_no_new_privileges(service, row, cluster, images):
    row(*ROW_H6)
    assert proc_status(cluster, images["tools"], cluster.container(service))["NoNewPrivs"] == "1"


# -- H7: images ---------------------------------------------------------------------

H7 = "No secret in any image layer"
ROW_H7 = ("hardening", "H7", H7)


@pytest.mark.row(*ROW_H7)
@pytest.mark.parametrize("image", ["app", "postgres", "nginx"])
def test_no_password_in_a_layers_build_command(image, row, images, passwords):
    row(*ROW_H7)
    history = output("docker", "history", "--no-trunc", "--format", "{{.CreatedBy}}", images[image])
    assert history and lines_with(history, passwords) == []


def occurrences_in_saved_image(image, passwords):
    """How often a password occurs in the bytes of `docker save image`, read as it streams."""
    keep, found, tail = max(map(len, passwords)) - 1, 0, b""
    with subprocess.Popen(["docker", "save", image], stdout=subprocess.PIPE) as save:
        while chunk := save.stdout.read(1 << 20):
            data = tail + chunk
            # Counted where they start in this chunk, not in the overlap already searched.
            found += sum(len(re.findall(re.escape(password), data)) - len(re.findall(re.escape(password), tail))
                         for password in passwords)
            tail = data[-keep:]
    assert save.returncode == 0, f"docker save {image} exited {save.returncode}"
    return found


@pytest.mark.row(*ROW_H7)
def test_no_password_in_a_file_of_the_app_image(row, images, passwords):
    row(*ROW_H7)
    hits = occurrences_in_saved_image(images["app"], passwords)
    row.observe(f"docker history of {images['app']}, {images['postgres']}, {images['nginx']}: no password; "
                f"docker save {images['app']}: {hits} matches")
    assert hits == 0


# -- H8: configuration and environment ------------------------------------------------

H8 = "No secret in the containers' configuration (docker inspect) or the app's process environment"
ROW_H8 = ("hardening", "H8", H8)


@pytest.mark.row(*ROW_H8)
def test_no_password_in_any_containers_configuration(row, cluster, passwords):
    row(*ROW_H8)
    containers = cluster.container_ids(all=True)
    found = [name_of(cluster, c) for c in containers if lines_with(json.dumps(cluster.inspect(c)), passwords)]
    row.observe(f"inspect of all {len(containers)} containers: {' '.join(found) or 'no password'}; app env: "
                "DATABASE_URL without password, DATABASE_PASSWORD_FILE; /proc environ clean; secret mount read-only")
    assert containers and found == []


@pytest.mark.row(*ROW_H8)
def test_the_app_gets_its_password_as_a_file_only(row, cluster):
    row(*ROW_H8)
    env = dict(item.split("=", 1) for item in cluster.inspect(cluster.container_ids("app")[0])["Config"]["Env"])
    url = env.get("DATABASE_URL", "")
    assert "DATABASE_PASSWORD_FILE" in env and not re.match(r"[a-z]+://[^/@]*:[^/@]*@", url), env


@pytest.mark.row(*ROW_H8)
def test_no_password_in_the_app_process_environment(row, cluster, passwords):
    row(*ROW_H8)
    environ = run("docker", "exec", cluster.container_ids("app")[0], "cat", "/proc/1/environ").stdout
    assert "DATABASE_PASSWORD_FILE=" in environ and lines_with(environ.replace("\0", "\n"), passwords) == []


@pytest.mark.row(*ROW_H8)
def test_the_apps_secret_is_mounted_read_only(row, cluster):
    row(*ROW_H8)
    mounts = cluster.inspect(cluster.container_ids("app")[0])["Mounts"]
    assert [m["RW"] for m in mounts if m["Destination"] == "/run/secrets/db_app_password"] == [False], mounts


# -- H10: what nginx and the app say of themselves -----------------------------------

H10 = "nginx hides its version; the app names no server"
ROW_H10 = ("hardening", "H10", H10)
VERSION_PAGES = [("/", "localhost"), ("/nginx-health", "localhost"), ("/favicon.ico", "localhost"),
                 ("/%zz", "localhost"), ("/" + "a" * 9000, "localhost"), ("/", "unknown.example")]


def version_leaks(answer):
    return re.findall(rb"(?im)^server:[^\r\n]*\d[^\r\n]*|nginx/\d[\d.]*", answer.response)


@pytest.mark.row(*ROW_H10)
@pytest.mark.parametrize("path, host", VERSION_PAGES, ids=["200", "204", "404", "400", "414", "421"])
def test_nginx_names_no_version(path, host, row, cluster):
    row(*ROW_H10)
    answer = raw.send(cluster.ip(cluster.container("web")), 80,
                      f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode(), timeout=5)
    servers = re.findall(rb"(?im)^server: *([^\r\n]*)", answer.response)
    if path == "/nginx-health":
        row.observe(f"Server: {b' '.join(servers).decode()} on every answer checked; no version in error pages; "
                    "app: no Server header")
    assert answer.status is not None and version_leaks(answer) == [], raw.outcome(answer)


@pytest.mark.row(*ROW_H10)
def test_the_app_sends_no_server_header(row, cluster):
    row(*ROW_H10)
    answer = raw.send(cluster.ip(cluster.container_ids("app")[0]), 8000,
                      b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", timeout=5)
    assert answer.status == 200 and not re.search(rb"(?im)^server:", answer.response), answer.response[:300]


# -- H11: the Host header -----------------------------------------------------------------

H11 = "Host header policy: nginx answers only the names it expects"
# (the Host line, path, expected status); None: no Host line, in HTTP/1.0.
ROW_H11 = ("hardening", "H11", H11)
HOSTS = [("localhost", "/healthz", 200), ("localhost:{port}", "/healthz", 200), ("127.0.0.1", "/healthz", 200),
         ("web", "/healthz", 200), ("unknown.example", "/", 421), ("evil.localhost.example", "/", 421),
         ("localhost.evil.example", "/", 421), (None, "/", 421), ("a b", "/", 400)]


@pytest.mark.row(*ROW_H11)
@pytest.mark.parametrize("host, path, expected", HOSTS, ids=[str(host) for host, _, _ in HOSTS])
def test_nginx_serves_only_the_names_it_expects(host, path, expected, row, cluster):
    row(*ROW_H11)
    if host is None:
        request = f"GET {path} HTTP/1.0\r\n\r\n"
        row.observe("choice: nginx filters Host; the app, reachable only by nginx, answers any Host")
    else:
        host = host.format(port=cluster.http_port)
        request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    answer = raw.send(cluster.ip(cluster.container("web")), 80, request.encode(), timeout=5)
    row.observe(f"{'(none, HTTP/1.0)' if host is None else repr(host)}={raw.outcome(answer)}")
    assert answer.status == expected, raw.outcome(answer)


# -- H12: the binary -------------------------------------------------------------------

H12 = "The app binary is built with Debian's hardening flags and stripped"
ROW_H12 = ("hardening", "H12", H12)
ELF = [("position-independent executable (ASLR)", r"Type: *DYN", True),
       ("RELRO segment", r"GNU_RELRO", True),
       ("immediate binding, so RELRO covers the GOT (-z now)", r"\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*NOW", True),
       ("stack protector", r"__stack_chk_fail", True),
       ("stripped", r"\.symtab", False)]


@pytest.fixture(scope="module")
def elf(cluster, images):
    """readelf's view of the app image's binary: header, program headers,
    dynamic section, section headers and dynamic symbols."""
    container = output("docker", "create", "--label", f"pageviews.test-project={cluster.name}", images["app"])
    with tempfile.TemporaryDirectory() as directory:
        try:
            run("docker", "cp", f"{container}:/usr/local/bin/pageviews", f"{directory}/pageviews")
        finally:
            run("docker", "rm", container, check=False)
        return output("readelf", "-W", "--file-header", "--program-headers", "--dynamic", "--section-headers",
                      "--dyn-syms", f"{directory}/pageviews")


@pytest.mark.row(*ROW_H12)
@pytest.mark.parametrize("what, pattern, present", ELF, ids=[what.split(" (")[0] for what, _, _ in ELF])
def test_the_binary_is_hardened(what, pattern, present, elf, row):
    row(*ROW_H12)
    if what == "stripped":
        fortified = sorted(set(re.findall(r"__[a-z0-9_]+_chk\b", elf)) - {"__stack_chk_fail"})
        none = "none (the code makes no fortifiable libc call; the flag comes from dpkg-buildflags)"
        row.observe(f"PIE, RELRO, BIND_NOW, stack protector, stripped; _FORTIFY_SOURCE checked calls: "
                    f"{' '.join(fortified) or none}")
    assert "ELF Header" in elf and bool(re.search(pattern, elf)) == present


# -- H13: privileges in the image ----------------------------------------------------------

H13 = "No setuid or setgid file in the app image; its user and group are 10001"
ROW_H13 = ("hardening", "H13", H13)


@pytest.mark.row(*ROW_H13)
def test_no_setuid_or_setgid_file_in_the_app_image(row, cluster, images):
    row(*ROW_H13)
    # The marker proves the scan ran to its end: an empty list alone would
    # also come from a scan that never ran.
    done = run("docker", "run", "--rm", "--label", f"pageviews.test-project={cluster.name}", "--user", "0",
               "--network", "none", "--entrypoint", "sh", images["app"], "-c",
               'find / -xdev -type f -perm /6000 && echo "(scan complete)"', check=False)
    files = [line for line in done.stdout.splitlines() if line != "(scan complete)"]
    row.observe(f"setuid/setgid files: {' '.join(files) or 'none'}")
    assert done.stdout.splitlines() == ["(scan complete)"], done.stdout + done.stderr


@pytest.mark.row(*ROW_H13)
def test_the_app_images_user_is_10001(row, cluster, images):
    row(*ROW_H13)
    ids = output("docker", "run", "--rm", "--label", f"pageviews.test-project={cluster.name}", "--network", "none",
                 "--entrypoint", "id", images["app"])
    row.observe(f"image user: {ids}")
    assert ids.startswith("uid=10001(pageviews) gid=10001(pageviews)")


# -- H14: provenance -----------------------------------------------------------------------

H14 = "The app image says what it was built from: OCI labels, --version, package list"
ROW_H14 = ("hardening", "H14", H14)


@pytest.fixture(scope="module")
def labels(images):
    return output("docker", "image", "inspect", "--format", "{{json .Config.Labels}}", images["app"])


def label(labels, name):
    return json.loads(labels).get(f"org.opencontainers.image.{name}", "")


@pytest.mark.row(*ROW_H14)
def test_the_revision_label_is_a_git_commit(labels, row):
    row(*ROW_H14)
    assert re.fullmatch(r"[0-9a-f]{40}", label(labels, "revision")), labels


@pytest.mark.row(*ROW_H14)
def test_the_revision_label_is_the_commit_the_image_was_built_from(labels, row):
    row(*ROW_H14)
    if not os.environ.get("PAGEVIEWS_REVISION"):
        pytest.skip("PAGEVIEWS_REVISION is not set (tests/run sets it when it builds the image)")
    assert label(labels, "revision") == os.environ["PAGEVIEWS_REVISION"]


@pytest.mark.row(*ROW_H14)
def test_version_names_the_labels_version_and_revision(labels, row, cluster, images):
    row(*ROW_H14)
    line = output("docker", "run", "--rm", "--label", f"pageviews.test-project={cluster.name}", "--network", "none",
                  images["app"], "--version")
    row.observe(f"{line}; created {label(labels, 'created')}")
    assert line == f"pageviews {label(labels, 'version')} (revision {label(labels, 'revision')})"


@pytest.mark.row(*ROW_H14)
def test_the_created_label_is_an_rfc3339_utc_time(labels, row):
    row(*ROW_H14)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", label(labels, "created")), labels


@pytest.mark.row(*ROW_H14)
def test_the_image_lists_its_packages_with_their_versions(row, cluster, images):
    row(*ROW_H14)
    packages = output("docker", "run", "--rm", "--label", f"pageviews.test-project={cluster.name}", "--network",
                      "none", "--entrypoint", "cat", images["app"], "/usr/share/doc/pageviews/packages.txt")
    row.observe(f"{len(packages.splitlines())} packages in /usr/share/doc/pageviews/packages.txt")
    assert re.search(r"(?m)^libpq5=[0-9]", packages), packages[:300]


# -- H15: the base image ---------------------------------------------------------------------

H15 = f"The base image ({BASE_IMAGE}) is laid out like the official slim one"
ROW_H15 = ("hardening", "H15", H15)
SLIM_LAYOUT = r"""
printf "debs=%s\n" "$(find /var/cache/apt/archives -name "*.deb" | wc -l)"
printf "locale_files=%s\n" "$(find /usr/share/locale /usr/share/man -type f | wc -l)"
sources=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null)
printf "security_suite=%s\n" "$(printf '%s\n' "$sources" | grep -c -- -security)"
"""


def layer_root_modes(image):
    """The modes of the root directory ("./") in every layer of `docker save image`."""
    modes = set()
    with subprocess.Popen(["docker", "save", image], stdout=subprocess.PIPE) as save:
        with tarfile.open(fileobj=save.stdout, mode="r|") as saved:
            for member in saved:
                if not member.isfile() or not (member.name.endswith("layer.tar") or member.name.startswith("blobs/")):
                    continue
                try:
                    with tarfile.open(fileobj=saved.extractfile(member), mode="r|*") as layer:
                        modes |= {stat.filemode(stat.S_IFDIR | entry.mode) for entry in layer
                                  if entry.isdir() and entry.name in (".", "./", "")}
                except tarfile.ReadError:
                    continue  # a blob that is not a layer (a config, a manifest)
    return modes


@pytest.fixture(scope="module")
def slim_layout(cluster):
    text = output("docker", "run", "--rm", "--label", f"pageviews.test-project={cluster.name}", "--network", "none",
                  "--entrypoint", "sh", BASE_IMAGE, "-c", SLIM_LAYOUT)
    return dict(line.split("=") for line in text.splitlines())


@pytest.mark.row(*ROW_H15)
def test_the_base_images_layers_give_root_mode_0755(row, slim_layout):
    # A 0700 root breaks non-root users on the vfs storage driver.
    row(*ROW_H15)
    modes = layer_root_modes(BASE_IMAGE)
    row.observe(f"layer root modes: {' '.join(sorted(modes))}; "
                + " ".join(f"{name}={value}" for name, value in slim_layout.items()))
    assert modes == {"drwxr-xr-x"}


@pytest.mark.parametrize("what, field, holds", [
    ("no cached .deb files", "debs", lambda n: n == 0),
    ("no locales or man pages (the slim image's dpkg excludes)", "locale_files", lambda n: n == 0),
    ("apt sources include the security suite", "security_suite", lambda n: n >= 1),
], ids=["debs", "locales", "security"])
@pytest.mark.row(*ROW_H15)
def test_the_base_image_is_slim(what, field, holds, slim_layout, row):
    row(*ROW_H15)
    assert holds(int(slim_layout[field])), f"{what}: {slim_layout}"


# -- H16: resource limits -------------------------------------------------------------------

H16 = "Memory, process and open-file limits set and in force on every long-running service"
ROW_H16 = ("hardening", "H16", H16)
LIMITS_IN_FORCE = r"""
memory=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes)
pids=$(cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max)
while read -r line; do case "$line" in "Max open files"*) set -- $line; nofile=$4 ;; esac; done < /proc/1/limits
echo "$memory $pids $nofile"
"""
SERVICES = ["db", "app", "web"]


@pytest.fixture(scope="module")
def configured_limits(cluster):
    """{service: (memory bytes, pids, open files or None)} as the compose file sets them."""
    services = json.loads(cluster.compose("config", "--format", "json").stdout)["services"]
    limits = {}
    for name in SERVICES:
        resources = (services[name].get("deploy") or {}).get("resources", {}).get("limits", {})
        nofile = ((services[name].get("ulimits") or {}).get("nofile") or {}).get("soft")
        limits[name] = (resources.get("memory"), resources.get("pids"), nofile)
    return limits


@pytest.mark.row(*ROW_H16)
@pytest.mark.parametrize("service", SERVICES)
def test_the_compose_file_limits_memory_and_processes(service, configured_limits, row):
    row(*ROW_H16)
    memory, pids, _ = configured_limits[service]
    assert str(memory).isdigit() and str(pids).isdigit(), configured_limits[service]


@pytest.mark.row(*ROW_H16)
@pytest.mark.parametrize("service", SERVICES)
def test_the_limits_are_in_force(service, configured_limits, row, cluster):
    row(*ROW_H16)
    memory, pids, nofile = (str(value) if value is not None else None for value in configured_limits[service])
    seen = {}
    for container in cluster.container_ids(service):
        in_force = output("docker", "exec", container, "sh", "-c", LIMITS_IN_FORCE).split()
        seen[name_of(cluster, container)] = in_force
    row.observe(f"{service} (memory bytes, pids, open files): "
                + "; ".join(" ".join(values) for values in seen.values()))
    # db keeps its image's open-file limit: compared only where one is set.
    expected = [memory, pids] + ([nofile] if nofile else [])
    assert seen and all(values[:len(expected)] == expected for values in seen.values()), (expected, seen)
