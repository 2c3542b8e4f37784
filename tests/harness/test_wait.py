"""wait_for: returns the first truthy value; gives up naming what it saw."""
import pytest

from harness.wait import GaveUp, wait_for


def test_returns_the_first_truthy_value():
    values = iter([0, None, "", 5])
    assert wait_for("five", lambda: next(values), timeout=5, interval=0) == 5


def test_a_raising_probe_means_not_yet():
    calls = []

    def probe():
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("refused")
        return "up"

    assert wait_for("up", probe, timeout=5, interval=0) == "up"


def test_gives_up_naming_the_event_and_the_last_exception():
    def probe():
        raise ConnectionError("refused")

    with pytest.raises(GaveUp, match=r"waiting for the app; last seen: ConnectionError: refused"):
        wait_for("the app", probe, timeout=0.05, interval=0.01)


def test_gives_up_with_what_seen_reports():
    with pytest.raises(GaveUp, match="last seen: 2 of 3 healthy"):
        wait_for("3 healthy", lambda: False, timeout=0.05, interval=0.01, seen=lambda: "2 of 3 healthy")
