"""The report of a recorded run is what bench/run wrote for it before the
report moved to Python (testdata/README.md)."""
import pathlib

import pytest

from report import render, results

RUN = pathlib.Path(__file__).resolve().parent / "testdata" / "three-rounds"


@pytest.fixture(scope="module")
def recorded():
    return results.load(RUN)


def test_the_report_is_unchanged(recorded):
    assert render.report(recorded) == (RUN / "expected-report.md").read_text()


def test_the_generated_part_of_the_docs_is_unchanged(recorded):
    block = render.docs_block(recorded, render.report(recorded))
    assert block == (RUN / "expected-docs-block.md").read_text()


def test_the_recorded_run_has_every_default_scenario_and_a_failure(recorded):
    # What makes it a test worth having: all of the table, and a red cell.
    assert [(e["kind"], e["conns"]) for e in recorded.summary] == recorded.runs and len(recorded.runs) == 8
    assert "**NO**, 1 of 3 failed" in render.report(recorded)
