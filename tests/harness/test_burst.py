"""The burst verdict, on records made up here (no Docker)."""
import pytest

from harness.burst import exact_run_problem
from harness.records import Record


def answered(number, status=200):
    return Record(started=0.0, seconds=0.0, status=status, body=f'<span id="views" data-views="{number}">')


def test_the_next_numbers_once_each_is_no_problem():
    assert exact_run_problem([answered(n) for n in (7, 5, 6)], first=5) == ""


@pytest.mark.parametrize("records, first, problem", [
    ([], 1, "no request was sent"),
    ([answered(1), Record(started=0.0, seconds=0.0, error="timed out")], 1, "1 of 2 requests got no number"),
    ([answered(1), answered(2, status=503)], 1, "1 of 2 requests got no number"),
    ([answered(1), answered(1)], 1, "only 1 distinct numbers for 2 requests"),
    ([answered(2), answered(3)], 1, "numbers 2..3, expected 1..2"),
    ([answered(1), answered(3)], 1, "numbers 1..3, expected 1..2"),
], ids=["nothing sent", "no answer", "503", "a number twice", "one counted before", "a gap"])
def test_a_burst_that_lost_or_doubled_a_view_is_a_problem(records, first, problem):
    assert exact_run_problem(records, first).startswith(problem)


def test_without_a_first_number_only_distinctness_counts():
    assert exact_run_problem([answered(40), answered(9)]) == ""
