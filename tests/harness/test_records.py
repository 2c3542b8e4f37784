"""Reading a page's number and a record's headers."""
import pytest

from harness.records import Record, views_in


@pytest.mark.parametrize("body, expected", [
    ('<span id="views" data-views="42">42</span>', 42),
    ('<span id="views" data-views="">', None),
    ("", None),
    (None, None),
])
def test_views_in_reads_data_views(body, expected):
    assert views_in(body) == expected


def test_number_only_for_an_answer_200():
    body = '<span id="views" data-views="3">3</span>'
    assert Record(started=0, seconds=0, status=200, body=body).number == 3
    assert Record(started=0, seconds=0, status=503, body=body).number is None


def test_header_ignores_case_and_misses_cleanly():
    record = Record(started=0, seconds=0, status=200, headers={"Retry-After": "1"})
    assert record.header("retry-after") == "1"
    assert record.header("X-Missing") is None
    assert Record(started=0, seconds=0).header("Retry-After") is None
