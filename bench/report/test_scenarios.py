import pathlib
import re

import pytest

from report import scenarios

BENCH = pathlib.Path(__file__).resolve().parents[1]
COMPOSE = (BENCH.parent / "docker-compose.yml").read_text() + (BENCH / "compose.yml").read_text()


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
def test_every_scenarios_services_and_network_are_in_the_compose_files(scenario):
    for service in (scenario.web, scenario.app):
        assert re.search(rf"^  {re.escape(service)}:$", COMPOSE, re.M), f"no service {service} in the compose files"
    assert re.search(rf"^  {re.escape(scenario.network)}:", COMPOSE, re.M), f"no network {scenario.network}"
