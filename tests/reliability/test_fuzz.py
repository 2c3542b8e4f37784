"""Fuzzing the settings parser (rows Z1, Z2 of docs/reliability.md):
tests/fuzz/run compiles each libFuzzer target with AddressSanitizer and
UndefinedBehaviorSanitizer and fuzzes it for PAGEVIEWS_FUZZ_SECONDS (25 s
by default); each target reports one line, which its tests read. Needs no
cluster."""
import os

import pytest

from harness.command import run

TARGETS = ["database_url", "settings"]
SECONDS = int(os.environ.get("PAGEVIEWS_FUZZ_SECONDS", "25"))
# Building the toolchain image, compiling both targets at once, then fuzzing
# each in turn: minutes on a busy machine; the script's own steps are bounded.
WITHIN = 1800 + 2 * SECONDS


@pytest.fixture(scope="module")
def fuzzed(repo, tmp_path_factory):
    """{target: (executions, seconds, result, detail)} from tests/fuzz/run's report."""
    report = tmp_path_factory.mktemp("fuzz") / "report.tsv"
    env = {**os.environ, "FUZZ_SECONDS": str(SECONDS), "FUZZ_TARGETS": " ".join(TARGETS), "FUZZ_REPORT": str(report)}
    done = run("bash", str(repo / "tests/fuzz/run"), check=False, timeout=WITHIN, env=env)
    lines = report.read_text().splitlines() if report.exists() else []
    results = {}
    for line in lines:
        target, runs, took, result, detail = line.split("\t", 4)
        results[target] = (int(runs), int(took), result, detail)
    assert results, f"tests/fuzz/run reported nothing (exit {done.returncode}):\n{done.stdout[-2000:]}{done.stderr}"
    return results, done.stdout


@pytest.mark.timeout(WITHIN + 60)
@pytest.mark.parametrize("number, target", list(enumerate(TARGETS, 1)), ids=TARGETS)
def test_the_target_compiles_with_the_sanitizers(number, target, fuzzed, row):
    row("fuzz", f"Z{number}", f"`{target}` for {SECONDS} s")
    results, log = fuzzed
    assert target in results and results[target][2] not in ("build", "compile"), log[-2000:]


@pytest.mark.timeout(WITHIN + 60)
@pytest.mark.parametrize("number, target", list(enumerate(TARGETS, 1)), ids=TARGETS)
def test_fuzzing_finds_no_crash_leak_undefined_behaviour_or_broken_invariant(number, target, fuzzed, row):
    row("fuzz", f"Z{number}", f"`{target}` for {SECONDS} s")
    results, log = fuzzed
    runs, took, result, detail = results.get(target, (0, 0, "missing", "no report line"))
    row.observe(f"{runs} inputs in {took} s: {detail}")
    assert result == "pass" and runs > 0, f"{result}: {detail}\n{log[-2000:]}"
