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
    web: str          # the compose service wrk loads (an nginx)
    app: str          # the compose service whose CPU is the "app" column
    network: str      # the compose network where wrk reaches web and reads app's metrics
    path: str
    counted: bool     # a view counted in the database: its exactness is checked
    versus_c: str     # what the report compares C with, in words (README's sentence); empty: not compared
    metrics: bool = True  # its app counts its statements on /metrics (views per UPDATE)


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
)}

DEFAULT = "A:64 B:16 B:64 B:256 C:16 C:64 C:256 D:64 E:64"


def parse(text, threads=1):
    """"A:64 C:16" -> [("A", 64), ("C", 16)]; ValueError names the bad entry."""
    runs = []
    for entry in text.split():
        kind, _, conns = entry.partition(":")
        if kind not in SCENARIOS or not conns.isdigit():
            raise ValueError(f"bad scenario '{entry}' (expected KIND:CONNECTIONS, KIND one of "
                             f"{' '.join(SCENARIOS)})")
        if int(conns) < threads:
            raise ValueError(f"scenario {entry}: wrk needs at least as many connections as threads ({threads})")
        runs.append((kind, int(conns)))
    if not runs:
        raise ValueError("no scenario given")
    return runs


def projects(runs):
    """The PROJECTS runs need, in the order to start them: the shipped
    cluster always, and first (the memory phase and the environment table
    read its app)."""
    return ["pageviews"] + sorted({SCENARIOS[kind].project for kind, _ in runs} - {"pageviews"})
