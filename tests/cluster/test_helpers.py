"""The cluster tests' own reading of an answer (no Docker): a failure names
the outcome of the very request that failed, never an earlier one's
(issue 11, defect 1: a request in a subshell left the last status behind)."""
import re

import pytest

from cluster.helpers import number_of
from harness.records import Record


def test_a_served_number_is_read_from_the_page():
    assert number_of(Record(started=0.0, seconds=0.0, status=200, body='<span data-views="12">12</span>')) == 12


@pytest.mark.parametrize("record, named", [
    (Record(started=0.0, seconds=0.0, status=503, body="not counted"), "503: 'not counted'"),
    (Record(started=0.0, seconds=0.0, error="connect: refused", refused=True), "no answer (connect: refused)"),
], ids=["503", "no answer"])
def test_a_view_without_a_number_fails_naming_its_own_outcome(record, named):
    with pytest.raises(AssertionError, match=re.escape(named)):
        number_of(record)
