"""docs/reliability.md as rendered from rows and run facts (no Docker)."""
import pathlib
import re
from datetime import datetime, timezone

import pytest

from reliability.doc import RunFacts, render, whole_suite
from reliability.rows import Rows

COMMITTED = pathlib.Path(__file__).resolve().parents[2] / "docs" / "reliability.md"


def facts(**changes):
    values = dict(written=datetime(2026, 12, 1, 7, 4, tzinfo=timezone.utc), commit="abc1234", dirty=False,
                  replicas=3, app_image="pageviews:local", db_image="postgres:17", web_image="nginx:1.30",
                  passed=120, failed=0, seconds=400, fail_slack_s=0.5)
    values.update(changes)
    return RunFacts(**values)


def rows_with(*specs):
    """specs: (kind, id, what, observed list, outcomes list)"""
    rows = Rows()
    for kind, row_id, what, seen, outcomes in specs:
        row = rows.get(kind, row_id, what)
        row.observed += seen
        row.outcomes += outcomes
    return rows


def table_lines(text, heading):
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if re.match(r"\| [A-Z]\d+ \|", line)]


def test_the_headings_are_those_of_the_committed_document():
    def headings(text):
        return [line for line in text.splitlines() if line.startswith("## ")]

    assert headings(render(Rows(), facts())) == headings(COMMITTED.read_text())


def test_a_fault_row_says_what_was_done_what_was_seen_and_its_result():
    rows = rows_with(("fault", "F3", "one replica killed", ["1214 requests", "count 1 -> 2"], ["passed", "passed"]))
    assert table_lines(render(rows, facts()), "Faults") == [
        "| F3 | one replica killed | 1214 requests; count 1 -> 2 | pass |"]


@pytest.mark.parametrize("outcomes, result", [
    (["passed", "passed"], "pass"),
    (["passed", "failed"], "FAIL"),
    ([], "FAIL"),  # a row no test reported into did not pass
])
def test_the_result_is_pass_only_when_every_test_of_the_row_passed(outcomes, result):
    rows = rows_with(("fault", "F1", "db restarted", ["seen"], outcomes))
    assert table_lines(render(rows, facts()), "Faults")[0].endswith(f"| {result} |")


def test_rows_are_in_the_order_of_their_numbers_each_in_its_own_table():
    rows = rows_with(("fault", "F10", "ten", [], ["passed"]), ("input", "B2", "two", [], ["passed"]),
                     ("fault", "F2", "two", [], ["passed"]), ("hardening", "H1", "one", [], ["passed"]),
                     ("fuzz", "Z1", "`settings` for 25 s", [], ["passed"]))
    text = render(rows, facts())
    assert [line.split(" | ")[0] for line in table_lines(text, "Faults")] == ["| F2", "| F10"]
    assert [line.split(" | ")[0] for line in table_lines(text, "Bad input")] == ["| B2"]
    assert [line.split(" | ")[0] for line in table_lines(text, "Hardening of the running cluster")] == ["| H1"]
    assert [line.split(" | ")[0] for line in table_lines(text, "Fuzzing the settings parser")] == ["| Z1"]


def test_a_cell_keeps_its_table_whole():
    rows = rows_with(("input", "B9", "a | b", ["line one\nline two"], ["passed"]))
    assert table_lines(render(rows, facts()), "Bad input") == ["| B9 | a \\| b | line one line two | pass |"]


def test_a_row_with_nothing_observed_says_so():
    rows = rows_with(("fault", "F5", "nginx reloaded", [], ["passed"]))
    assert "| (nothing recorded) |" in table_lines(render(rows, facts()), "Faults")[0]


def test_the_header_names_the_commit_images_and_counts():
    text = render(Rows(), facts(passed=97, failed=2, seconds=412))
    assert "on 2026-12-01 07:04 UTC, at commit `abc1234`,\n" in text
    assert "app `pageviews:local`, db `postgres:17`, web `nginx:1.30`" in text
    assert "**97 tests passed, 2 failed**, in 412 s." in text


def test_uncommitted_changes_and_extra_compose_files_are_named():
    text = render(Rows(), facts(dirty=True, extra_compose=["fix.yml", "more.yml"]))
    assert "at commit `abc1234` (with uncommitted changes to the app or deployment)," in text
    assert "**Not the plain compose file:** layered with `fix.yml more.yml`." in text


def test_the_plain_compose_file_is_not_flagged():
    assert "Not the plain compose file" not in render(Rows(), facts())


def test_out_of_scope_lists_the_rows_noted_but_not_tested():
    rows = rows_with(("out of scope", "F11", "host power loss", ["needs a VM"], []))
    assert "## Out of scope\n\n- **F11 host power loss**: needs a VM\n" in render(rows, facts())


def test_out_of_scope_says_none_when_every_fault_is_tested():
    assert "## Out of scope\n\n- None: every fault listed above is tested.\n" in render(Rows(), facts())


def test_the_apps_leniencies_are_listed_in_key_order():
    text = render(Rows(), facts(lenient={"B7/x": "seven", "B1/missing-target": "Drogon reads it as /"}))
    assert "  - `B1/missing-target`: Drogon reads it as /.\n  - `B7/x`: seven.\n" in text


def test_the_refusal_deadline_margin_comes_from_the_run():
    assert "within `PAGEVIEWS_DB_TIMEOUT_MS` (plus 0.75 s)" in render(Rows(), facts(fail_slack_s=0.75))


MODULES = ["test_doc.py", "test_faults.py"]
ALL = ["reliability/test_doc.py::test_a", "reliability/test_faults.py::test_b[F1]",
       "reliability/test_faults.py::test_b[F2]"]


@pytest.mark.parametrize("collected, ran, whole", [
    (ALL, ALL, True),
    (ALL, ALL[:2], False),  # -k, --deselect, or stopped early (-x)
    (ALL[:1], ALL[:1], False),  # one file named on the command line
    ([], [], False),
])
def test_the_doc_is_written_only_when_the_whole_suite_ran(collected, ran, whole):
    assert whole_suite(MODULES, collected, ran) is whole
