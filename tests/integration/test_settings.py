"""Bad settings: the app refuses to start with one line naming the setting,
exit status 2, and no secret in it; --help and --version answer."""
import re

import pytest

from harness.command import run

# (name, setting, what the one line says)
BAD_SETTINGS = [
    ("bad port", "DATABASE_URL=postgres://u:hunter2@db:99999/v", "pageviews: DATABASE_URL: port"),
    ("bad number", "PAGEVIEWS_THREADS=lots",
     "pageviews: PAGEVIEWS_THREADS: expected a whole number from 1 to 256"),
    ("missing file", "DATABASE_URL_FILE=/nonexistent", "pageviews: DATABASE_URL_FILE: cannot read file /nonexistent"),
]


@pytest.fixture(scope="module")
def refusals(images):
    """Each bad setting's run of the app image: {name: CompletedProcess}."""
    return {name: run("docker", "run", "--rm", "-e", setting, images["app"], check=False, timeout=120)
            for name, setting, _ in BAD_SETTINGS}


@pytest.mark.parametrize("name", [case[0] for case in BAD_SETTINGS])
def test_a_bad_setting_exits_2(refusals, name):
    assert refusals[name].returncode == 2, refusals[name].stdout + refusals[name].stderr


@pytest.mark.parametrize("name, says", [(case[0], case[2]) for case in BAD_SETTINGS])
def test_a_bad_setting_is_refused_in_one_line_naming_it(refusals, name, says):
    lines = (refusals[name].stdout + refusals[name].stderr).splitlines()
    assert len(lines) == 1 and lines[0].startswith(says), lines


def test_the_refusal_hides_the_password(refusals):
    said = refusals["bad port"].stdout + refusals["bad port"].stderr
    assert said and "hunter2" not in said, said


@pytest.mark.parametrize("option, line", [("--help", r".*PAGEVIEWS_BATCH_MAX_SIZE"), ("--version", r"pageviews ")])
def test_the_option_answers(images, option, line):
    done = run("docker", "run", "--rm", images["app"], option, check=False, timeout=120)
    assert any(re.match(line, said) for said in done.stdout.splitlines()), done.stdout + done.stderr
