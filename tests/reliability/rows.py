"""The rows of docs/reliability.md: each test names the row it belongs to
(fault F1, bad input B3, hardening H7, fuzz Z1) and what it observed; a
row passes when every test in it passed. Pure data, no Docker."""
from dataclasses import dataclass, field


@dataclass
class Row:
    kind: str  # fault, input, hardening, fuzz, or "out of scope"
    id: str
    what: str
    observed: list = field(default_factory=list)
    outcomes: list = field(default_factory=list)  # "passed", "failed", "skipped" per test

    @property
    def result(self):
        if self.kind == "out of scope":
            return "out of scope"
        if not self.outcomes or "failed" in self.outcomes:
            return "FAIL"
        return "pass" if "passed" in self.outcomes else "skipped"


def id_key(row_id):
    """F2 before F10: the letter, then the number."""
    digits = "".join(ch for ch in row_id if ch.isdigit())
    return (row_id.rstrip("0123456789"), int(digits) if digits else 0, row_id)


class Rows:
    def __init__(self):
        self._rows = {}

    def get(self, kind, row_id, what):
        row = self._rows.setdefault(row_id, Row(kind, row_id, what))
        if row.what != what and what not in row.what:
            row.what = f"{row.what}; {what}"
        return row

    def of_kind(self, kind):
        return sorted((row for row in self._rows.values() if row.kind == kind), key=lambda row: id_key(row.id))

    def __len__(self):
        return len(self._rows)
