import pytest

from report import summary


@pytest.mark.parametrize("values, expected", [([3, 1, 2], 2), ([4, 1, 3, 2], 2.5), ([], 0)])
def test_median(values, expected):
    assert summary.median(values) == expected


def test_medians_are_over_the_rounds_only_in_the_order_given(make_row):
    rows = [make_row(phase="warmup", requests=99990), make_row(phase="memory", requests=99990),
            make_row(round_=1, requests=10000), make_row(round_=2, requests=30000), make_row(round_=3, requests=20000),
            make_row(kind="B", round_=1, requests=40000, db_before=None, db_after=None, statements=None)]
    [b, c] = summary.summarize(rows, [("B", 64), ("C", 64), ("D", 64)])
    assert (b["kind"], c["kind"]) == ("B", "C")
    assert (c["rounds"], c["rps"], c["rps_min"], c["rps_max"]) == (3, 2000, 1000, 3000)


def test_latencies_are_reported_in_milliseconds(make_row):
    [c] = summary.summarize([make_row(p50_us=1234, p99_us=42180)], [("C", 64)])
    assert (c["p50_ms"], c["p99_ms"]) == (1.23, 42.18)


def test_cpu_per_request_is_busy_cores_times_the_window_over_the_requests(make_row):
    [c] = summary.summarize([make_row(requests=20000, cpu_app=0.5, cpu_window_s=10.0)], [("C", 64)])
    assert c["us_app"] == 0.5 * 10.0 * 1e6 / 20000


def test_other_cores_are_the_machines_minus_everything_measured(make_row):
    [c] = summary.summarize([make_row(cpu_machine=2.0, cpu_nginx=0.5, cpu_app=0.4, cpu_db=0.2, cpu_wrk=0.3,
                                      cpu_docker=0.1)], [("C", 64)])
    assert c["cores_other"] == 0.5


def test_views_per_statement_is_the_counts_growth_over_the_statements(make_row):
    [c] = summary.summarize([make_row(requests=1000, db_before=0, db_after=1000, statements=200)], [("C", 64)])
    assert c["views_per_stmt"] == 5.0


def test_a_run_without_statement_counts_has_no_views_per_statement(make_row):
    [c] = summary.summarize([make_row(statements=None)], [("C", 64)])
    assert c["views_per_stmt"] is None


def test_errors_and_inexact_runs_are_counted(make_row):
    rows = [make_row(round_=1, non2xx=2, sock_err=1), make_row(round_=2, db_after=5), make_row(round_=3)]
    [c] = summary.summarize(rows, [("C", 64)])
    assert (c["non2xx_or_err"], c["exact_fail"]) == (3, 2)


def test_the_summary_file_has_named_columns_and_dashes_for_nothing(tmp_path, make_row):
    summary.write(summary.summarize([make_row(statements=None)], [("C", 64)]), tmp_path / "summary.tsv")
    header, line = (tmp_path / "summary.tsv").read_text().splitlines()
    entry = dict(zip(header.split("\t"), line.split("\t")))
    assert entry["kind"] == "C" and entry["rps"] == "1000" and entry["views_per_stmt"] == "-"
    assert entry["short"] == "C batched" and int(entry["color"]) == 0x2ca02c
