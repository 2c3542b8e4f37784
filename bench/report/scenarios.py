"""The benchmark's scenarios: one entry each. Measuring (what to load, which
containers' CPU to read) and reporting (labels, chart colours, ratios) both
read this table, so a new scenario is one more entry here."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Project:
    """A compose project bench/run starts: the shipped cluster, or the
    assignment's Django app (bench/reference/django/README.md), each with
    its own nginx, app and PostgreSQL service named web, app and db."""
    files: tuple      # its compose files, from the checkout; the first one's folder is the project directory
    suffix: str       # added to bench/run's project name
    ready: tuple      # paths its every nginx answers 200 once it is up, counting no view


PROJECTS = {
    "pageviews": Project(("docker-compose.yml", "bench/compose.yml"), "", ("/healthz", "/nginx-health", "/api/views")),
    # Its only app path counts; its compose file waits for the app itself.
    "reference": Project(("bench/reference/django/compose.yml",), "-reference", ("/nginx-health",)),
}


@dataclass(frozen=True)
class Scenario:
    kind: str
    label: str        # the tables' row label
    short: str        # the chart's tick label
    color: int        # the chart's bar colour (0xRRGGBB)
    project: str      # the PROJECTS entry it runs on (started only when a scenario needs it)
    web: str          # the compose service the load generator loads (an nginx)
    app: str          # the compose service whose CPU is the "app" column
    network: str      # the compose network where the load generator reaches web and reads app's metrics
    path: str
    counted: bool     # a view counted in the database: its exactness is checked
    versus_c: str     # what the report compares C with, in words (README's sentence); empty: not compared
    metrics: bool = True  # its app counts its statements on /metrics (views per UPDATE)
    # C changed in one respect: the report gives its rate as a share of C's
    # (X/C), these words saying how ("over HTTP/2"); empty: not compared.
    of_c: str = ""
    scheme: str = "http"  # "https": nginx's TLS port
    tool: str = "wrk"     # the load generator: "wrk", or "h2load" (HTTP/2, bench/report/h2load.py)
    headers: tuple = ()   # request headers beyond Host

    @property
    def port(self):
        return 443 if self.scheme == "https" else 80


SCENARIOS = {s.kind: s for s in (
    Scenario("A", "A nginx alone (/nginx-health)", "A nginx", 0x9e9e9e, "pageviews", "web", "app", "frontend",
             "/nginx-health", counted=False, versus_c=""),
    Scenario("B", "B nginx -> app (/healthz)", "B proxy", 0x4c78a8, "pageviews", "web", "app", "frontend",
             "/healthz", counted=False, versus_c="nginx and the app without the database"),
    Scenario("C", "C counted /, batched", "C batched", 0x2ca02c, "pageviews", "web", "app", "frontend",
             "/", counted=True, versus_c=""),
    Scenario("D", "D counted /, per-request", "D per-request", 0xd62728, "pageviews", "web-d", "app-d",
             "frontend-d", "/", counted=True, versus_c="one `UPDATE` per view"),
    # The assignment's app (bench/reference/django): no metrics port.
    Scenario("E", "E counted /, Django reference", "E Django", 0x9467bd, "reference", "web", "app", "frontend",
             "/", counted=True, versus_c="the assignment's Django app behind the same nginx", metrics=False),
    # C over HTTPS (issue 14), on the same nginx, app and database.
    # Keep-alive HTTP/1.1: one TLS handshake per connection, then only the
    # encryption.
    Scenario("T", "T counted /, HTTPS (HTTP/1.1)", "T https", 0x98df8a, "pageviews", "web", "app", "frontend",
             "/", counted=True, versus_c="", of_c="over HTTPS with keep-alive", scheme="https"),
    # HTTP/2 by ALPN: CONNECTIONS connections with one stream each, so 64
    # means 64 requests in flight as for wrk (bench/report/h2load.py).
    Scenario("H", "H counted /, HTTP/2", "H http/2", 0x17becf, "pageviews", "web", "app", "frontend",
             "/", counted=True, versus_c="", of_c="over HTTP/2", scheme="https", tool="h2load"),
    # nginx closes each connection after its answer and wrk opens a new one:
    # a TCP and TLS handshake per view. wrk offers the session of its
    # previous connection and nginx's session cache resumes it
    # (docs/benchmarks.md).
    Scenario("N", "N counted /, TLS handshake each", "N new TLS", 0xbcbd22, "pageviews", "web", "app", "frontend",
             "/", counted=True, versus_c="", of_c="over HTTPS with a new TLS connection per view", scheme="https",
             headers=("Connection: close",)),
)}

DEFAULT = "A:64 B:16 B:64 B:256 C:16 C:64 C:256 D:64 E:64 T:64 H:64 N:64"


def parse(text, threads=1):
    """"A:64 C:16" -> [("A", 64), ("C", 16)]; ValueError names the bad entry."""
    runs = []
    for entry in text.split():
        kind, _, conns = entry.partition(":")
        if kind not in SCENARIOS or not conns.isdigit():
            raise ValueError(f"bad scenario '{entry}' (expected KIND:CONNECTIONS, KIND one of "
                             f"{' '.join(SCENARIOS)})")
        if int(conns) < threads:
            raise ValueError(f"scenario {entry}: the load generator needs at least as many connections as "
                             f"threads ({threads})")
        runs.append((kind, int(conns)))
    if not runs:
        raise ValueError("no scenario given")
    return runs


def projects(runs):
    """The PROJECTS runs need, in the order to start them: the shipped
    cluster always, and first (the memory phase and the environment table
    read its app)."""
    return ["pageviews"] + sorted({SCENARIOS[kind].project for kind, _ in runs} - {"pageviews"})
