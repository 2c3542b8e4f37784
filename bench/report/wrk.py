"""The one line bench/wrk/report.lua prints at the end of a wrk run:
    BENCH requests=N duration_us=N rps=X p50_us=N ... err_timeout=N"""

FIELDS = ("requests", "duration_us", "rps", "p50_us", "p90_us", "p99_us", "max_us",
          "err_connect", "err_read", "err_write", "err_status", "err_timeout")


class NoBenchLine(ValueError):
    pass


def parse(output):
    """wrk's whole output -> {field: number}; raises NoBenchLine (with the
    output's end) when the line or one of its fields is missing."""
    lines = [line for line in output.splitlines() if line.startswith("BENCH ")]
    if not lines:
        raise NoBenchLine(f"wrk printed no BENCH line; its output ended: {output.strip()[-300:]!r}")
    values = dict(pair.partition("=")[::2] for pair in lines[-1].split()[1:])
    missing = [name for name in FIELDS if name not in values]
    if missing:
        raise NoBenchLine(f"BENCH line lacks {', '.join(missing)}: {lines[-1]!r}")
    return {name: float(values[name]) if name == "rps" else int(values[name]) for name in FIELDS}


def socket_errors(result):
    return result["err_connect"] + result["err_read"] + result["err_write"] + result["err_timeout"]
