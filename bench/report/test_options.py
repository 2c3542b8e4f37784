"""bench/run's options (parsed by bench/measure.py): bad input is refused
with a one-line reason and exit 2, before anything starts."""
import pytest

import measure


@pytest.mark.parametrize("arguments, reason", [
    (["--duration", "ten"], "expected a whole number, got 'ten'"),
    (["--rounds", "0"], "must be at least 1"),
    (["--memory-requests", "-5"], "expected a whole number"),
    (["--settle", "soon"], "expected seconds, got 'soon'"),
    (["--quiet-below", "-1"], "expected seconds"),
    (["--scenarios", "C:64 Z:64"], "bad scenario 'Z:64'"),
    (["--threads", "4", "--scenarios", "C:2"], "at least as many connections as threads"),
    (["--frobnicate"], "unrecognized arguments: --frobnicate"),
], ids=["duration", "rounds", "memory", "settle", "quiet", "scenario", "threads", "unknown"])
def test_bad_options_are_refused_with_their_reason(capsys, arguments, reason):
    with pytest.raises(SystemExit) as exited:
        measure.options(arguments)
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert exited.value.code == 2 and reason in error, error


def test_the_defaults_measure_every_scenario_of_the_docs(tmp_path):
    args = measure.options(["--out", str(tmp_path / "out")])
    assert [f"{k}:{c}" for k, c in args.runs] == "A:64 B:16 B:64 B:256 C:16 C:64 C:256 D:64 E:64 T:64 H:64 N:64".split()
    assert (args.duration, args.rounds, args.warmup, args.memory_requests) == (10, 3, 2, 1000000)
