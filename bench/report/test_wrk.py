import pytest

from report import wrk

LINE = ("BENCH requests=52000 duration_us=10004000 rps=5197.9 p50_us=10460 p90_us=20000 p99_us=42180 "
        "max_us=90000 err_connect=1 err_read=2 err_write=3 err_status=4 err_timeout=5")


def test_the_bench_line_becomes_named_numbers():
    result = wrk.parse(LINE)
    assert result["requests"] == 52000 and result["rps"] == 5197.9 and result["p99_us"] == 42180
    assert result["err_status"] == 4


def test_the_bench_line_is_found_among_wrks_own_output():
    output = "Running 10s test @ http://web/\n  2 threads and 64 connections\n" + LINE + "\n"
    assert wrk.parse(output)["duration_us"] == 10004000


def test_no_bench_line_is_an_error_that_shows_what_wrk_printed():
    with pytest.raises(wrk.NoBenchLine, match="unable to connect"):
        wrk.parse("unable to connect to web:80 Connection refused\n")


def test_a_missing_field_is_an_error_that_names_it():
    with pytest.raises(wrk.NoBenchLine, match="err_timeout"):
        wrk.parse(LINE.replace(" err_timeout=5", ""))


def test_socket_errors_are_connect_read_write_and_timeout_but_not_status():
    assert wrk.socket_errors(wrk.parse(LINE)) == 1 + 2 + 3 + 5
