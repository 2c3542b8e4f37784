"""The report as Markdown (report.md, the generated part of
docs/benchmarks.md) and as the table bench/run prints."""
from report import rounds, targets
from report.scenarios import SCENARIOS
from report.summary import PARTS, find, median, text

BEGIN, END = "<!-- bench/run:begin -->", "<!-- bench/run:end -->"
# README.md's benchmark sentence, the same as docs/benchmarks.md's.
HEADLINE_BEGIN, HEADLINE_END = "<!-- bench/run:headline:begin -->", "<!-- bench/run:headline:end -->"
# Other work on the machine worth a word in the docs: busy cores, median over the rounds.
BUSY_CORES = 0.25


def _exact(entry, markdown):
    if not SCENARIOS[entry["kind"]].counted:
        return "-"
    runs, failed = entry["rounds"], entry["exact_fail"]
    if markdown:
        return f"yes, {runs}/{runs}" if failed == 0 else f"**NO**, {failed} of {runs} failed"
    return "ok" if failed == 0 else "FAIL"


def table(results):
    lines = ["| scenario | conns | req/s (median) | min - max | p50 ms | p99 ms | non-2xx + errors | exact "
             "| views per UPDATE | CPU µs per request: nginx / app / db / load generator / docker "
             "| busy cores: machine (others) |",
             "|---|---:|---:|---:|---:|---:|---:|---|---:|---|---|"]
    for entry in results.summary:
        cells = [SCENARIOS[entry["kind"]].label, str(entry["conns"]), text("rps", entry["rps"]),
                 f"{text('rps_min', entry['rps_min'])} - {text('rps_max', entry['rps_max'])}",
                 text("p50_ms", entry["p50_ms"]), text("p99_ms", entry["p99_ms"]), str(entry["non2xx_or_err"]),
                 _exact(entry, markdown=True), text("views_per_stmt", entry["views_per_stmt"]),
                 " / ".join(text(f"us_{part}", entry[f"us_{part}"]) for part in PARTS),
                 f"{text('cores_machine', entry['cores_machine'])} ({text('cores_other', entry['cores_other'])})"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def ratios(results):
    """C over each scenario compared with it and each scenario that changes
    C over C, at each of C's connection counts; nginx's share of the proxy
    path (B/A) at 64."""
    parts = []
    for entry in results.summary:
        if entry["kind"] != "C":
            continue
        for kind, scenario in SCENARIOS.items():
            other = results.rps(kind, entry["conns"])
            if scenario.versus_c and other:
                parts.append(f"C/{kind} at {entry['conns']}: **{entry['rps'] / other:.2f}**")
        for kind, scenario in SCENARIOS.items():
            other = results.rps(kind, entry["conns"])
            if scenario.of_c and other is not None and entry["rps"]:
                parts.append(f"{kind}/C at {entry['conns']}: **{other / entry['rps']:.2f}**")
    b, a = results.rps("B", 64), results.rps("A", 64)
    if b is not None and a:
        parts.append(f"B/A at 64: {b / a:.2f}")
    return f"Ratios of medians: {'; '.join(parts)}." if parts else ""


def memory(results):
    if not results.memory:
        return ""
    m = results.memory.get
    lines = [f"App memory (VmRSS of the batched app, 64 connections): {m('rss_start_kb', '?')} kB at start, "
             f"{m('rss_first_kb', '?')} kB after its first {m('views_first', '?')} counted views, "
             f"{m('rss_end_kb', '?')} kB after {m('views_end', '?')}; "
             f"{m('rss_rounds_kb', '?')} kB after the rounds, {m('views_rounds', '?')} views in all."]
    if results.curve:
        lines.append("RSS along the way (views: kB): "
                     + ", ".join(f"{views}: {kb}" for views, kb in results.curve) + ".")
    return "\n\n".join(lines)


def targets_table(results):
    lines = ["| target | this run | met |", "|---|---|---|"]
    lines += [f"| {target} | {seen} | {met} |" for target, seen, met in targets.judged(results)]
    return "\n".join(lines)


def report(results):
    """report.md: the table, the ratios, memory, the targets."""
    blocks = [table(results), ratios(results), memory(results), targets_table(results)]
    return "\n\n".join(block for block in blocks if block) + "\n"


def _listed(items):
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def headline(results):
    """The run in one sentence, for README.md and docs/benchmarks.md: C at
    64 connections against each scenario compared with it, then each
    scenario that changes C as a share of C."""
    c = find(results.summary, "C", 64)
    date = results.environment_value("date") or "on an unrecorded date"
    if c is None:
        return f"The last run ({date}) did not measure C at 64 connections."
    counted = [row for row in rounds.measured(results.rows) if rounds.exactness(row)]
    failed = sum(1 for row in counted if rounds.failed(row))
    exact = "every counted run exact" if not failed else f"**{failed} of {len(counted)} counted runs failed**"
    compared = [(kind, scenario.versus_c, results.rps(kind, 64)) for kind, scenario in SCENARIOS.items()
                if scenario.versus_c and results.rps(kind, 64)]
    others = [f"{rps:,.0f}/s for {words} (C/{kind} {c['rps'] / rps:.2f})" for kind, words, rps in compared]
    changed = [(kind, scenario.of_c, results.rps(kind, 64)) for kind, scenario in SCENARIOS.items()
               if scenario.of_c and results.rps(kind, 64) is not None]
    shares = [f"{rps:,.0f}/s {words} ({kind}/C {rps / c['rps']:.2f})" for kind, words, rps in changed if c["rps"]]
    cores = results.environment_value("cores") or "?"
    sentence = (f"Measured {date} on {cores} cores that everything shares, the load generator included: "
                f"{c['rps']:,.0f} counted views/s at 64 connections (p99 {c['p99_ms']:.0f} ms), {exact}")
    sentence += f", against {_listed(others)}" if others else ""
    return sentence + (f"; the same page at {_listed(shares)}." if shares else ".")


def busy_note(results):
    """A word on other work on the machine, when there was enough to lower
    the rates; empty on a quiet machine."""
    measured = [row for row in results.rows if row["phase"] == "round"]
    others = median(row["cpu_machine"] - sum(row[f"cpu_{part}"] for part in PARTS) for row in measured)
    if not measured or others < BUSY_CORES:
        return ""
    load = max(float(row["load1"]) for row in measured)
    return (f"**A shared machine**: other work kept {others:.2f} cores busy during the runs (median; load "
            f"average up to {load:.1f}), so the rates are lower than a quiet machine would give: compare them "
            "within this run only (docs/benchmarks.md, Measuring on a shared machine).")


def docs_block(results, report_text):
    """The generated part of docs/benchmarks.md, its markers included."""
    environment = "\n".join(f"| {key} | {value} |" for key, value in results.environment
                            if key not in ("date", "command"))
    note = busy_note(results)
    return (f"{BEGIN}\n<!-- Generated by bench/run: edit outside these markers only. -->\n\n"
            f"{headline(results)}\n\n" + (f"{note}\n\n" if note else "") +
            f"Run as `{results.environment_value('command')}`.\n\n"
            f"| | |\n|---|---|\n{environment}\n\n"
            "![requests per second and p99 latency per scenario](benchmarks.png)\n\n"
            f"{report_text}\n{END}\n")


def _between(document, block, begin, end):
    """document with the lines from begin to end (markers on lines of their
    own) replaced by block; None if it lacks them."""
    lines = document.splitlines(keepends=True)
    stripped = [line.rstrip("\n") for line in lines]
    if begin not in stripped or end not in stripped[stripped.index(begin):]:
        return None
    start = stripped.index(begin)
    return "".join(lines[:start]) + block + "".join(lines[stripped.index(end, start) + 1:])


def replace_block(document, block):
    """document with its generated part replaced by block; text outside the
    markers stays. A document without both markers becomes a new page."""
    replaced = _between(document, block, BEGIN, END) if document is not None else None
    return replaced if replaced is not None else f"# Benchmarks\n\n{block}"


def replace_headline(readme, results):
    """README.md with its benchmark sentence from results; ValueError if it
    lacks the markers (a README is never made up)."""
    replaced = _between(readme, f"{HEADLINE_BEGIN}\n{headline(results)}\n{HEADLINE_END}\n",
                        HEADLINE_BEGIN, HEADLINE_END)
    if replaced is None:
        raise ValueError(f"README.md has no lines {HEADLINE_BEGIN} and {HEADLINE_END}")
    return replaced


def terminal(results):
    """The table bench/run prints, then the ratios, memory and targets."""
    head = (f"{'scenario':<32} {'conns':>5} {'req/s':>9} {'min-max':>13} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'non-2xx':>7} {'exact':>5} {'v/upd':>6}  {'CPU us/req nginx/app/db/load gen/docker':<39} "
            "busy cores (others)")
    lines = ["", head]
    for entry in results.summary:
        lines.append(
            f"{SCENARIOS[entry['kind']].label:<32} {entry['conns']:>5} {text('rps', entry['rps']):>9} "
            f"{text('rps_min', entry['rps_min']) + '-' + text('rps_max', entry['rps_max']):>13} "
            f"{text('p50_ms', entry['p50_ms']):>7} {text('p99_ms', entry['p99_ms']):>7} "
            f"{entry['non2xx_or_err']:>7} {_exact(entry, markdown=False):>5} "
            f"{text('views_per_stmt', entry['views_per_stmt']):>6}  "
            f"{'/'.join(text(f'us_{part}', entry[f'us_{part}']) for part in PARTS):<39} "
            f"{text('cores_machine', entry['cores_machine'])} ({text('cores_other', entry['cores_other'])})")
    # Ratios and memory as one paragraph: a terminal has no room to spare.
    notes = "\n".join(line for block in (ratios(results), memory(results)) for line in block.split("\n\n") if line)
    for block in (notes, targets_table(results)):
        if block:
            lines += ["", block]
    return "\n".join(lines) + "\n"
