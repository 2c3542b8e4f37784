"""SIGTERM under load: the app drains and exits 0, and the database holds
exactly the views it acknowledged."""
import threading
from dataclasses import dataclass

import pytest

from harness.command import output, run
from harness.http import get
from harness.wait import wait_for

CLIENTS, PER_CLIENT = 16, 500


@dataclass
class Drained:
    before: int
    acked: list  # the numbers of the views answered 200
    exit_code: str
    after: int


@pytest.fixture(scope="module")
def drained(server):
    """16 clients, each stopping at its first request that got no answer,
    by address so that no name lookup outlives the container; SIGTERM once
    views flow."""
    server.start_app("sigterm")
    address = f"http://{server.sandbox.ip('sigterm')}:8000/"
    before = server.count()
    records, lock = [], threading.Lock()

    def client():
        for _ in range(PER_CLIENT):
            record = get(address, timeout=5)
            if record.status is None:
                break
            with lock:
                records.append(record)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    wait_for("views flowing", lambda: len(records) >= 50, timeout=60, seen=lambda: f"{len(records)} answers")
    container = server.sandbox.container("sigterm")
    run("docker", "kill", "--signal", "TERM", container)
    exit_code = output("docker", "wait", container, timeout=120)
    for thread in threads:
        thread.join(timeout=60)
    acked = [record.number for record in records if record.number is not None]
    return Drained(before, acked, exit_code, server.count())


def test_the_app_exits_0_after_draining(drained):
    assert drained.exit_code == "0"


def test_some_views_were_acknowledged_before_the_signal(drained):
    assert len(drained.acked) > 0


def test_acknowledged_numbers_are_distinct(drained):
    assert len(set(drained.acked)) == len(drained.acked)


def test_the_database_counted_exactly_the_acknowledged_views(drained):
    assert drained.after == drained.before + len(drained.acked), \
        f"{drained.after - drained.before} counted, {len(drained.acked)} acknowledged"
