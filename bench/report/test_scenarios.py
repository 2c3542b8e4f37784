import pathlib
import re

import pytest

from report import scenarios

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_the_default_runs_parse_in_their_order():
    assert scenarios.parse(scenarios.DEFAULT)[:3] == [("A", 64), ("B", 16), ("B", 64)]


@pytest.mark.parametrize("text, message", [
    ("X:64", "bad scenario 'X:64'"),
    ("C", "bad scenario 'C'"),
    ("C:many", "bad scenario 'C:many'"),
    ("C:1", "at least as many connections as threads"),
    ("", "no scenario"),
])
def test_a_bad_scenario_list_is_refused_naming_the_entry(text, message):
    with pytest.raises(ValueError, match=message):
        scenarios.parse(text, threads=2)


@pytest.mark.parametrize("scenario", scenarios.SCENARIOS.values(), ids=lambda s: s.kind)
def test_every_scenarios_services_and_network_are_in_its_projects_compose_files(scenario):
    compose = "".join((ROOT / name).read_text() for name in scenarios.PROJECTS[scenario.project].files)
    for service in (scenario.web, scenario.app, "db"):
        assert re.search(rf"^  {re.escape(service)}:$", compose, re.M), f"no service {service} in the compose files"
    assert re.search(rf"^  {re.escape(scenario.network)}:", compose, re.M), f"no network {scenario.network}"


@pytest.mark.parametrize("scenario", scenarios.SCENARIOS.values(), ids=lambda s: s.kind)
def test_every_scenario_has_a_load_generator_that_speaks_its_scheme(scenario):
    # h2load negotiates HTTP/2 by ALPN, which needs TLS.
    assert (scenario.tool, scenario.scheme) in {("wrk", "http"), ("wrk", "https"), ("h2load", "https")}
    assert scenario.port == {"http": 80, "https": 443}[scenario.scheme]


@pytest.mark.parametrize("kind", ["T", "H", "N"])
def test_the_https_scenarios_are_c_over_tls_on_its_own_cluster(kind):
    c, https = scenarios.SCENARIOS["C"], scenarios.SCENARIOS[kind]
    assert (https.project, https.web, https.app, https.network, https.path, https.counted) == \
        (c.project, c.web, c.app, c.network, c.path, c.counted)
    assert https.scheme == "https" and https.of_c and not https.versus_c


def test_the_handshake_scenario_asks_nginx_to_close_every_connection():
    assert scenarios.SCENARIOS["N"].headers == ("Connection: close",)


@pytest.mark.parametrize("text, projects", [
    ("C:64", ["pageviews"]),
    ("E:64", ["pageviews", "reference"]),
    ("E:16 A:64 E:64", ["pageviews", "reference"]),
])
def test_the_shipped_cluster_always_starts_first_the_reference_only_for_its_scenario(text, projects):
    assert scenarios.projects(scenarios.parse(text)) == projects


def test_project_names_differ():
    # bench/run names each project its own name plus the suffix.
    suffixes = [project.suffix for project in scenarios.PROJECTS.values()]
    assert len(set(suffixes)) == len(suffixes)
