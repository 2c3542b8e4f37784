"""The verdicts computed from request records: pure functions, unit-tested
in test_verdict.py without Docker.

Outcome classes (the app's contract): 200 with a number is acknowledged; a
503, or a connection never made, is certainly not counted; any other
failure (504, a reset, a timeout) may or may not have counted.
"""
from collections import Counter
from dataclasses import dataclass, field


def outcome(record):
    if record.number is not None:
        return "acknowledged"
    if record.status == 503 or record.refused:
        return "not counted"
    return "unknown"


@dataclass
class LoadStats:
    total: int = 0
    acknowledged: int = 0
    not_counted: int = 0
    unknown: int = 0
    distinct: int = 0
    lowest: int = None
    highest: int = None
    longest_failure: float = 0.0  # seconds, of failures whose outcome is unknown
    longest_503: float = 0.0
    statuses: Counter = field(default_factory=Counter)

    def describe_statuses(self):
        return ", ".join(f"{key}: {value}" for key, value in sorted(self.statuses.items())) or "none"


def load_stats(records):
    stats = LoadStats(total=len(records))
    numbers = []
    for record in records:
        kind = outcome(record)
        stats.statuses["refused" if record.refused else str(record.status or "no answer")] += 1
        if kind == "acknowledged":
            numbers.append(record.number)
        elif kind == "not counted":
            stats.not_counted += 1
            if record.status == 503:
                stats.longest_503 = max(stats.longest_503, record.seconds)
        else:
            stats.unknown += 1
            stats.longest_failure = max(stats.longest_failure, record.seconds)
    stats.acknowledged, stats.distinct = len(numbers), len(set(numbers))
    if numbers:
        stats.lowest, stats.highest = min(numbers), max(numbers)
    return stats


def recovered_at(records, since):
    """When the service was back for good: the start of the first request
    after the last failure that started at or after since (epoch s). since
    when nothing failed after it; None when the last request failed."""
    ordered = sorted((r for r in records if r.started >= since), key=lambda r: r.started)
    failures = [r for r in ordered if r.status != 200]
    if not failures:
        return since
    later = [r for r in ordered if r.started > failures[-1].started]
    return later[0].started if later else None


@dataclass
class Verdict:
    problems: list
    summary: str

    @property
    def ok(self):
        return not self.problems


def nothing_lost(records, before, after, resent=0):
    """The promise after a fault: acknowledged numbers are distinct, all
    above the count before and none above the count after, and the count
    grew by the acknowledged views plus at most the requests whose outcome
    is unknown (other failures, and the resent ones nginx passed on to
    another replica after a connection error); exactly by the acknowledged
    ones when there is neither."""
    stats = load_stats(records)
    problems = []
    if stats.distinct != stats.acknowledged:
        problems.append(f"{stats.acknowledged - stats.distinct} acknowledged numbers were given twice")
    if stats.acknowledged and not (stats.lowest > before and stats.highest <= after):
        problems.append(f"acknowledged numbers {stats.lowest}..{stats.highest} lie outside the count's "
                        f"growth {before} -> {after}")
    grown, unknown = after - before, stats.unknown + resent
    if not stats.acknowledged <= grown <= stats.acknowledged + unknown:
        problems.append(f"the count grew by {grown}; {stats.acknowledged} acknowledged, {stats.unknown} failed "
                        f"with unknown outcome, {resent} resent after a connection error")
    summary = (f"count {before} -> {after} (+{grown}); {stats.acknowledged} acknowledged, distinct: "
               f"{'yes' if stats.distinct == stats.acknowledged else 'no'}; {stats.unknown} outcome unknown; "
               f"{resent} resent by nginx after a connection error")
    return Verdict(problems, summary)
