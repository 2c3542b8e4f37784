import pytest

from report import rounds


def test_a_row_reads_back_as_written(tmp_path, make_row):
    path = tmp_path / "rounds.tsv"
    written = [make_row(), make_row(kind="A", db_before=None, db_after=None, statements=None)]
    path.write_text(rounds.header() + "".join(rounds.line(row) for row in written))
    assert rounds.read(path) == written


def test_fields_are_read_by_name_whatever_their_column_order(tmp_path, make_row):
    row = make_row(requests=123, db_before=7, db_after=130)
    names = list(reversed(rounds.FIELDS))
    (tmp_path / "rounds.tsv").write_text("\t".join(names) + "\n" + "\t".join(
        "-" if row[name] is None else str(row[name]) for name in names) + "\n")
    [read] = rounds.read(tmp_path / "rounds.tsv")
    assert (read["requests"], read["db_before"], read["db_after"]) == (123, 7, 130)


def test_rows_written_before_both_readings_were_kept_give_their_rise(tmp_path, make_row):
    old = {**make_row(), "db_delta": 500}
    del old["db_before"], old["db_after"]
    (tmp_path / "rounds.tsv").write_text("\t".join(old) + "\n" + "\t".join(str(v) for v in old.values()) + "\n")
    [read] = rounds.read(tmp_path / "rounds.tsv")
    assert rounds.exactness(read).growth == 500


# (database growth, 2xx answered, connections, exact?)
EXACTNESS = [
    (1000, 1000, 64, True),     # every answered view counted
    (1064, 1000, 64, True),     # plus one abandoned reply per connection
    (1065, 1000, 64, False),    # more counted than can have been sent
    (999, 1000, 64, False),     # an answered view lost
    (0, 0, 16, True),
]


@pytest.mark.parametrize("growth, answered, conns, exact", EXACTNESS)
def test_exactness_compares_the_databases_growth_with_wrks_2xx(make_row, growth, answered, conns, exact):
    row = make_row(conns=conns, requests=answered + 3, non2xx=3, db_before=50, db_after=50 + growth)
    verdict = rounds.exactness(row)
    assert (verdict.growth, verdict.answered, verdict.exact) == (growth, answered, exact)


def test_a_run_that_counts_nothing_has_no_exactness(make_row):
    assert rounds.exactness(make_row(kind="B", db_before=None, db_after=None)) is None


@pytest.mark.parametrize("fields, fails", [
    ({}, False),
    ({"non2xx": 1, "db_after": 100 + 9999}, True),
    ({"sock_err": 1}, True),
    ({"db_after": 100 + 9999}, True),
    ({"kind": "A", "db_before": None, "db_after": None, "non2xx": 1}, True),
    ({"kind": "A", "db_before": None, "db_after": None}, False),
], ids=["exact", "non-2xx", "socket error", "view lost", "uncounted with non-2xx", "uncounted clean"])
def test_a_run_fails_on_errors_or_an_inexact_count(make_row, fields, fails):
    assert rounds.failed(make_row(**fields)) == fails


def test_the_warm_up_is_not_measured(make_row):
    rows = [make_row(phase="warmup"), make_row(phase="memory"), make_row(phase="round")]
    assert [row["phase"] for row in rounds.measured(rows)] == ["memory", "round"]
