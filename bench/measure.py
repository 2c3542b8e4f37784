"""The pageviews benchmark's measuring: one freshly started cluster, the same
load generator for every scenario (wrk; h2load for HTTP/2), interleaved
rounds. bench/run starts it in the pageviews-bench image (wrk, h2load,
gnuplot, Python, a Docker client) with the Docker socket and the checkout at
its host path; bench/report turns what it writes into the tables and
docs/benchmarks.md.

Scenarios (KIND:CONNECTIONS; bench/report/scenarios.py), all through nginx,
the load generator on the cluster's own networks (never through a published
port):
  A  nginx alone, GET /nginx-health               the front's ceiling
  B  nginx -> app, no database, GET /healthz      the proxy ceiling
  C  the counted page GET /, coalesced counting   the shipped default
  D  the counted page GET /, one UPDATE per view  the baseline (a second
     app + nginx pair with PAGEVIEWS_COUNT_MODE=per-request, bench/compose.yml)
  E  the assignment's Django app, counted GET /   the original (a project of
     its own, bench/reference/django, started only when E runs; its count
     from its own PostgreSQL, no statement count: it has no metrics)
  T  C over HTTPS, HTTP/1.1 with keep-alive       the cost of TLS (port 443)
  H  C over HTTP/2, by h2load: CONNECTIONS connections of one stream each
  N  C over HTTPS with "Connection: close"        a TCP and TLS handshake
     per view (wrk resumes the TLS session: docs/benchmarks.md)
Every round runs each scenario once, in an order rotated from round to
round, so machine noise hits all alike. After every counted run the
database's count must have risen by the load generator's 2xx count plus
0..CONNECTIONS (wrk and h2load drop the replies still in flight when their
time is up); anything else, any non-2xx and any socket error is a failure
and makes the run exit 1.
Memory, before the rounds: the batched app's RSS after its first ~10,000
counted views (fresh process) and after --memory-requests counted views,
both at 64 connections; then once more after the rounds.

Environment: POSTGRES_IMAGE and NGINX_IMAGE as for docker compose (offline
machines: pageviews-standin/postgres:17 and pageviews-standin/nginx:1.30),
PAGEVIEWS_REFERENCE_DJANGO_IMAGE: the tag E's app is built as.
Tuning experiments, applied to both apps (empty = the app's default):
BENCH_APP_THREADS, BENCH_APP_DB_CONNECTIONS, BENCH_APP_BATCH_MAX_SIZE,
BENCH_APP_BATCH_MAX_WAIT_US; BENCH_NGINX_TEMPLATE_DIR replaces
deploy/nginx/templates for both nginx containers.
"""
import argparse
import datetime
import os
import pathlib
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

from clusters import BENCH, ROOT, Cluster, Failed, load1, log, run
from report import render, results, rounds, scenarios, summary

TUNING = ("BENCH_APP_THREADS", "BENCH_APP_DB_CONNECTIONS", "BENCH_APP_BATCH_MAX_SIZE",
          "BENCH_APP_BATCH_MAX_WAIT_US", "BENCH_NGINX_TEMPLATE_DIR")


def whole(text):
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'")
    return int(text)


def seconds(text):
    try:
        value = float(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected seconds, got '{text}'")
    return value


def options(argv):
    parser = argparse.ArgumentParser(
        prog="bench/run", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="The pageviews benchmark; writes docs/benchmarks.md and .png.\n\n"
                    "  bench/run      # full run (about 10 minutes on 2 cores, a million counted views included)\n"
                    "  bench/run --duration 5 --rounds 3 --memory-requests 0 --no-docs",
        epilog=__doc__.split("\n\n", 1)[1])
    add = parser.add_argument
    add("--duration", type=whole, default=10, help="seconds per measured run (10)")
    add("--rounds", type=whole, default=3, help="interleaved rounds, at least 3 for the docs (3)")
    add("--warmup", type=whole, default=2, help="seconds per scenario before round 1, unrecorded (2)")
    add("--threads", type=whole, default=2, help="wrk's and h2load's threads (2)")
    add("--scenarios", default=scenarios.DEFAULT, help=f'e.g. "B:64 C:64" ({scenarios.DEFAULT})')
    add("--memory-requests", type=whole, default=1000000,
        help="count up to N views on the batched app before the rounds, then read its RSS again; "
             "0 skips the memory phase (1000000)")
    add("--memory-timeout", type=whole, default=600, help="longest that may take (600)")
    add("--quiet-below", type=seconds, metavar="CORES",
        help="on a shared machine: before measuring, wait (at most 10 min) until the machine's other work "
             "keeps fewer than CORES cores busy, e.g. 0.3 (no wait)")
    add("--settle", type=seconds, default=1.0, help="pause between runs (1)")
    add("--out", help="raw results, table, chart (bench/out/<UTC time>)")
    add("--no-docs", dest="docs", action="store_false", help="leave docs/benchmarks.md and .png alone")
    add("--image", help="use this existing app image instead of building the checked-out source as pageviews:bench")
    add("--project", default=f"pageviews-bench-{os.environ.get('BENCH_RUN_ID', os.getpid())}",
        help="compose project name (pageviews-bench-<pid>)")
    add("--report", metavar="DIR", help="measure nothing: redo the table, chart and docs from the raw "
                                        "results of an earlier run in DIR")
    args = parser.parse_args(argv)
    if min(args.duration, args.rounds, args.threads) < 1:
        parser.error("--duration, --rounds and --threads must be at least 1")
    try:
        args.runs = scenarios.parse(args.scenarios, args.threads)
    except ValueError as error:
        parser.error(str(error))
    args.out = pathlib.Path(args.report or args.out or
                            BENCH / "out" / datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ"))
    args.out.mkdir(parents=True, exist_ok=True)
    return args


# -- what the run measured on --------------------------------------------------

def app_settings(c):
    """The batched app's effective settings, from its start-up log line;
    failing that, the PAGEVIEWS_* variables it was given."""
    logs = subprocess.run(["docker", "logs", c.container("app")], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True).stdout
    found = re.search(r"pageviews starting: (.*) - server\.cc", logs)
    if found:
        return found.group(1)
    env = run("docker", "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", c.container("app"))
    given = [line for line in env.splitlines() if line.startswith("PAGEVIEWS_") and not line.endswith("=")]
    return f"environment: {' '.join(given)} (others: the app's defaults)"


def record_environment(c, args, argv):
    tools = c.in_tools
    pg = c.db_sql("SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings WHERE name IN "
                  "('synchronous_commit', 'fsync', 'wal_sync_method', 'commit_delay', 'shared_buffers', "
                  "'max_connections')")
    pairs = [
        ("date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        # As typed (bench/run makes output folders absolute for the container).
        ("command", os.environ.get("BENCH_COMMAND") or " ".join(["bench/run", *map(shlex.quote, argv)])),
        ("commit", os.environ.get("BENCH_COMMIT", "unknown")),
        ("cpu", tools("sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'")),
        ("cores", tools("nproc")),
        ("memory", tools("awk", '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}', "/proc/meminfo")),
        ("kernel", tools("uname", "-r")),
        ("docker", run("docker", "version", "--format", "{{.Server.Version}}")),
        ("compose", run("docker", "compose", "version", "--short")),
        ("nginx", run("docker", "exec", c.container("web"), "sh", "-c", "nginx -v 2>&1").removeprefix(
            "nginx version: ") + f" ({c.env['NGINX_IMAGE']})"),
        ("postgres", run("docker", "exec", c.container("db"), "postgres", "--version")
         + f" ({c.env['POSTGRES_IMAGE']})"),
        ("app", run("docker", "exec", c.container("app"), "pageviews", "--version") + f" ({c.image})"),
        ("app settings", app_settings(c)),
        ("wrk", tools("sh", "-c", "wrk -v 2>&1 | head -n 1").split()[1]
         + f", {args.threads} threads, --timeout 10s"),
        *([("h2load", tools("sh", "-c", "h2load --version | head -n 1").split()[-1]
            + f", {args.threads} threads, 1 stream per connection, --connection-inactivity-timeout 10")]
          if any(scenarios.SCENARIOS[kind].tool == "h2load" for kind, _ in args.runs) else []),
        ("gnuplot", run("gnuplot", "--version")),
        ("pg settings", pg),
        ("duration", f"{args.duration} s per run, {args.rounds} rounds, {args.warmup} s warm-up per scenario"),
        ("scenarios", args.scenarios),
    ] + [("tuning", f"{name}={os.environ[name]}") for name in TUNING if os.environ.get(name)]
    if "reference" in c.projects:
        pairs.append(("reference", reference_described(c)))
    append_pairs(c.out / "environment.tsv", pairs, mode="w")


def reference_described(c):
    """What E measured: Django's and gunicorn's versions and gunicorn's
    effective settings, read in the reference's app container."""
    script = ("import django, gunicorn, runpy; s = runpy.run_path('gunicorn.conf.py'); "
              "print(f\"Django {django.get_version()}, gunicorn {gunicorn.__version__}: {s['workers']} \""
              "f\"{s['worker_class']} workers x {s['threads']} threads\")")
    described = run("docker", "exec", c.container("app", "reference"), "python3", "-c", script, check=False)
    image = c.env.get("PAGEVIEWS_REFERENCE_DJANGO_IMAGE") or "pageviews-reference-django:local"
    return f"{described or 'versions unreadable'} ({image}; bench/reference/django)"


def append_pairs(path, pairs, mode="a"):
    with open(path, mode) as file:
        file.writelines(f"{key}\t{value}\n" for key, value in pairs)


def machine_busy_now(c):
    """Busy cores of the whole machine over 5 s, the idle cluster included."""
    before = c.machine_and_daemons_ns()[0]
    time.sleep(5)
    return (c.machine_and_daemons_ns()[0] - before) / 5e9


def wait_for_quiet(c, quiet_below):
    busy, start = machine_busy_now(c), time.monotonic()
    while quiet_below is not None and busy >= quiet_below:
        if time.monotonic() - start >= 600:
            log(f"the machine stayed busy ({busy:.2f} cores); measuring anyway")
            break
        log(f"waiting for a quieter machine: {busy:.2f} cores busy, want < {quiet_below}")
        busy = machine_busy_now(c)
    append_pairs(c.out / "environment.tsv",
                 [("busy before", f"{busy:.2f} cores (whole machine over 5 s, idle cluster included)")])


def check_restarts(c):
    """A restarted app would make the memory numbers meaningless: say so."""
    for container in c.containers.values():
        count, name = run("docker", "inspect", "--format", "{{.RestartCount}} {{.Name}}", container,
                          check=False).split() or ("?", container)
        if count != "0":
            log(f"warning: container {name} restarted {count} time(s) during the run")
            append_pairs(c.out / "environment.tsv", [("restarts", f"{name} restarted {count} time(s) during the run")])


# -- the phases ----------------------------------------------------------------

def count_views(c, target, limit):
    """About target more counted views on the batched app, at 64 connections.
    wrk's -d is wall time even when every thread stopped early, so each wrk
    run is sized to what is still missing at the last rate (at most 30 s),
    and runs repeat until target is reached or limit seconds have passed."""
    start, began, rate = c.app_views, time.monotonic(), 2000
    while (missing := target - (c.app_views - start)) > 0:
        if time.monotonic() - began >= limit:
            log(f"memory: gave up after {limit} s with {c.app_views - start} of {target} views")
            break
        secs = min(missing // rate + 1, 30)
        c.measure("memory", "-", "C", 64, secs, -(-missing // c.args.threads))
        append_pairs(c.out / "memory-curve.tsv", [(c.app_views, c.rss_kb())])
        rate = max(int(c.last["rps"]), 1)


def memory_phase(c, requests, timeout):
    """RSS of a fresh batched app after its first views, then after
    requests views, all at 64 connections (before the rounds, whose 256
    connections would raise the baseline by their buffers alone)."""
    if requests == 0:
        return
    first = min(requests, results.FIRST_VIEWS)
    append_pairs(c.out / "memory.tsv", [("rss_start_kb", c.rss_kb())])
    log(f"memory: about {first} counted views on the fresh batched app")
    count_views(c, first, 120)
    append_pairs(c.out / "memory.tsv", [("rss_first_kb", c.rss_kb()), ("views_first", c.app_views)])
    if requests > c.app_views:
        log(f"memory: about {requests - c.app_views} more, up to {requests} (at most {timeout} s)")
        count_views(c, requests - c.app_views, timeout)
    append_pairs(c.out / "memory.tsv", [("rss_end_kb", c.rss_kb()), ("views_end", c.app_views),
                                        ("memory_target", requests), ("memory_first_target", first)])


def warm_up(c, args):
    if args.warmup:
        log(f"warm-up: {args.warmup} s per scenario, not recorded")
        for kind, conns in args.runs:
            c.measure("warmup", "-", kind, conns, args.warmup)


def interleaved_rounds(c, args):
    for r in range(1, args.rounds + 1):
        log(f"round {r} of {args.rounds} (load average {load1()})")
        # Each round starts one scenario later: no scenario always runs
        # first, or always right after the same neighbour.
        for i in range(len(args.runs)):
            kind, conns = args.runs[(i + r - 1) % len(args.runs)]
            c.measure("round", r, kind, conns, args.duration)
    if (c.out / "memory.tsv").exists():
        append_pairs(c.out / "memory.tsv", [("rss_rounds_kb", c.rss_kb()), ("views_rounds", c.app_views)])


# -- the report ----------------------------------------------------------------

def report(out, write_docs):
    """summary.tsv, report.md, the chart, the table on stdout and, unless
    --no-docs, the generated part of docs/benchmarks.md, its chart and
    README.md's benchmark sentence (the same run's)."""
    found = results.load(out)
    summary.write(found.summary, out / "summary.tsv")
    text = render.report(found)
    (out / "report.md").write_text(text)
    plot = subprocess.run(["gnuplot", "-e", f"summary='{out / 'summary.tsv'}'; output='{out / 'benchmarks.png'}'",
                           str(BENCH / "plot.gp")], capture_output=True, text=True)
    (out / "gnuplot.log").write_text(plot.stderr)
    if plot.returncode != 0:
        raise Failed(f"gnuplot failed:\n{plot.stderr}")
    sys.stdout.write(render.terminal(found))
    if write_docs:
        doc = ROOT / "docs" / "benchmarks.md"
        doc.parent.mkdir(exist_ok=True)
        doc.write_text(render.replace_block(doc.read_text() if doc.exists() else None,
                                            render.docs_block(found, text)))
        shutil.copy(out / "benchmarks.png", ROOT / "docs" / "benchmarks.png")
        readme = ROOT / "README.md"
        try:
            readme.write_text(render.replace_headline(readme.read_text(), found))
        except (OSError, ValueError) as error:
            log(f"warning: README.md's benchmark sentence not updated: {error}")
        else:
            log("updated docs/benchmarks.md, docs/benchmarks.png and README.md's benchmark sentence")


def measure_all(c, args, argv):
    (c.out / "rounds.tsv").write_text(rounds.header())
    for name in ("memory.tsv", "memory-curve.tsv"):
        (c.out / name).unlink(missing_ok=True)
    c.start_cluster()
    record_environment(c, args, argv)
    wait_for_quiet(c, args.quiet_below)
    memory_phase(c, args.memory_requests, args.memory_timeout)
    warm_up(c, args)
    interleaved_rounds(c, args)
    check_restarts(c)


def main(argv):
    args = options(argv)
    if args.report:
        if not (args.out / "rounds.tsv").exists() or not (args.out / "environment.tsv").exists():
            log(f"error: --report {args.out}: no rounds.tsv and environment.tsv there")
            return 2
        report(args.out, args.docs)
        return 0
    c = Cluster(args)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        measure_all(c, args, argv)
    except (Failed, subprocess.TimeoutExpired) as error:
        log(f"error: {error}")
        log("diagnostics: last log lines of each service")
        log(c.logs())
        return 3
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        c.teardown()
    report(args.out, args.docs)
    log(f"raw results, table and chart in {args.out}")
    if c.failures:
        log(f"{c.failures} run(s) failed the exactness or non-2xx check")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
