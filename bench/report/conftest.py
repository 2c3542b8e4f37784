"""Builders of the benchmark's raw rows for the report's unit tests."""
import pytest

from report import rounds
from report.results import Results
from report.scenarios import SCENARIOS


def row(phase="round", round_=1, kind="C", conns=64, requests=10000, **fields):
    """One raw row as measure writes it: a 10 s run at 1,000 req/s, counted
    exactly if kind is counted, its statements read if its app has metrics;
    fields override any value."""
    counted = SCENARIOS[kind].counted
    values = {"phase": phase, "round": round_, "kind": kind, "conns": conns, "secs": 10.0, "requests": requests,
              "rps": requests / 10, "p50_us": 2000, "p90_us": 5000, "p99_us": 9000, "max_us": 20000, "non2xx": 0,
              "sock_err": 0, "db_before": 100 if counted else None, "db_after": 100 + requests if counted else None,
              "statements": requests // 5 if counted and SCENARIOS[kind].metrics else None,
              "cpu_nginx": 0.5, "cpu_app": 0.4, "cpu_db": 0.2, "cpu_wrk": 0.3, "load1": 1.0, "cpu_machine": 1.6,
              "cpu_docker": 0.1, "cpu_window_s": 10.0}
    values.update(fields)
    assert set(values) == set(rounds.FIELDS), set(values) ^ set(rounds.FIELDS)
    return values


@pytest.fixture
def make_row():
    return row


@pytest.fixture
def make_results():
    def build(rows, runs=None, memory=None, curve=(), environment=()):
        runs = runs or list(dict.fromkeys((r["kind"], r["conns"]) for r in rows))
        return Results(rows=list(rows), runs=runs, environment=list(environment), memory=dict(memory or {}),
                       curve=list(curve))
    return build
