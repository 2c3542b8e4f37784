"""The repository's hygiene: every shell script passes shellcheck, the
Python passes flake8, the C++ matches .clang-format, nginx loads its
configuration and every supported combination of compose files is valid.

Runs in the tools image (tests/run lint) with the checkout mounted at its
host path and the Docker socket, so that image names and bind mounts mean
the same inside as on the host.
"""
import json
import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
# Output and artifacts, never sources.
SKIPPED_DIRS = {".git", "out", "artifacts", "build"}
NGINX_IMAGE = os.environ.get("NGINX_IMAGE", "nginx:1.30")

# Every file set the project composes: the default, MariaDB, Swarm, the
# benchmark, the reliability suite's small-disk database, the benchmark's
# Django reference, PostgreSQL 18 and the https suite's ACME test (Pebble).
COMPOSE_COMBINATIONS = [
    ["docker-compose.yml"],
    ["docker-compose.yml", "compose.mariadb.yml"],
    ["docker-compose.yml", "deploy/swarm/compose.swarm.yml"],
    ["docker-compose.yml", "compose.mariadb.yml", "deploy/swarm/compose.swarm.yml"],
    ["docker-compose.yml", "bench/compose.yml"],
    ["docker-compose.yml", "tests/reliability/compose.db-small-disk.yml"],
    ["bench/reference/django/compose.yml"],
    ["docker-compose.yml", "compose.postgres18.yml"],
    ["docker-compose.yml", "tests/https/compose.acme.yml"],
]


def source_files():
    for path in sorted(REPO.rglob("*")):
        relative = path.relative_to(REPO)
        if path.is_file() and not SKIPPED_DIRS & set(relative.parts):
            yield relative


def is_shell_script(relative):
    if relative.suffix == ".sh":
        return True
    with open(REPO / relative, "rb") as file:
        first = file.readline(100)
    return first.startswith(b"#!") and (b"bash" in first or first.rstrip().endswith(b"/sh"))


SHELL_SCRIPTS = [path for path in source_files() if is_shell_script(path)]
PYTHON_FILES = [path for path in source_files() if path.suffix == ".py"]
CPP_FILES = [path for path in source_files() if path.suffix in {".cc", ".h"}]


def run(*command):
    """Runs a command in the checkout; returns (exit status, its output)."""
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout + done.stderr


def test_the_file_lists_are_not_empty():
    # Guards the parametrised tests below against passing by finding nothing.
    shell = {str(path) for path in SHELL_SCRIPTS}
    assert {"tests/run", ".ci/provision", "deploy/upgrade"} <= shell, sorted(shell)
    assert {"tests/conftest.py", "tests/harness/compose.py"} <= {str(path) for path in PYTHON_FILES}
    assert len(CPP_FILES) >= 30


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=str)
def test_shell_script_passes_shellcheck(script):
    status, output = run("shellcheck", "-x", str(script))
    assert status == 0, output


@pytest.mark.parametrize("source", PYTHON_FILES, ids=str)
def test_python_passes_flake8(source):
    status, output = run("python3", "-m", "flake8", "--max-line-length=120", str(source))
    assert status == 0, output


@pytest.mark.parametrize("source", CPP_FILES, ids=str)
def test_cpp_matches_clang_format(source):
    status, output = run("clang-format", "--dry-run", "--Werror", "--style=file", str(source))
    assert status == 0, output


def web_environment(files=("docker-compose.yml",)):
    """The web service's PAGEVIEWS_* settings with their compose defaults."""
    arguments = [argument for name in files for argument in ("-f", name)]
    status, output = run("docker", "compose", "--project-name", "lint", *arguments, "config", "--format", "json")
    assert status == 0, output
    return json.loads(output)["services"]["web"]["environment"]


@pytest.fixture(scope="module")
def certificate():
    """A throwaway key and self-signed certificate in one file, as the certs
    service writes server.pem; under tests/out so the Docker host sees it."""
    (REPO / "tests" / "out").mkdir(exist_ok=True)
    directory = pathlib.Path(tempfile.mkdtemp(dir=REPO / "tests" / "out", prefix="lint-tls-"))
    key, cert = directory / "key.pem", directory / "cert.pem"
    status, output = run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                         "-noenc", "-days", "1", "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert))
    assert status == 0, output
    server = directory / "server.pem"
    server.write_text(key.read_text() + cert.read_text())
    yield server
    shutil.rmtree(directory)


# The settings that change what nginx is given: local use (the defaults), a
# domain (redirect and HSTS), the rate limit off and trusted proxies.
NGINX_SETTINGS = {
    "local use": {},
    "a domain": {"PAGEVIEWS_DOMAIN": "pageviews.example", "PAGEVIEWS_HTTPS_PORT": "443"},
    "no rate limit, trusted proxies": {"PAGEVIEWS_RATE_LIMIT": "0",
                                       "PAGEVIEWS_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.10,2001:db8::/32"},
    "a rate limit without a burst": {"PAGEVIEWS_RATE_LIMIT": "5", "PAGEVIEWS_RATE_BURST": "0"},
}


@pytest.mark.parametrize("settings", NGINX_SETTINGS.values(), ids=NGINX_SETTINGS.keys())
def test_nginx_loads_its_configuration(settings, certificate):
    # The image's own entrypoint renders the templates and runs the checks,
    # as at every start; then `nginx -t` reads the result.
    nginx = REPO / "deploy" / "nginx"
    environment = [f"--env={name}={value}" for name, value in {**web_environment(), **settings}.items()]
    scripts = [f"--volume={script}:/docker-entrypoint.d/{script.name}:ro"
               for script in sorted((nginx / "entrypoint.d").iterdir())]
    status, output = run(
        "docker", "run", "--rm", "--network", "none", *environment, *scripts,
        "-v", f"{nginx / 'nginx.conf'}:/etc/nginx/nginx.conf:ro",
        "-v", f"{nginx / 'templates'}:/etc/nginx/templates:ro",
        "-v", f"{nginx / 'html'}:/usr/share/nginx/pageviews:ro",
        "-v", f"{certificate}:/etc/nginx/tls/server.pem:ro",
        "--tmpfs", "/etc/nginx/conf.d",
        NGINX_IMAGE, "nginx", "-t")
    assert status == 0 and "test is successful" in output, output


@pytest.mark.parametrize("files", COMPOSE_COMBINATIONS, ids="+".join)
def test_compose_files_are_valid(files):
    arguments = [argument for name in files for argument in ("-f", name)]
    status, output = run("docker", "compose", "--project-name", "lint", *arguments, "config", "--quiet")
    assert status == 0, output
