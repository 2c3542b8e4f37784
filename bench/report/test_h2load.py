"""h2load's output and --log-file, recorded from real runs against the
cluster (testdata/README.md), become the fields wrk.parse returns."""
import pathlib

import pytest

from report import h2load, wrk

RECORDED = pathlib.Path(__file__).resolve().parent / "testdata" / "h2load"


def recorded(name):
    return (RECORDED / f"{name}.out").read_text(), (RECORDED / f"{name}.log").read_text()


def latencies(name):
    return sorted(int(line.split("\t")[2]) for line in recorded(name)[1].splitlines())


@pytest.fixture(scope="module")
def answered():
    return h2load.parse(*recorded("answered"))


def test_the_result_has_the_fields_of_wrks(answered):
    assert set(answered) == set(wrk.FIELDS)


def test_every_answer_is_a_request_over_the_whole_run(answered):
    # "finished in 1.00s", "400 succeeded"
    assert (answered["requests"], answered["duration_us"], answered["rps"]) == (400, 1000000, 400.0)


def test_the_percentiles_are_the_logs_nearest_ranks(answered):
    ordered = latencies("answered")
    assert (answered["p50_us"], answered["p90_us"], answered["p99_us"], answered["max_us"]) == \
        (ordered[199], ordered[359], ordered[395], ordered[-1])


def test_the_longest_request_is_the_one_h2load_reports(answered):
    # Its own table: "time for request: 323us 6.09ms ..." (min, max).
    assert 6085 <= answered["max_us"] <= 6095 and latencies("answered")[0] == 323


def test_a_clean_run_has_no_errors(answered):
    assert answered["err_status"] == 0 and wrk.socket_errors(answered) == 0


def test_answers_of_400_and_more_are_requests_with_a_bad_status():
    # Every request for an unknown host: nginx's 421, "0 succeeded, 200 failed, 0 errored".
    result = h2load.parse(*recorded("misdirected"))
    assert (result["requests"], result["err_status"], wrk.socket_errors(result)) == (200, 200, 0)


def summary_with(counts, name="answered"):
    """The recorded output with its requests line replaced (h2load's
    failures are hard to cause on purpose; its format is the recorded one)."""
    output, log = recorded(name)
    line = next(line for line in output.splitlines() if line.startswith("requests: "))
    return output.replace(line, "requests: " + counts), log


@pytest.mark.parametrize("counts, requests, read, timeout, status", [
    ("403 total, 403 started, 403 done, 397 succeeded, 6 failed, 3 errored, 0 timeout", 400, 3, 0, 3),
    ("400 total, 404 started, 400 done, 400 succeeded, 4 failed, 4 errored, 4 timeout", 400, 0, 4, 0),
    ("400 total, 410 started, 400 done, 398 succeeded, 12 failed, 10 errored, 4 timeout", 400, 6, 4, 2),
], ids=["errored", "timeout", "both"])
def test_errored_streams_are_read_errors_and_timeouts_are_timeouts(counts, requests, read, timeout, status):
    result = h2load.parse(*summary_with(counts))
    assert (result["requests"], result["err_read"], result["err_timeout"], result["err_status"]) == \
        (requests, read, timeout, status)
    assert result["err_connect"] == result["err_write"] == 0


def test_failed_streams_in_the_log_are_not_answers():
    output, log = recorded("answered")
    failed = log + "1796123933000000\t-1\t10000000\n"
    result = h2load.parse(output.replace("0 failed, 0 errored", "1 failed, 1 errored"), failed)
    assert (result["requests"], result["err_read"], result["max_us"]) == (400, 1, latencies("answered")[-1])


@pytest.mark.parametrize("finished, duration_us", [("2.02s", 2020000), ("500.25ms", 500250), ("900us", 900)])
def test_the_duration_is_read_in_its_unit(finished, duration_us):
    output, log = recorded("answered")
    result = h2load.parse(output.replace("finished in 1.00s,", f"finished in {finished},"), log)
    assert result["duration_us"] == duration_us and result["rps"] == round(400 / (duration_us / 1e6), 1)


def test_a_run_in_which_no_connection_came_up_is_refused():
    # nghttp2 1.64 counts no error for it: "0 started ... 0 errored".
    with pytest.raises(h2load.NoSummary, match="no connection came up"):
        h2load.parse(*recorded("refused"))


def test_no_summary_is_an_error_that_shows_what_h2load_printed():
    with pytest.raises(h2load.NoSummary, match="invalid URI"):
        h2load.parse("invalid URI: web\n", "")


def test_a_log_that_is_not_the_runs_is_refused():
    output, log = recorded("answered")
    with pytest.raises(h2load.NoSummary, match="log has 200 answered requests, its summary 400"):
        h2load.parse(output, recorded("misdirected")[1])


def test_a_line_that_is_not_h2loads_is_refused():
    output, log = recorded("answered")
    with pytest.raises(h2load.NoSummary, match="not a line of h2load's --log-file: 'h2load: oops'"):
        h2load.parse(output, log + "h2load: oops\n")


@pytest.mark.parametrize("values, p, expected", [
    ([], 50, 0), ([7], 99, 7), ([1, 2, 3, 4], 50, 2), ([1, 2, 3, 4], 90, 4), (list(range(1, 101)), 99, 99),
])
def test_percentiles_are_nearest_rank(values, p, expected):
    assert h2load.percentile(values, p) == expected
