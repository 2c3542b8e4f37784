"""The benchmark's report: parsing wrk's BENCH line, the raw rows of each
run, medians, the tables, the targets and the generated part of
docs/benchmarks.md. Pure Python (no Docker): bench/measure.py feeds it, and
its unit tests (tests/run report) run anywhere."""
