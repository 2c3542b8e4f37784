"""The benchmark cannot rot: bench/run, as a user runs it, does one short
round of every scenario on a cluster of its own. Its speed is NOT judged
(machines are noisy); its counts are: every counted run must be exact, the
database's growth checked against the load generator's own 2xx count (wrk's,
or h2load's for HTTP/2)."""
import hashlib
import os
import shutil

import pytest

from harness.command import output, run
from report import rounds
from report.scenarios import PROJECTS, SCENARIOS

PROJECT = os.environ.get("PAGEVIEWS_BENCH_SMOKE_PROJECT", "pageviews-benchsmoke")
CONNECTIONS = 16
RUNS = [(kind, CONNECTIONS) for kind in SCENARIOS]
MEMORY_REQUESTS = 2000


def docs_digest(repo):
    digest = hashlib.sha256()
    for name in ("docs/benchmarks.md", "docs/benchmarks.png", "README.md"):
        path = repo / name
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()


class BenchRun:
    def __init__(self, done, out, docs_before, docs_after):
        self.returncode, self.stdout, self.stderr, self.out = done.returncode, done.stdout, done.stderr, out
        self.docs_before, self.docs_after = docs_before, docs_after

    @property
    def rows(self):
        return rounds.read(self.out / "rounds.tsv")

    def counted_rows(self):
        return [row for row in self.rows if rounds.exactness(row)]


@pytest.fixture(scope="module")
def bench(repo, images):
    # Under the checkout: bench/run's container sees it at the same path.
    out = repo / "bench" / "out" / f"smoke-{PROJECT}"
    shutil.rmtree(out, ignore_errors=True)
    arguments = ["--duration", "2", "--rounds", "1", "--warmup", "0", "--settle", "0.2",
                 "--memory-requests", str(MEMORY_REQUESTS), "--scenarios", " ".join(f"{k}:{c}" for k, c in RUNS),
                 "--no-docs", "--out", str(out), "--project", PROJECT]
    if run("docker", "image", "inspect", images["app"], check=False).returncode == 0:
        arguments += ["--image", images["app"]]
    docs_before = docs_digest(repo)
    done = run("bash", str(repo / "bench" / "run"), *arguments, check=False, timeout=840)
    print(done.stderr)
    yield BenchRun(done, out, docs_before, docs_digest(repo))
    shutil.rmtree(out, ignore_errors=True)


def test_bench_run_exits_0(bench):
    assert bench.returncode == 0, f"exit {bench.returncode}; its log ended:\n{bench.stderr[-3000:]}"


def test_the_raw_results_are_written(bench):
    assert (bench.out / "rounds.tsv").stat().st_size > len(rounds.header())


@pytest.mark.parametrize("kind, conns", RUNS, ids=[f"{k}:{c}" for k, c in RUNS])
def test_every_scenario_ran_once_with_requests_answered(bench, kind, conns):
    runs = [row for row in bench.rows if row["phase"] == "round" and (row["kind"], row["conns"]) == (kind, conns)]
    assert [row["requests"] > 0 for row in runs] == [True], runs


def test_the_memory_phase_and_every_counted_scenario_were_counted(bench):
    counted = {(row["phase"], row["kind"]) for row in bench.counted_rows()}
    expected = {("memory", "C")} | {("round", kind) for kind, _ in RUNS if SCENARIOS[kind].counted}
    assert counted == expected


def test_every_counted_run_is_exact_by_the_databases_count_and_the_load_generators_2xx(bench):
    # Two readings of the database's count around the run against what the
    # load generator itself reported: up to one view per connection more
    # (replies it abandoned when its time was up), never fewer.
    wrong = []
    for row in bench.counted_rows():
        growth, answered = row["db_after"] - row["db_before"], row["requests"] - row["non2xx"]
        if not 0 <= growth - answered <= row["conns"]:
            wrong.append(f"{row['phase']} {row['kind']}:{row['conns']}: count grew by {growth}, "
                         f"the load generator saw {answered} 2xx")
    assert bench.counted_rows() and not wrong, wrong


def test_every_counted_run_read_the_apps_statement_count_from_its_metrics_port(bench):
    # The Django reference has no metrics port (SCENARIOS: metrics=False).
    unread = [row for row in bench.counted_rows()
              if SCENARIOS[row["kind"]].metrics and not isinstance(row["statements"], int)]
    assert [row for row in bench.counted_rows() if SCENARIOS[row["kind"]].metrics] and unread == []


def test_a_scenario_without_metrics_has_no_statement_count(bench):
    rows = [row for row in bench.counted_rows() if not SCENARIOS[row["kind"]].metrics]
    assert rows and [row["statements"] for row in rows] == [None] * len(rows), rows


def test_no_non2xx_responses_or_socket_errors(bench):
    assert bench.rows and [row for row in bench.rows if row["non2xx"] or row["sock_err"]] == []


def test_the_summary_has_one_median_line_per_scenario(bench):
    lines = (bench.out / "summary.tsv").read_text().splitlines()
    kinds = [line.split("\t")[0] for line in lines[1:]]
    assert kinds == [kind for kind, _ in RUNS]


def test_the_table_is_printed(bench):
    assert any(line.startswith("scenario") and "req/s" in line and "p99 ms" in line
               for line in bench.stdout.splitlines()), bench.stdout


def test_the_ratios_of_c_are_printed(bench):
    expected = [f"C/{kind} at {CONNECTIONS}: " for kind, scenario in SCENARIOS.items() if scenario.versus_c]
    expected += [f"{kind}/C at {CONNECTIONS}: " for kind, scenario in SCENARIOS.items() if scenario.of_c]
    assert expected and [ratio for ratio in expected if ratio not in bench.stdout] == [], bench.stdout


def test_the_targets_table_is_printed(bench):
    assert "| target | this run | met |" in bench.stdout, bench.stdout


def test_memory_is_read_before_and_after_the_counted_views(bench):
    memory = dict(line.split("\t") for line in (bench.out / "memory.tsv").read_text().splitlines())
    assert memory["rss_start_kb"].isdigit() and memory["rss_first_kb"].isdigit(), memory
    assert int(memory["views_first"]) >= MEMORY_REQUESTS, memory


def test_the_memory_target_is_judged_for_the_requests_asked_for(bench):
    line = next((line for line in bench.stdout.splitlines() if line.startswith("| RSS after ")), "")
    assert line.startswith(f"| RSS after {MEMORY_REQUESTS:,} views within 10%") and "not measured" not in line, line


def test_the_chart_is_a_png(bench):
    assert (bench.out / "benchmarks.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_environment_records_the_apps_settings(bench):
    environment = (bench.out / "environment.tsv").read_text()
    assert any(line.startswith("app settings\t") and "count_mode=batched" in line
               for line in environment.splitlines()), environment


def test_the_environment_records_each_load_generator(bench):
    names = {line.split("\t")[0] for line in (bench.out / "environment.tsv").read_text().splitlines()}
    tools = {scenario.tool for scenario in SCENARIOS.values()}
    assert tools == {"wrk", "h2load"} and tools <= names, names


def test_the_docs_are_left_alone_with_no_docs(bench):
    assert bench.docs_after == bench.docs_before


@pytest.mark.parametrize("label", [f"com.docker.compose.project={PROJECT}{project.suffix}"
                                   for project in PROJECTS.values()] + [f"pageviews.bench={PROJECT}"],
                         ids=[*PROJECTS, "load generator"])
def test_nothing_of_the_run_is_left(bench, label):
    assert output("docker", "ps", "--all", "--quiet", "--filter", f"label={label}") == ""
