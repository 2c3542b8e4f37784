"""h2load's results (Debian's nghttp2-client, scenario H: HTTP/2) in the
fields wrk.parse returns, so that rounds.tsv, the exactness check and the
report take them unchanged.

h2load prints counts but no percentiles; its --log-file has a line per
request finished during the measured duration: the start (µs since the
epoch), the status (-1: the stream failed) and the latency in µs. Run with
-D (a duration) and no warm-up, h2load counts every request it sends but
those still in flight when its time is up, as wrk does.

How its counts map (nghttp2's src/h2load.cc): "succeeded" are answers with
a status below 400; "failed" adds answers of 400 and more and every
"errored" request; "errored" are streams that failed, connections that
broke or never came up, and the "timeout" ones (no data for
--connection-inactivity-timeout). So the answers are succeeded + failed -
errored, of which failed - errored have a status >= 400 (wrk's
err_status), and errored - timeout are socket errors. h2load does not tell
a failed connect from a failed read: all of them go to err_read. In
duration mode it counts no error for a connection that never came up
(nghttp2 1.64): a run in which none did is refused here, and one in which
some did shows only in a lower rate."""
import re

FINISHED = re.compile(r"^finished in ([\d.]+)(s|ms|us), ", re.M)
REQUESTS = re.compile(r"^requests: \d+ total, (?P<started>\d+) started, \d+ done, (?P<succeeded>\d+) succeeded, "
                      r"(?P<failed>\d+) failed, (?P<errored>\d+) errored, (?P<timeout>\d+) timeout$", re.M)
MICROSECONDS = {"s": 1_000_000, "ms": 1000, "us": 1}


class NoSummary(ValueError):
    pass


def percentile(ordered, p):
    """The nearest-rank percentile (p a whole number) of ordered values; 0
    for none. wrk's own picks the same or the next rank."""
    if not ordered:
        return 0
    return ordered[max(-(-p * len(ordered) // 100), 1) - 1]


def answered_latencies(log):
    """The latencies (µs) of the requests the log says were answered, in
    order; NoSummary names a line that is not h2load's."""
    latencies = []
    for line in log.splitlines():
        fields = line.split("\t")
        if len(fields) != 3 or not all(re.fullmatch(r"-?\d+", field) for field in fields):
            raise NoSummary(f"not a line of h2load's --log-file: {line!r}")
        if fields[1] != "-1":
            latencies.append(int(fields[2]))
    return sorted(latencies)


def parse(output, log):
    """h2load's stdout and its --log-file -> {field: number} of wrk.FIELDS;
    NoSummary (with the output's end) when a count is missing or the log
    does not hold the answers the counts say."""
    finished, requests = FINISHED.search(output), REQUESTS.search(output)
    if not finished or not requests:
        raise NoSummary(f"h2load printed no summary; its output ended: {output.strip()[-300:]!r}")
    counts = {name: int(value) for name, value in requests.groupdict().items()}
    if counts["started"] == 0:
        raise NoSummary("h2load sent no request: no connection came up")
    answered = counts["succeeded"] + counts["failed"] - counts["errored"]
    latencies = answered_latencies(log)
    if len(latencies) != answered:
        raise NoSummary(f"h2load's log has {len(latencies)} answered requests, its summary {answered}")
    duration_us = round(float(finished.group(1)) * MICROSECONDS[finished.group(2)])
    return {
        "requests": answered, "duration_us": duration_us,
        "rps": round(answered / (duration_us / 1e6), 1) if duration_us else 0.0,
        "p50_us": percentile(latencies, 50), "p90_us": percentile(latencies, 90),
        "p99_us": percentile(latencies, 99), "max_us": latencies[-1] if latencies else 0,
        "err_connect": 0, "err_read": counts["errored"] - counts["timeout"], "err_write": 0,
        "err_status": counts["failed"] - counts["errored"], "err_timeout": counts["timeout"],
    }
