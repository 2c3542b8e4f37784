"""The verdicts on request records, case by case (no Docker)."""
import pytest

from harness.records import Record
from harness.verdict import load_stats, nothing_lost, outcome, recovered_at


def ok(number, started=0.0):
    return Record(started=started, seconds=0.01, status=200, body=f'<span id="views" data-views="{number}">')


def failed(status=None, refused=False, started=0.0, seconds=0.5):
    return Record(started=started, seconds=seconds, status=status, refused=refused, error="" if status else "reset")


@pytest.mark.parametrize("record, expected", [
    (ok(7), "acknowledged"),
    (failed(503), "not counted"),
    (failed(refused=True), "not counted"),
    (failed(504), "unknown"),
    (failed(None), "unknown"),
    (Record(started=0, seconds=0, status=200, body="no number"), "unknown"),
])
def test_outcome_follows_the_apps_contract(record, expected):
    assert outcome(record) == expected


def test_load_stats_counts_each_outcome_class():
    stats = load_stats([ok(3), ok(4), ok(4), failed(503, seconds=0.2), failed(refused=True), failed(504, seconds=2)])
    assert (stats.total, stats.acknowledged, stats.distinct) == (6, 3, 2)
    assert (stats.not_counted, stats.unknown, stats.lowest, stats.highest) == (2, 1, 3, 4)
    assert (stats.longest_503, stats.longest_failure) == (0.2, 2)
    assert stats.describe_statuses() == "200: 3, 503: 1, 504: 1, refused: 1"


def test_nothing_lost_holds_when_the_count_grew_by_exactly_the_acknowledged():
    verdict = nothing_lost([ok(11), ok(12), failed(503)], before=10, after=12)
    assert verdict.ok, verdict.problems
    assert verdict.summary.startswith("count 10 -> 12 (+2); 2 acknowledged, distinct: yes")


@pytest.mark.parametrize("records, before, after, problem", [
    ([ok(11), ok(11)], 10, 12, "given twice"),
    ([ok(11), ok(12)], 10, 11, "outside the count's growth"),
    ([ok(10), ok(11)], 10, 12, "outside the count's growth"),
    ([ok(11)], 10, 12, "grew by 2"),
    ([ok(11), ok(12)], 10, 12 - 1, "grew by 1"),
    ([ok(11), failed(503)], 10, 12, "grew by 2"),
])
def test_nothing_lost_names_each_broken_promise(records, before, after, problem):
    verdict = nothing_lost(records, before, after)
    assert any(problem in text for text in verdict.problems), verdict.problems


def test_nothing_lost_allows_growth_only_up_to_the_unknown_outcomes():
    records = [ok(11), failed(504)]
    assert nothing_lost(records, 10, 12).ok
    assert not nothing_lost(records, 10, 13).ok
    assert nothing_lost([ok(11)], 10, 12, resent=1).ok


def test_recovered_at_is_the_first_request_after_the_last_failure():
    records = [ok(1, 1.0), failed(503, started=2.0), ok(2, 3.0), failed(504, started=4.0), ok(3, 5.0), ok(4, 6.0)]
    assert recovered_at(records, since=1.5) == 5.0
    assert recovered_at(records, since=4.5) == 4.5
    assert recovered_at(records + [failed(503, started=7.0)], since=0) is None
