"""deploy/upgrade replaces the app replicas start-first under steady load:
no request fails, no view is lost or numbered twice, nginx keeps running;
and an image that never turns healthy is rolled back the same way."""
import pytest

from harness.command import output
from harness.verdict import load_stats, nothing_lost


def failures(result):
    stats = load_stats(result.records)
    return stats.total - stats.acknowledged, stats


# -- the upgrade to a new build ------------------------------------------------

def test_upgrade_exits_zero(upgraded):
    assert upgraded.status == 0, f"deploy/upgrade exited {upgraded.status}:\n{upgraded.output}"


def test_upgrade_fails_no_request(upgraded):
    failed, stats = failures(upgraded)
    assert stats.total > 0 and failed == 0, f"{failed} of {stats.total} failed ({stats.describe_statuses()})"


def test_upgrade_loses_no_view_and_numbers_none_twice(upgraded):
    verdict = nothing_lost(upgraded.records, upgraded.count_before, upgraded.count_after)
    assert verdict.ok, f"{'; '.join(verdict.problems)} ({verdict.summary})"


def test_upgrade_serves_the_new_code_from_then_on(upgraded, new_code_mark):
    before = [r for r in upgraded.records if r.started <= upgraded.records[0].started + 1]
    after = upgraded.records_after()
    assert before and not any(new_code_mark in r.body for r in before), "the page had the new text before"
    old = [r.describe() for r in after if new_code_mark not in r.body]
    assert after and not old, f"{len(old)} of {len(after)} pages after the upgrade were not the new code: {old[:3]}"


def test_upgrade_keeps_the_scale_with_new_replicas_only(upgraded, case, next_checkout):
    new_id = output("docker", "image", "inspect", "--format", "{{.Id}}", next_checkout.image)
    assert len(upgraded.apps_after) == case.replicas and not set(upgraded.apps_after) & set(upgraded.apps_before), (
        f"app replicas {upgraded.apps_before} became {upgraded.apps_after}")
    assert upgraded.images_after == {new_id}, f"replicas run {upgraded.images_after}, not {new_id}"


def test_upgrade_leaves_nginx_running(upgraded):
    before, after = upgraded.web_before, upgraded.web_after
    assert (after["Id"], after["State"]["StartedAt"]) == (before["Id"], before["State"]["StartedAt"]), (
        f"web was {before['Id'][:12]} started {before['State']['StartedAt']}, "
        f"now {after['Id'][:12]} started {after['State']['StartedAt']}")


# -- the upgrade to an image that never turns healthy ---------------------------

def test_failed_upgrade_exits_non_zero_saying_so(rolled_back):
    assert rolled_back.status == 1 and "did not become healthy" in rolled_back.output \
        and "rolled back" in rolled_back.output, f"exit {rolled_back.status}:\n{rolled_back.output}"


def test_failed_upgrade_fails_no_request(rolled_back):
    failed, stats = failures(rolled_back)
    assert stats.total > 0 and failed == 0, f"{failed} of {stats.total} failed ({stats.describe_statuses()})"


def test_failed_upgrade_loses_no_view_and_numbers_none_twice(rolled_back):
    verdict = nothing_lost(rolled_back.records, rolled_back.count_before, rolled_back.count_after)
    assert verdict.ok, f"{'; '.join(verdict.problems)} ({verdict.summary})"


def test_failed_upgrade_keeps_the_old_replicas_serving(rolled_back, cluster, case, new_code_mark):
    assert rolled_back.apps_after == rolled_back.apps_before, (
        f"app replicas {rolled_back.apps_before} became {rolled_back.apps_after}")
    assert cluster.healthy("app") == case.replicas, f"{cluster.healthy('app')} healthy app replicas"
    old = [r.describe() for r in rolled_back.records_after() if new_code_mark not in r.body]
    assert not old, f"pages after the rollback not from the replicas that were serving: {old[:3]}"


def test_refuses_an_image_that_does_not_exist(cluster, repo, deploy_upgrade):
    before = cluster.container_ids("app")
    files = [argument for name in cluster.files for argument in ("-f", str(repo / name))]
    absent = "pageviews-absent:upgrade"
    done = deploy_upgrade("--no-build", "-p", cluster.name, *files, env={**cluster.env, "PAGEVIEWS_IMAGE": absent})
    assert (done.returncode, done.stdout, done.stderr.count("\n")) == (2, "", 1) \
        and f"image {absent} not found" in done.stderr, f"exit {done.returncode}: {done.stderr!r}"
    assert cluster.container_ids("app") == before


# -- bad input -------------------------------------------------------------------

BAD_INPUT = [
    pytest.param(["--bogus"], "unknown option or argument '--bogus'", id="unknown-option"),
    pytest.param(["stray"], "unknown option or argument 'stray'", id="argument"),
    pytest.param(["--wait", "soon"], "--wait takes a number of seconds, not 'soon'", id="wait-not-a-number"),
    pytest.param(["-p"], "-p needs a value", id="option-without-value"),
    pytest.param(["-p", "pvt-upgrade-absent"], "no app replica is running in this project", id="no-running-app"),
    pytest.param(["-f", "/nonexistent/compose.yml"], "docker compose: ", id="missing-compose-file"),
]


@pytest.mark.parametrize("arguments, message", BAD_INPUT)
def test_bad_input_is_refused_in_one_line(arguments, message, repo, deploy_upgrade):
    done = deploy_upgrade("-f", str(repo / "docker-compose.yml"), *arguments)
    assert (done.returncode, done.stdout, done.stderr.count("\n")) == (2, "", 1) and message in done.stderr, (
        f"exit {done.returncode}, stdout {done.stdout!r}, stderr {done.stderr!r}")
