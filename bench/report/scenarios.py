"""The benchmark's scenarios: one entry each. Measuring (what to load, which
containers' CPU to read) and reporting (labels, chart colours, ratios) both
read this table, so a new scenario is one more entry here."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    kind: str
    label: str        # the tables' row label
    short: str        # the chart's tick label
    color: int        # the chart's bar colour (0xRRGGBB)
    web: str          # the compose service wrk loads (an nginx)
    app: str          # the compose service whose CPU is the "app" column
    network: str      # the compose network where wrk reaches web and reads app's metrics
    path: str
    counted: bool     # a view counted in the database: its exactness is checked
    versus_c: bool    # the report gives C/<kind>, the ratio a reader asks for


SCENARIOS = {s.kind: s for s in (
    Scenario("A", "A nginx alone (/nginx-health)", "A nginx", 0x9e9e9e, "web", "app", "frontend",
             "/nginx-health", counted=False, versus_c=False),
    Scenario("B", "B nginx -> app (/healthz)", "B proxy", 0x4c78a8, "web", "app", "frontend",
             "/healthz", counted=False, versus_c=True),
    Scenario("C", "C counted /, batched", "C batched", 0x2ca02c, "web", "app", "frontend",
             "/", counted=True, versus_c=False),
    Scenario("D", "D counted /, per-request", "D per-request", 0xd62728, "web-d", "app-d", "frontend-d",
             "/", counted=True, versus_c=True),
)}

DEFAULT = "A:64 B:16 B:64 B:256 C:16 C:64 C:256 D:64"


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
