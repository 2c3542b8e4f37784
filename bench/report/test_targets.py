import pytest

from report import targets

RSS_10_PERCENT = "RSS after 1,000,000 views within 10% of RSS after 10,000 (issues 5, 14)"
MEMORY = {"rss_start_kb": "16000", "rss_first_kb": "18000", "views_first": "10050", "rss_end_kb": "18500",
          "views_end": "1000063", "memory_target": "1000000"}


def lines_of(results, target):
    return {line[0]: line for line in target(results)}


@pytest.mark.parametrize("b_rps, met", [(10000, "yes"), (10001, "**no**")])
def test_c_against_b_is_met_from_eight_tenths(make_row, make_results, b_rps, met):
    rows = [make_row(requests=80000), make_row(kind="B", requests=b_rps * 10, db_before=None, db_after=None)]
    [line] = targets.c_versus_b(make_results(rows))
    assert line[2] == met and line[1].startswith("C/B = 0.8")


@pytest.mark.parametrize("b_rps, met", [(10000, "yes"), (10001, "**no**")])
def test_c_against_b_for_issue_14_is_met_from_sixty_five_hundredths(make_row, make_results, b_rps, met):
    rows = [make_row(requests=65000), make_row(kind="B", requests=b_rps * 10, db_before=None, db_after=None)]
    [line] = targets.c_versus_b_issue_14(make_results(rows))
    assert line[0] == "C >= 0.65 x B at 64 connections (issue 14)" and line[2] == met


@pytest.mark.parametrize("h_requests, seen, met", [
    (7000, "H/C = 0.70", "yes"), (6990, "H/C = 0.70", "**no**"), (9000, "H/C = 0.90", "yes"),
])
def test_http2_against_plain_http_is_met_from_seven_tenths(make_row, make_results, h_requests, seen, met):
    rows = [make_row(requests=10000), make_row(kind="H", requests=h_requests)]
    [line] = targets.http2_versus_c(make_results(rows))
    assert line == ("C over HTTP/2 >= 0.7 x C over plain HTTP/1.1 at 64 connections (issue 14)", seen, met)


@pytest.mark.parametrize("target, p99_us, label, met", [
    (targets.p99_of_c, 20000, "p99 of C <= 20 ms at 64 connections (issue 5)", "yes"),
    (targets.p99_of_c, 20010, "p99 of C <= 20 ms at 64 connections (issue 5)", "**no**"),
    (targets.p99_of_c_issue_14, 30000, "p99 of C <= 30 ms at 64 connections (issue 14)", "yes"),
    (targets.p99_of_c_issue_14, 30010, "p99 of C <= 30 ms at 64 connections (issue 14)", "**no**"),
])
def test_the_p99_of_c_is_judged_against_each_issues_bound(make_row, make_results, target, p99_us, label, met):
    [line] = target(make_results([make_row(p99_us=p99_us)]))
    assert line == (label, f"{p99_us / 1000:.2f} ms", met)


@pytest.mark.parametrize("target", [targets.p99_of_c, targets.p99_of_c_issue_14])
def test_p99_targets_need_c_at_64_connections(make_row, make_results, target):
    assert target(make_results([make_row(conns=16), make_row(kind="B", db_before=None, db_after=None)])) == []


@pytest.mark.parametrize("e_requests, met", [(1000, "yes"), (1010, "**no**")])
def test_c_against_the_django_reference_is_met_from_thirty_times(make_row, make_results, e_requests, met):
    rows = [make_row(requests=30000), make_row(kind="E", requests=e_requests)]
    [line] = targets.c_versus_e(make_results(rows))
    assert line[0] == "C >= 30 x E at 64 connections (issue 14)" and line[2] == met
    assert line[1] == ("C/E = 30.00" if met == "yes" else "C/E = 29.70")


@pytest.mark.parametrize("target", [targets.c_versus_b, targets.c_versus_b_issue_14, targets.c_versus_d,
                                    targets.c_versus_e, targets.http2_versus_c])
def test_ratio_targets_need_both_scenarios(make_row, make_results, target):
    assert target(make_results([make_row()])) == []


def test_the_http2_target_needs_c(make_row, make_results):
    assert targets.http2_versus_c(make_results([make_row(kind="H")])) == []


def test_every_target_names_the_issue_that_set_it(make_row, make_results):
    rows = [make_row(), *(make_row(kind=kind) for kind in "BDEH")]
    lines = targets.judged(make_results(rows, memory=MEMORY, curve=[(10050, 18000), (1000063, 18500)]))
    unnamed = [line[0] for line in lines if not line[0].startswith("(") and "(issue" not in line[0]]
    assert len(lines) == 12 and unnamed == []


def test_exact_counts_judge_the_memory_runs_and_rounds_but_not_the_warm_up(make_row, make_results):
    rows = [make_row(phase="warmup", db_after=0), make_row(phase="memory"), make_row(db_after=0)]
    [line] = targets.exact_counts(make_results(rows))
    assert line[1:] == ("1 of 2 counted runs exact", "**no**")


def test_zero_non2xx_sums_every_measured_run(make_row, make_results):
    [line] = targets.zero_non2xx(make_results([make_row(non2xx=1), make_row(round_=2, sock_err=2)]))
    assert line[1:] == ("3 non-2xx responses or socket errors in all measured runs", "**no**")


def test_the_memory_target_names_the_requests_option(make_results):
    lines = lines_of(make_results([], memory=MEMORY), targets.memory)
    line = lines[RSS_10_PERCENT]
    assert line[1:] == ("18000 kB -> 18500 kB after 1000063 views (+2.8%)", "yes")


def test_a_smaller_memory_run_is_judged_against_its_own_option(make_results):
    memory = {**MEMORY, "views_end": "2010", "memory_target": "2000", "memory_first_target": "2000"}
    lines = lines_of(make_results([], memory=memory), targets.memory)
    assert lines["RSS after 2,000 views within 10% of RSS after 2,000 (issues 5, 14)"][2] == "yes"


def test_a_memory_run_that_stopped_short_is_not_measured(make_results):
    lines = lines_of(make_results([], memory={**MEMORY, "views_end": "400000"}), targets.memory)
    assert lines[RSS_10_PERCENT][2] == "not measured (only 400000 views)"


@pytest.mark.parametrize("end_kb, met", [("19800", "yes"), ("19801", "**no**"), ("16200", "yes"), ("16199", "**no**")])
def test_rss_must_stay_within_ten_percent(make_results, end_kb, met):
    lines = lines_of(make_results([], memory={**MEMORY, "rss_end_kb": end_kb}), targets.memory)
    assert lines[RSS_10_PERCENT][2] == met


def test_the_second_half_compares_with_the_reading_nearest_half_way(make_results):
    curve = [(10050, 18000), (480000, 18400), (530000, 18450), (1000063, 18500)]
    lines = lines_of(make_results([], memory=MEMORY, curve=curve), targets.memory)
    line = lines["(a leak would keep growing) RSS over the second half of those views"]
    assert line[1:] == ("18400 kB after 480000 -> 18500 kB after 1000063 (+0.5%)", "yes")


def test_no_memory_phase_no_memory_targets(make_results):
    assert targets.memory(make_results([])) == []


def test_rss_under_50_mb(make_results):
    lines = lines_of(make_results([], memory={**MEMORY, "rss_end_kb": str(50 * 1024)}), targets.memory)
    assert lines["RSS under 50 MB (issue 5)"][1:] == ("50.0 MB", "**no**")
