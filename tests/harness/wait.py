"""Waiting for an event, never for a fixed time: the machine may be slow."""
import time


class GaveUp(AssertionError):
    """A condition did not hold within its bound; says what was last seen."""


def wait_for(what, probe, timeout=120.0, interval=0.5, seen=None):
    """Calls probe() until it returns something truthy and returns that.

    what names the event for the message when giving up. probe may raise:
    the exception counts as "not yet" and is what the message reports.
    Gives up after timeout seconds with GaveUp, naming the last value or
    exception seen, or what seen() returns then.
    """
    deadline = time.monotonic() + timeout
    last = "nothing (the probe never ran)"
    while True:
        try:
            value = probe()
        except Exception as error:  # noqa: BLE001 - any failure means "not yet"
            value, last = None, f"{type(error).__name__}: {error}"
        else:
            if value:
                return value
            last = repr(value)
        if time.monotonic() >= deadline:
            if seen:
                last = seen()
            raise GaveUp(f"gave up after {timeout:.0f} s waiting for {what}; last seen: {last}")
        time.sleep(interval)
