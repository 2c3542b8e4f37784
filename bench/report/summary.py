"""Medians over the interleaved rounds: one summary row per scenario run
(kind and connections), in the order the scenarios were given."""
import statistics

from report import rounds
from report.scenarios import SCENARIOS

# Containers whose CPU the rows hold, as busy cores over the CPU window.
PARTS = ("nginx", "app", "db", "wrk", "docker")
FIELDS = ("kind", "conns", "rounds", "rps", "rps_min", "rps_max", "p50_ms", "p99_ms", "non2xx_or_err",
          "exact_fail", "views_per_stmt") + tuple(f"us_{part}" for part in PARTS) + (
          "cores_machine", "cores_other", "short", "color")
FORMATS = {"rps": "{:.0f}", "rps_min": "{:.0f}", "rps_max": "{:.0f}", "p50_ms": "{:.2f}", "p99_ms": "{:.2f}",
           "views_per_stmt": "{:.1f}", "cores_machine": "{:.2f}", "cores_other": "{:.2f}",
           **{f"us_{part}": "{:.0f}" for part in PARTS}}


def median(values):
    values = list(values)
    return statistics.median(values) if values else 0


def us_per_request(row, part):
    """CPU µs per request: busy cores x the CPU window / requests."""
    return row[f"cpu_{part}"] * row["cpu_window_s"] * 1e6 / row["requests"] if row["requests"] else 0


def summarize(rows, runs):
    """rows (rounds.read) of phase "round" -> one dict of FIELDS per
    (kind, conns) of runs that ran, its numbers rounded as printed."""
    summary = []
    for kind, conns in runs:
        mine = [row for row in rows if row["phase"] == "round" and row["kind"] == kind and row["conns"] == conns]
        if not mine or any(entry["kind"] == kind and entry["conns"] == conns for entry in summary):
            continue
        rates = [row["rps"] for row in mine]
        per_statement = [rounds.exactness(row).growth / row["statements"] for row in mine
                         if rounds.exactness(row) and row["statements"]]
        entry = {
            "kind": kind, "conns": conns, "rounds": len(mine),
            "rps": median(rates), "rps_min": min(rates), "rps_max": max(rates),
            "p50_ms": median(row["p50_us"] for row in mine) / 1000,
            "p99_ms": median(row["p99_us"] for row in mine) / 1000,
            "non2xx_or_err": sum(row["non2xx"] + row["sock_err"] for row in mine),
            "exact_fail": sum(1 for row in mine if rounds.exactness(row) and rounds.failed(row)),
            "views_per_stmt": median(per_statement) if per_statement else None,
            "cores_machine": median(row["cpu_machine"] for row in mine),
            "cores_other": median(row["cpu_machine"] - sum(row[f"cpu_{part}"] for part in PARTS) for row in mine),
            "short": SCENARIOS[kind].short, "color": SCENARIOS[kind].color,
        }
        for part in PARTS:
            entry[f"us_{part}"] = median(us_per_request(row, part) for row in mine)
        summary.append({name: _rounded(name, value) for name, value in entry.items()})
    return summary


def _rounded(name, value):
    """Rounded as the tables print it, so that ratios of medians agree with the table."""
    if value is None or name not in FORMATS:
        return value
    return float(FORMATS[name].format(value))


def text(name, value):
    if value is None:
        return "-"
    return FORMATS[name].format(value) if name in FORMATS else str(value)


def write(summary, path):
    """summary.tsv, the chart's input (bench/plot.gp reads it by column name)."""
    with open(path, "w") as file:
        file.write("\t".join(FIELDS) + "\n")
        for entry in summary:
            file.write("\t".join(text(name, entry[name]) for name in FIELDS) + "\n")


def find(summary, kind, conns):
    """The summary row of kind at conns, or None if it did not run."""
    return next((entry for entry in summary if entry["kind"] == kind and entry["conns"] == conns), None)
