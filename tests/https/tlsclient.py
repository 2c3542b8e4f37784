"""TLS from the tests container to a project's nginx: curl (HTTP/2, chain
checks), raw requests over TLS, and the certificate a server presents."""
import os
import socket
import ssl
import tempfile

from harness.command import run


def pem_file(text, name="ca.pem"):
    """text in a file of its own (curl and ssl want paths)."""
    directory = tempfile.mkdtemp(prefix="https-")
    path = os.path.join(directory, name)
    with open(path, "w") as file:
        file.write(text)
    return path


def context(cafile):
    """Verifies the server against cafile only (not the system's CAs)."""
    tls = ssl.create_default_context(cafile=cafile)
    tls.load_verify_locations(cafile=cafile)
    return tls


def curl(address, name, path="/", cafile=None, options=(), port=443):
    """curl https://name{path} with name resolved to address; returns
    (http version, status, headers, stderr). Verifies against cafile."""
    verify = ["--cacert", cafile] if cafile else ["--insecure"]
    done = run("curl", "-sS", "--max-time", "20", "--resolve", f"{name}:{port}:{address}", *verify, *options,
               "-D", "-", "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
               f"https://{name}:{port}{path}", check=False)
    # Text mode has turned each CRLF into a newline.
    headers, _, summary = done.stdout.rpartition("\n\n")
    version, _, status = summary.partition(" ")
    return version, int(status) if status.isdigit() else None, headers, done.stderr.strip()


def presented_certificate(address, name, port=443):
    """The DER certificate the server presents for SNI name (not verified)."""
    unverified = ssl.create_default_context()
    unverified.check_hostname, unverified.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection((address, port), timeout=10) as raw:
        with unverified.wrap_socket(raw, server_hostname=name) as tls:
            return tls.getpeercert(binary_form=True)


def session_has_ticket(address, name, version, port=443):
    """Whether a handshake at TLS version (ssl.TLSVersion) gets a session ticket."""
    unverified = ssl.create_default_context()
    unverified.check_hostname, unverified.verify_mode = False, ssl.CERT_NONE
    unverified.minimum_version = unverified.maximum_version = version
    with socket.create_connection((address, port), timeout=10) as raw:
        with unverified.wrap_socket(raw, server_hostname=name) as tls:
            tls.sendall(b"HEAD /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            tls.recv(4096)
            return tls.session is not None and tls.session.has_ticket


def serial(der):
    """The certificate's serial number, in hex, as openssl prints it."""
    pem = ssl.DER_cert_to_PEM_cert(der)
    done = run("openssl", "x509", "-noout", "-serial", input=pem)
    return done.stdout.strip().partition("=")[2]


def subject_alt_names(der):
    """The certificate's names, as openssl prints them (DNS:x, IP Address:y)."""
    done = run("openssl", "x509", "-noout", "-ext", "subjectAltName", input=ssl.DER_cert_to_PEM_cert(der))
    return [name.strip() for name in done.stdout.splitlines()[-1].split(",")]


def raw_over_tls(address, name, data, timeout=5.0, port=443):
    """Sends raw bytes over TLS (HTTP/1.1 by ALPN) and returns what came back
    until the server closed or went quiet for timeout seconds."""
    unverified = ssl.create_default_context()
    unverified.check_hostname, unverified.verify_mode = False, ssl.CERT_NONE
    unverified.set_alpn_protocols(["http/1.1"])
    received = b""
    with socket.create_connection((address, port), timeout=timeout) as raw:
        with unverified.wrap_socket(raw, server_hostname=name) as tls:
            try:
                tls.sendall(data)
            except OSError:
                pass  # refused before it was all sent: what came back says how
            try:
                while True:
                    chunk = tls.recv(65536)
                    if not chunk:
                        break
                    received += chunk
            except OSError:  # quiet, reset or TLS closed: the answer is what came
                pass
    return received


# The name the tests give the site (PAGEVIEWS_DOMAIN): .test is reserved for
# testing (RFC 6761) and never resolves outside.
DOMAIN = "pageviews.test"


def local_ca(project):
    """The local CA's certificate, copied out as README: HTTPS says."""
    done = project.exec("web", "cat", "/etc/nginx/tls/ca.pem")
    assert "BEGIN CERTIFICATE" in done.stdout, f"no CA certificate in the web container: {done.stdout[:200]!r}"
    return pem_file(done.stdout)


def web_address(project):
    return project.ip(project.container("web"))
