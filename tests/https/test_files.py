"""PAGEVIEWS_TLS_CERTS=files: nginx serves the user's certificate and key,
given as Compose secrets; a certificate or key that is missing, unreadable
or does not match stops nginx's start with one line saying so, and nothing
serves a wrong certificate."""
import pathlib
import shutil

import pytest

from harness.command import run
from harness.wait import wait_for
from https.tlsclient import DOMAIN, curl, web_address

HTTP_PORT, HTTPS_PORT = 18224, 18225
REPO = pathlib.Path(__file__).resolve().parents[2]
# The entrypoint's own progress lines, which are not about what went wrong.
ENTRYPOINT_LINES = ("/docker-entrypoint.sh:", "20-envsubst-on-templates.sh:")


def self_signed(directory, name):
    """A key and a self-signed certificate for localhost and DOMAIN."""
    key, cert = directory / f"{name}.key", directory / f"{name}.pem"
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc", "-days", "2",
        "-subj", "/CN=localhost", "-addext", f"subjectAltName=DNS:localhost,DNS:{DOMAIN}",
        "-keyout", str(key), "-out", str(cert))
    key.chmod(0o600)
    return cert, key


@pytest.fixture(scope="module")
def files():
    """The user's files, under tests/out where the Docker host sees them."""
    directory = REPO / "tests" / "out" / "https-files"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    cert, key = self_signed(directory, "site")
    other_cert, other_key = self_signed(directory, "other")
    unreadable = directory / "unreadable.key"
    shutil.copy(key, unreadable)
    unreadable.chmod(0)
    yield {"cert": cert, "key": key, "other key": other_key, "unreadable key": unreadable}
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster(compose_project, files):
    settings = {"PAGEVIEWS_HTTPS_PORT": str(HTTPS_PORT), "PAGEVIEWS_TLS_CERTS": "files",
                "PAGEVIEWS_TLS_CERT_FILE": str(files["cert"]), "PAGEVIEWS_TLS_KEY_FILE": str(files["key"])}
    with compose_project("pvt-https-files", HTTP_PORT, env=settings) as project:
        yield project


def test_the_chain_verifies_against_the_given_certificate(cluster, files):
    _, status, _, error = curl(web_address(cluster), "localhost", "/healthz", cafile=str(files["cert"]))
    assert status == 200, f"https://localhost/ against the given certificate: {error or status}"


# What is given (None: the variable unset), and what the one line says.
BAD_FILES = {
    "no certificate given": (None, "key", "holds no certificate in PEM form"),
    "no key given": ("cert", None, "holds no private key in PEM form"),
    "a key as the certificate": ("key", "key", "holds no certificate in PEM form"),
    "an unreadable key": ("cert", "unreadable key", "cannot read the private key"),
    "the key of another certificate": ("cert", "other key", "does not match the certificate"),
}


def restart_web_with(cluster, files, cert, key):
    for variable, given in (("PAGEVIEWS_TLS_CERT_FILE", cert), ("PAGEVIEWS_TLS_KEY_FILE", key)):
        if given:
            cluster.env[variable] = str(files[given])
        else:
            cluster.env.pop(variable, None)
    # Compose does not notice a secret's new file: recreate.
    cluster.compose("up", "--detach", "--no-build", "--no-deps", "--force-recreate", "web")


def failed_start(cluster):
    """What web's failed starts said (its lines but the entrypoint's own
    progress), once it exited 1; None while it has not failed."""
    container = cluster.container_ids("web", all=True)[0]
    if cluster.inspect(container)["State"]["ExitCode"] != 1:
        return None
    said = run("docker", "logs", container, check=False)
    return {line for line in (said.stdout + said.stderr).splitlines() if not line.startswith(ENTRYPOINT_LINES)}


@pytest.mark.parametrize("cert, key, says", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_files_stop_nginx_with_one_line(cluster, files, cert, key, says):
    # Exit status 1 from the entrypoint: nginx never started, so nothing
    # served a wrong certificate; each start said the same one line.
    restart_web_with(cluster, files, cert, key)
    lines = wait_for("web's start to fail", lambda: failed_start(cluster), timeout=120)
    assert len(lines) == 1, f"expected one line saying '{says}', got: {lines}"
    line = next(iter(lines))
    assert line.startswith("pageviews: ") and says in line, f"expected '{says}', got: {line}"
