"""Every copy of a setting's default that people read (README's settings
table, .env.example, the compose file's ${VAR:-default}) says what
`pageviews --help` says, which prints the app's one definition of it
(src/defaults.h through the settings table in src/settings.cc)."""
import os
import re

import pytest

from harness.command import output

APP_IMAGE = os.environ.get("PAGEVIEWS_IMAGE", "pageviews:local")
HELP_ENTRY = re.compile(r"^  ([A-Z_]+)\n      .*\(default: (.*)\)$", re.MULTILINE)
README_ROW = re.compile(r"^\| `([A-Z_]+)` \| `?([^|`]*?)`? \|", re.MULTILINE)


@pytest.fixture(scope="module")
def help_defaults():
    text = output("docker", "run", "--rm", "--network", "none", APP_IMAGE, "--help")
    defaults = dict(HELP_ENTRY.findall(text))
    assert len(defaults) >= 16, f"could not read the settings from --help:\n{text}"
    return defaults


def readme_settings(repo):
    text = (repo / "README.md").read_text()
    section = text[text.index("\n## Settings"):]
    section = section[:section.index("\n## ", 1)]
    return dict(README_ROW.findall(section))


def test_readme_lists_exactly_the_settings_of_help(repo, help_defaults):
    assert sorted(readme_settings(repo)) == sorted(help_defaults)


def test_readme_states_the_defaults_of_help(repo, help_defaults):
    readme = readme_settings(repo)
    differing = {name: (readme[name], value) for name, value in help_defaults.items()
                 if name in readme and readme[name] != value}
    assert not differing, f"README vs --help: {differing}"


@pytest.mark.parametrize("source, pattern", [
    (".env.example", r"^#?([A-Z_]+)=(.*)$"),
    ("docker-compose.yml", r"\$\{([A-Z_]+):-([^}]*)\}"),
])
def test_copied_defaults_agree_with_help(repo, help_defaults, source, pattern):
    found = re.findall(pattern, (repo / source).read_text(), re.MULTILINE)
    copies = {name: value for name, value in found if name in help_defaults}
    assert copies, f"{source} names no app setting: the pattern no longer matches"
    differing = {name: (value, help_defaults[name]) for name, value in copies.items() if value != help_defaults[name]}
    assert not differing, f"{source} vs --help: {differing}"
