"""The app's role, made and kept by migrate: concurrent runs that create
it succeed, it logs in with the password in its file, and a new file
replaces the password."""
import secrets
from dataclasses import dataclass

import pytest

from integration.conftest import MIGRATED


@dataclass
class Role:
    first: str  # the first password
    created: list  # three concurrent migrate runs with the first password
    first_login: object  # logging in with it then
    changed: object  # a migrate run with a second password
    second_login: object  # logging in with the second
    old_login: object  # logging in with the first again


@pytest.fixture(scope="module")
def role(server):
    first, second = f"first-{secrets.token_hex(6)}", f"second-{secrets.token_hex(6)}"
    created = server.migrate_concurrently(3, app_password=first)
    first_login = server.login_as_app(first)
    changed = server.migrate(app_password=second)
    second_login = server.login_as_app(second)
    return Role(first, created, first_login, changed, second_login, server.login_as_app(first))


def said(done):
    return (done.stdout + done.stderr).strip()


def test_concurrent_migrations_that_create_the_app_role_all_succeed(role):
    assert [(done.returncode, MIGRATED in said(done)) for done in role.created] == [(0, True)] * 3, \
        [said(done)[-300:] for done in role.created]


def test_the_app_role_logs_in_with_its_password(role):
    assert role.first_login.returncode == 0 and role.first_login.stdout.strip().isdigit(), said(role.first_login)


def test_migrates_output_holds_no_password(role):
    assert not [done for done in role.created if role.first in said(done)]


def test_migrate_with_a_new_password_file_succeeds(role):
    assert role.changed.returncode == 0 and MIGRATED in said(role.changed), said(role.changed)


def test_the_new_password_logs_in(role):
    assert role.second_login.returncode == 0 and role.second_login.stdout.strip().isdigit(), said(role.second_login)


def test_the_old_password_no_longer_logs_in(role):
    # The login with the new password is the control: this refusal is the password's.
    assert role.second_login.returncode == 0 and role.old_login.returncode != 0, said(role.old_login)
