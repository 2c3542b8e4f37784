import pathlib

import pytest

from report import render

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "benchmarks.md"
UNCOUNTED = {"db_before": None, "db_after": None, "statements": None}


def rows(make_row):
    return [make_row(kind="A", requests=300000, **UNCOUNTED), make_row(kind="B", requests=100000, **UNCOUNTED),
            make_row(kind="C", requests=50000), make_row(kind="D", requests=20000), make_row(kind="E", requests=1000)]


def https_rows(make_row):
    return [make_row(kind="T", requests=40000), make_row(kind="H", requests=35000), make_row(kind="N", requests=5000)]


def test_a_counted_scenario_says_how_many_runs_were_exact(make_row, make_results):
    table = render.table(make_results([make_row(round_=1), make_row(round_=2)]))
    assert "| C counted /, batched | 64 | 1000 | 1000 - 1000 | 2.00 | 9.00 | 0 | yes, 2/2 | 5.0 |" in table


def test_an_inexact_scenario_is_marked_in_bold(make_row, make_results):
    table = render.table(make_results([make_row(round_=1), make_row(round_=2, db_after=0)]))
    assert "| **NO**, 1 of 2 failed |" in table


def test_an_uncounted_scenario_has_no_exactness(make_row, make_results):
    table = render.table(make_results([make_row(kind="B", **UNCOUNTED)]))
    assert "| B nginx -> app (/healthz) | 64 | 1000 | 1000 - 1000 | 2.00 | 9.00 | 0 | - | - |" in table


def test_ratios_put_c_over_each_scenario_it_is_compared_with(make_row, make_results):
    line = render.ratios(make_results(rows(make_row)))
    assert line == "Ratios of medians: C/B at 64: **0.50**; C/D at 64: **2.50**; C/E at 64: **50.00**; B/A at 64: 0.33."


def test_ratios_put_each_scenario_that_changes_c_over_c(make_row, make_results):
    line = render.ratios(make_results([make_row(kind="C", requests=50000), *https_rows(make_row)]))
    assert line == "Ratios of medians: T/C at 64: **0.80**; H/C at 64: **0.70**; N/C at 64: **0.10**."


def test_ratios_leave_out_what_did_not_run(make_row, make_results):
    assert render.ratios(make_results([make_row()])) == ""


def test_the_report_has_the_table_ratios_memory_and_targets_in_that_order(make_row, make_results):
    memory = {"rss_start_kb": "1", "rss_first_kb": "2", "views_first": "3", "rss_end_kb": "2", "views_end": "5",
              "memory_target": "5", "rss_rounds_kb": "6", "views_rounds": "7"}
    text = render.report(make_results(rows(make_row), memory=memory, curve=[(3, 2), (5, 2)]))
    starts = [text.index(part) for part in ("| scenario |", "Ratios of medians", "App memory", "RSS along the way",
                                            "| target |")]
    assert starts == sorted(starts)
    assert ("App memory (VmRSS of the batched app, 64 connections): 1 kB at start, 2 kB after its first 3 counted "
            "views, 2 kB after 5; 6 kB after the rounds, 7 views in all.") in text
    assert "RSS along the way (views: kB): 3: 2, 5: 2." in text


def test_the_committed_page_has_the_tables_render_writes(make_row, make_results):
    # The generated part of docs/benchmarks.md was written by this code (or
    # by bench/run before it): its table headers must be the same.
    docs = DOCS.read_text()
    report = render.report(make_results(rows(make_row), memory={"rss_first_kb": "1", "rss_end_kb": "1",
                                                                "views_end": "1", "memory_target": "1"}))
    for header in [line for line in report.splitlines() if line.startswith("| scenario") or
                   line.startswith("| target")]:
        assert header in docs


def test_the_docs_block_says_when_and_how_it_was_measured(make_row, make_results):
    environment = [("date", "2026-12-01 09:00 UTC"), ("command", "bench/run --rounds 3"), ("cores", "2")]
    results = make_results([make_row()], environment=environment)
    block = render.docs_block(results, "REPORT\n")
    assert block.startswith(render.BEGIN + "\n") and block.endswith("REPORT\n\n" + render.END + "\n")
    assert f"\n\n{render.headline(results)}\n\nRun as `bench/run --rounds 3`.\n\n" in block
    assert "| | |\n|---|---|\n| cores | 2 |\n\n" in block


ENVIRONMENT = [("date", "2026-12-01 09:00 UTC"), ("cores", "2")]


def test_the_headline_states_c_and_each_ratio_a_reader_asks_for(make_row, make_results):
    line = render.headline(make_results(rows(make_row), environment=ENVIRONMENT))
    assert line == ("Measured 2026-12-01 09:00 UTC on 2 cores that everything shares, the load generator included: "
                    "5,000 counted views/s at 64 connections (p99 9 ms), every counted run exact, against 10,000/s "
                    "for nginx and the app without the database (C/B 0.50), 2,000/s for one `UPDATE` per view "
                    "(C/D 2.50) and 100/s for the assignment's Django app behind the same nginx (C/E 50.00).")


def test_the_headline_states_https_and_http2_as_shares_of_c(make_row, make_results):
    line = render.headline(make_results(rows(make_row) + https_rows(make_row), environment=ENVIRONMENT))
    assert line.endswith("(C/E 50.00); the same page at 4,000/s over HTTPS with keep-alive (T/C 0.80), 3,500/s "
                         "over HTTP/2 (H/C 0.70) and 500/s over HTTPS with a new TLS connection per view (N/C 0.10).")


def test_the_headline_states_https_without_the_plain_comparisons(make_row, make_results):
    line = render.headline(make_results([make_row(kind="C", requests=50000), make_row(kind="H", requests=35000)],
                                        environment=ENVIRONMENT))
    assert line.endswith("every counted run exact; the same page at 3,500/s over HTTP/2 (H/C 0.70).")


def test_the_headline_leaves_out_what_did_not_run(make_row, make_results):
    line = render.headline(make_results([make_row(kind="C", requests=50000), make_row(kind="E", requests=1000)],
                                        environment=ENVIRONMENT))
    assert line.endswith("every counted run exact, against 100/s for the assignment's Django app behind the same "
                         "nginx (C/E 50.00).") and "C/B" not in line


def test_the_headline_says_how_many_counted_runs_failed(make_row, make_results):
    results = make_results([make_row(), make_row(kind="E", db_after=0), make_row(phase="memory", non2xx=1)])
    assert "**2 of 3 counted runs failed**" in render.headline(results)


def test_a_run_without_c_at_64_says_so(make_row, make_results):
    results = make_results([make_row(conns=16)], environment=ENVIRONMENT)
    assert render.headline(results) == "The last run (2026-12-01 09:00 UTC) did not measure C at 64 connections."


@pytest.mark.parametrize("machine, noted", [(1.76, True), (1.74, False)])
def test_other_work_on_the_machine_is_noted_from_a_quarter_core(make_row, make_results, machine, noted):
    # make_row's measured parts add up to 1.5 cores: 0.26 or 0.24 are others'.
    results = make_results([make_row(cpu_machine=machine, load1=4.5), make_row(round_=2, cpu_machine=machine)])
    note = render.busy_note(results)
    assert bool(note) == noted and render.docs_block(results, "").count("**A shared machine**") == noted
    if noted:
        assert "kept 0.26 cores busy during the runs (median; load average up to 4.5)" in note


def test_the_readme_sentence_is_replaced_between_its_markers_only(make_row, make_results):
    results = make_results(rows(make_row), environment=ENVIRONMENT)
    readme = f"intro\n{render.HEADLINE_BEGIN}\nold numbers\n{render.HEADLINE_END}\nafterwards\n"
    expected = f"intro\n{render.HEADLINE_BEGIN}\n{render.headline(results)}\n{render.HEADLINE_END}\nafterwards\n"
    assert render.replace_headline(readme, results) == expected


def test_a_readme_without_the_markers_is_refused(make_row, make_results):
    with pytest.raises(ValueError, match="README.md has no lines <!-- bench/run:headline:begin -->"):
        render.replace_headline("# pageviews\n", make_results([make_row()]))


def test_the_readme_states_the_same_run_as_the_docs():
    # bench/run writes both from one run: the README's sentence is the docs'.
    readme = (ROOT / "README.md").read_text().splitlines()
    sentence = readme[readme.index(render.HEADLINE_BEGIN) + 1:readme.index(render.HEADLINE_END)]
    assert len(sentence) == 1 and sentence[0].startswith("Measured ") and sentence[0] in DOCS.read_text().splitlines()


def test_the_block_replaces_only_what_lies_between_the_markers():
    page = f"# Benchmarks\nintro\n{render.BEGIN}\nold\n{render.END}\nafterwards\n"
    block = f"{render.BEGIN}\nnew\n{render.END}\n"
    assert render.replace_block(page, block) == f"# Benchmarks\nintro\n{block}afterwards\n"
    assert render.replace_block(render.replace_block(page, block), block) == render.replace_block(page, block)


def test_a_page_without_markers_becomes_a_new_page():
    assert render.replace_block(None, "BLOCK\n") == "# Benchmarks\n\nBLOCK\n"


def test_the_terminal_table_has_a_line_per_scenario_then_the_ratios(make_row, make_results):
    text = render.terminal(make_results(rows(make_row)))
    lines = text.splitlines()
    assert lines[1].startswith("scenario") and "req/s" in lines[1] and "p99 ms" in lines[1]
    assert [line.split()[0] for line in lines[2:7]] == ["A", "B", "C", "D", "E"]
    assert "C/B at 64: **0.50**" in text and "| target | this run | met |" in text
