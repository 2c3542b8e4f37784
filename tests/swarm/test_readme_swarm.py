"""The cluster on a real orchestrator, deployed exactly as README's "Running
on a swarm" section says, in a fresh clone: its lines run one by one (the
`stack` fixture, conftest.py), and between them the tests check that three
replicas count through nginx after the deploy, that the rolling update to a
new build under load fails no request and keeps every number unique, and
that `docker stack rm` leaves nothing of the stack.

The tests are steps of one story and run in this file's order; a test whose
README line did not run is skipped, saying which.
"""
import re

from harness.command import output
from harness.http import get, via_host_port
from harness.load import Load
from harness.verdict import load_stats
from harness.wait import wait_for

# The load during the update: 8 clients for at most 180 s (the update's
# bound below), so the update meets a steady stream of requests from start
# to end. Each request is a new connection, at most 25 a second per client,
# so that the tests container's ephemeral ports (about 28,000, each held a
# minute in TIME_WAIT) outlast the longest update, and a refused connection
# means the stack refused it.
CLIENTS, LOAD_SECONDS, PERIOD_S = 8, 180, 0.04
# Far more than the update needs; a slow machine merely sends fewer.
ENOUGH_REQUESTS = 100


def test_the_clone_is_the_checked_out_commit(stack):
    assert output("git", "-C", str(stack.clone), "rev-parse", "HEAD") == \
        output("git", "-c", f"safe.directory={stack.repo}", "-C", str(stack.repo), "rev-parse", "HEAD")


def test_readme_swarm_section_has_its_six_commands_in_order(stack):
    patterns = list(stack.steps.values())
    assert len(stack.lines) == len(patterns) and all(
        re.fullmatch(pattern, line) for pattern, line in zip(patterns, stack.lines)), stack.lines


def test_swarm_init_leaves_a_single_node_swarm_active(stack):
    stack.run_line("init")
    assert output("docker", "info", "--format", "{{.Swarm.LocalNodeState}}") == "active"


def test_compose_build_builds_the_app_image(stack):
    stack.need("init")
    stack.run_line("build")


def test_deploy_starts_the_stack(stack):
    stack.need("build")
    stack.run_line("deploy")


def test_three_app_replicas_run(stack):
    stack.need("deploy")
    stack.wait_app_tasks(3, timeout=180)


def test_views_are_counted_through_nginx_on_the_published_port(stack, images):
    stack.need("deploy")
    answers = []

    def counted():
        answers.append(via_host_port(images["tools"], stack.port, "/"))
        return answers[-1].number is not None

    wait_for("a counted view on the published port", counted, timeout=180, seen=lambda: answers[-1].describe())


def test_twenty_views_add_exactly_twenty(stack):
    stack.need("deploy")
    url = stack.web_url() + "/"
    before = stack.db_count()
    answers = [get(url) for _ in range(20)]
    after = stack.db_count()
    statuses = sorted({answer.describe() for answer in answers if answer.status != 200})
    assert (after - before, statuses) == (20, []), f"count {before} -> {after}"


def test_a_new_build_gets_its_new_tag(stack):
    stack.need("deploy")
    stack.run_line("build-new")


def test_deploy_of_the_new_build_succeeds_under_load(stack):
    stack.need("build-new")
    stack.update["before"] = stack.db_count()
    stack.load = Load(stack.web_url() + "/", clients=CLIENTS, period=PERIOD_S, seconds=LOAD_SECONDS, count=100_000,
                      name="update").start()
    stack.load.wait_for_requests(2 * CLIENTS)
    stack.run_line("deploy-new")


def test_the_rolling_update_completes(stack):
    stack.need("deploy-new")
    try:
        # Swarm's update runs on after deploy returns: wait for its end.
        wait_for("the rolling update to complete", lambda: stack.update_state() == "completed", timeout=180,
                 seen=stack.update_state)
        # Then some requests to the new tasks alone.
        stack.load.wait_for_requests(len(stack.load.records) + 2 * CLIENTS)
    finally:
        stack.update["records"] = stack.load.stop()
        stack.load = None


def test_the_app_service_runs_the_new_image(stack):
    stack.need("deploy-new")
    new_image = re.match(r"PAGEVIEWS_IMAGE=(\S+)", stack.line("deploy-new")).group(1)
    assert stack.app_image() == new_image


def test_three_replicas_run_after_the_update(stack):
    stack.need("deploy-new")
    stack.wait_app_tasks(3, timeout=60)


def update_stats(stack):
    stack.need("deploy-new")
    return load_stats(stack.update.get("records", []))


def test_requests_were_sent_during_the_update(stack):
    assert update_stats(stack).total > ENOUGH_REQUESTS


def test_no_request_failed_during_the_update(stack):
    stats = update_stats(stack)
    assert stats.acknowledged == stats.total, stats.describe_statuses()


def test_every_number_served_is_unique(stack):
    stats = update_stats(stack)
    assert stats.distinct == stats.acknowledged, f"{stats.acknowledged - stats.distinct} numbers given twice"


def test_the_database_counted_exactly_the_views_served(stack):
    stats = update_stats(stack)
    assert stack.db_count() == stack.update["before"] + stats.acknowledged, stats.describe_statuses()


def test_stack_rm_succeeds(stack):
    stack.need("deploy")
    stack.leave_network()
    stack.run_line("rm")


def test_nothing_of_the_stack_is_left(stack):
    stack.need("rm")
    wait_for("nothing of the stack left", lambda: not stack.leftovers(), timeout=120, seen=stack.leftovers)
