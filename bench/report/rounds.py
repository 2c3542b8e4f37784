"""The raw results: one row per wrk run (rounds.tsv), read and written by
field name. A counted run records the database's count before and after it
and wrk's own request and non-2xx counts, so that its exactness compares two
values measured independently of each other."""
import csv
from dataclasses import dataclass

FIELDS = ("phase", "round", "kind", "conns", "secs", "requests", "rps", "p50_us", "p90_us", "p99_us", "max_us",
          "non2xx", "sock_err", "db_before", "db_after", "statements", "cpu_nginx", "cpu_app", "cpu_db",
          "cpu_wrk", "load1", "cpu_machine", "cpu_docker", "cpu_window_s")
TEXT = {"phase", "kind"}
NONE = "-"


def _value(name, text):
    if name in TEXT:
        return text
    if text in (NONE, "", None):
        return None
    number = float(text)
    return int(number) if number.is_integer() and "." not in text else number


def read(path):
    """rows.tsv -> list of dicts of FIELDS (numbers as numbers, "-" as None)."""
    with open(path, newline="") as file:
        rows = list(csv.DictReader(file, delimiter="\t"))
    for row in rows:
        if "db_before" not in row and "db_delta" in row:
            # Written before the count's two readings were kept: its rise only.
            row["db_before"], row["db_after"] = ("0", row["db_delta"]) if row["db_delta"] != NONE else (NONE, NONE)
    return [{name: _value(name, row.get(name)) for name in FIELDS} for row in rows]


def header():
    return "\t".join(FIELDS) + "\n"


def line(row):
    """One row in FIELDS' order; None is written as "-"."""
    return "\t".join(NONE if row.get(name) is None else str(row[name]) for name in FIELDS) + "\n"


@dataclass(frozen=True)
class Exactness:
    growth: int      # the database's count after the run minus before
    answered: int    # the 2xx responses wrk reported
    conns: int

    @property
    def extra(self):
        """Views counted whose replies wrk abandoned when its time was up:
        0 up to one per connection."""
        return self.growth - self.answered

    @property
    def exact(self):
        return 0 <= self.extra <= self.conns


def exactness(row):
    """None for a run that counts nothing; else what its counts say."""
    if row["db_before"] is None or row["db_after"] is None:
        return None
    return Exactness(row["db_after"] - row["db_before"], row["requests"] - row["non2xx"], row["conns"])


def failed(row):
    """A run fails on any non-2xx answer, any socket error, or a count that is not exact."""
    verdict = exactness(row)
    return bool(row["non2xx"] or row["sock_err"]) or (verdict is not None and not verdict.exact)


def measured(rows):
    """The rows the verdicts judge: every run but the warm-up."""
    return [row for row in rows if row["phase"] != "warmup"]
