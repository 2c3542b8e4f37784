"""One record per HTTP request sent by a test: what was sent and what came
back. Pure data, shared by the HTTP client, the load and the verdicts."""
import re
from dataclasses import dataclass
from typing import Optional

# The number in the page: <span id="views" data-views="N">N</span>.
_VIEWS = re.compile(r'data-views="(\d+)"')


def views_in(body):
    """The number a page shows, or None."""
    match = _VIEWS.search(body or "")
    return int(match.group(1)) if match else None


@dataclass
class Record:
    """A request and its outcome.

    status is None when no answer came; refused says no connection was made
    (so nothing was sent, and nothing can have been counted).
    """
    started: float  # epoch seconds
    seconds: float  # how long it took
    status: Optional[int] = None
    body: str = ""
    headers: Optional[dict] = None
    error: str = ""
    refused: bool = False
    request_id: str = ""

    @property
    def number(self):
        """The view's number, when the request was answered 200 with one."""
        return views_in(self.body) if self.status == 200 else None

    def header(self, name):
        """A response header by name (any case), or None."""
        for key, value in (self.headers or {}).items():
            if key.lower() == name.lower():
                return value
        return None

    def describe(self):
        """One line for a failure message: the status or error, and the body's start."""
        if self.status is None:
            return f"no answer ({self.error or 'unknown error'})"
        return f"{self.status}: {self.body[:120]!r}"
