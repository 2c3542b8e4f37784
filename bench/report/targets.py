"""The targets each run is judged by, met or not from its own numbers. One
function per target; each returns the table's rows ((target, this run,
met)), none when the run did not measure what it needs."""
from report import rounds
from report.summary import find


def _met(condition):
    return "yes" if condition else "**no**"


def _ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "-"


def _percent(before, after):
    return f"{(after - before) * 100 / before:+.1f}%"


def c_versus_b(results):
    c, b = results.rps("C", 64), results.rps("B", 64)
    if c is None or b is None:
        return []
    return [("C >= 0.8 x B at 64 connections", f"C/B = {_ratio(c, b)}", _met(c >= 0.8 * b))]


def c_versus_d(results):
    c, d = results.rps("C", 64), results.rps("D", 64)
    if c is None or d is None:
        return []
    return [("C >= 10 x D", f"C/D = {_ratio(c, d)} (at 64)", _met(c >= 10 * d))]


def c_versus_e(results):
    """Issue 14: the counted page against the assignment's Django app."""
    c, e = results.rps("C", 64), results.rps("E", 64)
    if c is None or e is None:
        return []
    return [("C >= 30 x E at 64 connections (issue 14)", f"C/E = {_ratio(c, e)}", _met(c >= 30 * e))]


def p99_of_c(results):
    c = find(results.summary, "C", 64)
    if c is None:
        return []
    return [("p99 of C <= 20 ms at 64 connections", f"{c['p99_ms']:.2f} ms", _met(c["p99_ms"] <= 20))]


def zero_non2xx(results):
    bad = sum(row["non2xx"] + row["sock_err"] for row in rounds.measured(results.rows))
    return [("zero non-2xx", f"{bad} non-2xx responses or socket errors in all measured runs", _met(bad == 0))]


def exact_counts(results):
    counted = [row for row in rounds.measured(results.rows) if rounds.exactness(row)]
    exact = [row for row in counted if not rounds.failed(row)]
    return [("exact counts", f"{len(exact)} of {len(counted)} counted runs exact", _met(len(exact) == len(counted)))]


def memory(results):
    first, end = results.memory_number("rss_first_kb"), results.memory_number("rss_end_kb")
    views, target = results.memory_number("views_end"), results.memory_target
    if first is None or end is None or views is None or target is None:
        return []
    verdict = _met(0.9 * first <= end <= 1.1 * first)
    if views < target:
        verdict = f"not measured (only {views} views)"
    lines = [(f"RSS after {target:,} views within 10% of RSS after {results.first_target:,}",
              f"{first} kB -> {end} kB after {views} views ({_percent(first, end)})", verdict)]
    if results.curve and views >= 100000:
        half_views, half_kb = min(results.curve, key=lambda point: abs(point[0] - views // 2))
        lines.append(("(a leak would keep growing) RSS over the second half of those views",
                      f"{half_kb} kB after {half_views} -> {end} kB after {views} ({_percent(half_kb, end)})",
                      _met(end <= 1.02 * half_kb)))
    lines.append(("RSS under 50 MB", f"{end / 1024:.1f} MB", _met(end < 50 * 1024)))
    return lines


TARGETS = (c_versus_b, c_versus_d, c_versus_e, p99_of_c, zero_non2xx, exact_counts, memory)


def judged(results):
    return [line for target in TARGETS for line in target(results)]
