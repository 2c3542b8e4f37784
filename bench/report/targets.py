"""The targets each run is judged by, met or not from its own numbers, each
named with the issue that set it (issue 5: the benchmark; issue 14: the
comparison with the original and HTTPS). One function per target; each
returns the table's rows ((target, this run, met)), none when the run did
not measure what it needs."""
from report import rounds
from report.summary import find


def _met(condition):
    return "yes" if condition else "**no**"


def _ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "-"


def _percent(before, after):
    return f"{(after - before) * 100 / before:+.1f}%"


def _ratio_at_least(results, top, bottom, factor, target, note=""):
    """top's rate >= factor x bottom's, both at 64 connections."""
    x, y = results.rps(top, 64), results.rps(bottom, 64)
    if x is None or y is None:
        return []
    return [(target, f"{top}/{bottom} = {_ratio(x, y)}{note}", _met(x >= factor * y))]


def c_versus_b(results):
    """Counting costs at most a fifth of the proxy's own throughput."""
    return _ratio_at_least(results, "C", "B", 0.8, "C >= 0.8 x B at 64 connections (issue 5)")


def c_versus_b_issue_14(results):
    """Issue 14's nearer goal for the same ratio."""
    return _ratio_at_least(results, "C", "B", 0.65, "C >= 0.65 x B at 64 connections (issue 14)")


def c_versus_d(results):
    return _ratio_at_least(results, "C", "D", 10, "C >= 10 x D (issue 5)", note=" (at 64)")


def c_versus_e(results):
    """The counted page against the assignment's Django app."""
    return _ratio_at_least(results, "C", "E", 30, "C >= 30 x E at 64 connections (issue 14)")


def http2_versus_c(results):
    """The counted page over HTTP/2 (H) against plain HTTP/1.1 (C)."""
    return _ratio_at_least(results, "H", "C", 0.7,
                           "C over HTTP/2 >= 0.7 x C over plain HTTP/1.1 at 64 connections (issue 14)")


def _p99_of_c_at_most(results, ms, issue):
    c = find(results.summary, "C", 64)
    if c is None:
        return []
    return [(f"p99 of C <= {ms} ms at 64 connections ({issue})", f"{c['p99_ms']:.2f} ms", _met(c["p99_ms"] <= ms))]


def p99_of_c(results):
    return _p99_of_c_at_most(results, 20, "issue 5")


def p99_of_c_issue_14(results):
    return _p99_of_c_at_most(results, 30, "issue 14")


def zero_non2xx(results):
    bad = sum(row["non2xx"] + row["sock_err"] for row in rounds.measured(results.rows))
    return [("zero non-2xx (issue 5)", f"{bad} non-2xx responses or socket errors in all measured runs",
             _met(bad == 0))]


def exact_counts(results):
    counted = [row for row in rounds.measured(results.rows) if rounds.exactness(row)]
    exact = [row for row in counted if not rounds.failed(row)]
    return [("exact counts (issues 5, 14)", f"{len(exact)} of {len(counted)} counted runs exact",
             _met(len(exact) == len(counted)))]


def memory(results):
    first, end = results.memory_number("rss_first_kb"), results.memory_number("rss_end_kb")
    views, target = results.memory_number("views_end"), results.memory_target
    if first is None or end is None or views is None or target is None:
        return []
    verdict = _met(0.9 * first <= end <= 1.1 * first)
    if views < target:
        verdict = f"not measured (only {views} views)"
    lines = [(f"RSS after {target:,} views within 10% of RSS after {results.first_target:,} (issues 5, 14)",
              f"{first} kB -> {end} kB after {views} views ({_percent(first, end)})", verdict)]
    if results.curve and views >= 100000:
        half_views, half_kb = min(results.curve, key=lambda point: abs(point[0] - views // 2))
        lines.append(("(a leak would keep growing) RSS over the second half of those views",
                      f"{half_kb} kB after {half_views} -> {end} kB after {views} ({_percent(half_kb, end)})",
                      _met(end <= 1.02 * half_kb)))
    lines.append(("RSS under 50 MB (issue 5)", f"{end / 1024:.1f} MB", _met(end < 50 * 1024)))
    return lines


TARGETS = (c_versus_b, c_versus_b_issue_14, c_versus_d, c_versus_e, http2_versus_c, p99_of_c, p99_of_c_issue_14,
           zero_non2xx, exact_counts, memory)


def judged(results):
    return [line for target in TARGETS for line in target(results)]
