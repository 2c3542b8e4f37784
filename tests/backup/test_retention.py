"""The retention rules (deploy/backup-service/retention), a pure function of
the backups' names: here fed a simulated calendar instead of waiting days."""
import datetime
import pathlib

import pytest

from harness.command import run

RETENTION = str(pathlib.Path(__file__).resolve().parents[2] / "deploy" / "backup-service" / "retention")


def name(moment, kind="postgres"):
    return f"pageviews-{kind}-{moment:%Y%m%dT%H%M%S}Z.tar"


def verdicts(names, daily=7, weekly=4, monthly=6):
    """{name: "keep" | "drop"} as the script prints them."""
    done = run("bash", RETENTION, str(daily), str(weekly), str(monthly), input="".join(f"{n}\n" for n in names))
    return {line.split(" ", 1)[1]: line.split(" ", 1)[0] for line in done.stdout.splitlines()}


def kept(names, *limits):
    return {n for n, verdict in verdicts(names, *limits).items() if verdict == "keep"}


def at(text):
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M")


# Small calendars checked by hand: (backups, daily, weekly, monthly, kept).
CASES = {
    "the newest of a day, not an earlier one": (
        ["2026-12-01 02:00", "2026-12-01 14:00"], 1, 0, 0, ["2026-12-01 14:00"]),
    "one a day for the last DAILY days that have one": (
        ["2026-11-20 02:00", "2026-11-25 02:00", "2026-11-30 02:00"], 2, 0, 0,
        ["2026-11-25 02:00", "2026-11-30 02:00"]),
    "weeks run Monday to Sunday (ISO)": (
        ["2026-11-29 02:00", "2026-11-30 02:00"], 0, 2, 0, ["2026-11-29 02:00", "2026-11-30 02:00"]),
    "a Sunday and a Monday in one week": (
        ["2026-11-23 02:00", "2026-11-29 02:00"], 0, 1, 0, ["2026-11-29 02:00"]),
    "the last of each month": (
        ["2026-10-01 02:00", "2026-10-31 02:00", "2026-11-15 02:00"], 0, 0, 2,
        ["2026-10-31 02:00", "2026-11-15 02:00"]),
    "a backup any rule keeps stays": (
        ["2026-09-30 02:00", "2026-11-30 02:00", "2026-12-01 02:00"], 1, 1, 3,
        ["2026-09-30 02:00", "2026-11-30 02:00", "2026-12-01 02:00"]),
    "nothing kept when every limit is 0": (["2026-12-01 02:00"], 0, 0, 0, []),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_retention_keeps_what_its_rules_say(case):
    moments, daily, weekly, monthly, expected = CASES[case]
    names = [name(at(moment)) for moment in moments]
    assert kept(names, daily, weekly, monthly) == {name(at(moment)) for moment in expected}


def test_retention_keeps_each_database_kind_apart():
    names = [name(at("2026-12-01 02:00"), "postgres"), name(at("2026-12-01 01:00"), "mariadb")]
    assert kept(names, 1, 0, 0) == set(names)


def test_retention_never_drops_a_file_it_does_not_recognise():
    names = ["notes.txt", "pageviews-postgres-latest.tar", name(at("2026-12-01 02:00"))]
    assert verdicts(names, 0, 0, 0) == {name(at("2026-12-01 02:00")): "drop"}


def expected_after(moments, daily, weekly, monthly):
    """The rules stated over the whole calendar at once: the newest backup
    of each of the most recent days, ISO weeks and months that have one."""
    keep = set()
    for limit, bucket in ((daily, lambda m: m.date()), (weekly, lambda m: m.isocalendar()[:2]),
                          (monthly, lambda m: (m.year, m.month))):
        newest = {}
        for moment in moments:
            newest[bucket(moment)] = max(newest.get(bucket(moment), moment), moment)
        keep |= {newest[key] for key in sorted(newest, reverse=True)[:limit]}
    return {name(moment) for moment in keep}


def test_retention_over_a_simulated_year_and_a_half_keeps_exactly_7_daily_4_weekly_6_monthly():
    """What the service does: a backup a day at 02:00 (and an extra one at
    14:00 every tenth day), each followed by pruning."""
    day, last = at("2025-06-01 02:00"), at("2026-12-01 02:00")
    moments, present = [], set()
    while day <= last:
        for moment in [day] + ([day.replace(hour=14)] if day.day % 10 == 0 else []):
            moments.append(moment)
            present.add(name(moment))
            present = kept(present)
        day += datetime.timedelta(days=1)
    expected = expected_after(moments, 7, 4, 6)
    assert present == expected, f"kept but not due: {sorted(present - expected)}; due but dropped: " \
                                f"{sorted(expected - present)}"
    assert 7 <= len(present) <= 7 + 4 + 6
