"""The app's database role: not the owner, no global privilege, exactly
the table privileges counting needs, and migrate puts them back."""
import re
from dataclasses import dataclass

import pytest

from cluster.helpers import container_env
from harness.database import login_client

APP_PRIVILEGES = ["page_views:SELECT", "page_views:UPDATE", "schema_migrations:SELECT"]
# Each inside a transaction rolled back, so that a role allowed too much
# fails the test without emptying the count where the database can roll
# DDL back.
REFUSED = {
    "CREATE TABLE": "CREATE TABLE pv_probe (x INTEGER);",
    "CREATE TEMPORARY TABLE": "CREATE TEMPORARY TABLE pv_probe (x INTEGER);",
    "DROP TABLE": "DROP TABLE page_views;",
    "TRUNCATE": "TRUNCATE TABLE page_views;",
    "DELETE": "DELETE FROM page_views;",
}
# A permission error, not some other failure (which would prove nothing).
PERMISSION_ERROR = re.compile(r"permission denied|command denied|must be owner|access denied", re.IGNORECASE)


def url_user(url):
    match = re.match(r"[a-z]+://([^:@/]+)[:@]", url or "")
    return match.group(1) if match else None


@dataclass
class Login:
    user: str
    password: str
    owner: str


@pytest.fixture(scope="module")
def login(cluster):
    """The credentials the app really runs with, read from the app itself,
    and the owner migrate logs in as."""
    app = cluster.container_ids("app")[0]
    migrate = cluster.container_ids("migrate", all=True)[0]
    password_file = container_env(cluster, app, "DATABASE_PASSWORD_FILE")
    password = cluster.compose("exec", "-T", "app", "cat", password_file).stdout.splitlines()[0]
    return Login(url_user(container_env(cluster, app, "DATABASE_URL")), password,
                 url_user(container_env(cluster, migrate, "DATABASE_URL")))


def as_app(cluster, login, sql):
    """Runs sql with the db container's client, logged in over TCP as the app."""
    return cluster.exec("db", *login_client(cluster.db, login.user), input=f"{login.password}\n{sql}", check=False)


def table_privileges(cluster, login):
    """The app role's privileges on tables, as "table:PRIVILEGE", sorted."""
    if cluster.db == "postgres":
        done = as_app(cluster, login, "SELECT table_name || ':' || privilege_type FROM "
                                      "information_schema.role_table_grants WHERE grantee = current_user;")
        return sorted(done.stdout.split())
    # "GRANT SELECT, UPDATE ON `db`.`page_views` TO ..." (a grant on the
    # whole database shows with an empty table).
    privileges = []
    for line in as_app(cluster, login, "SHOW GRANTS FOR CURRENT_USER;").stdout.splitlines():
        match = re.match(r"GRANT (.*) ON `[^`]*`\.(?:`([^`]*)`|\*) TO ", line)
        if match:
            privileges += [f"{match.group(2) or ''}:{name}" for name in match.group(1).split(", ")]
    return sorted(privileges)


@dataclass
class Probes:
    before: int
    after: int
    outcomes: dict  # statement name -> CompletedProcess


@pytest.fixture(scope="module")
def probes(cluster, login):
    """Every statement the app role must be refused, run once, with the
    count before and after."""
    before = cluster.db_count()
    outcomes = {name: as_app(cluster, login, f"BEGIN; {sql} ROLLBACK;") for name, sql in REFUSED.items()}
    return Probes(before, cluster.db_count(), outcomes)


def test_the_app_logs_in_as_a_role_other_than_the_owner(login):
    assert login.user and login.user != login.owner, f"app {login.user!r}, migrate {login.owner!r}"


def test_the_owners_password_is_not_mounted_in_the_app(cluster):
    mounts = [mount["Destination"] for mount in cluster.inspect(cluster.container_ids("app")[0])["Mounts"]]
    assert "/run/secrets/db_password" not in mounts, mounts


def test_the_app_role_can_update_the_count(cluster, login):
    # The positive control of the refusals below: the credentials work.
    done = as_app(cluster, login, "UPDATE page_views SET views = views WHERE path = '/';")
    assert (done.returncode, done.stdout.strip() + done.stderr.strip()) == (0, "")


def test_the_app_role_has_no_global_privilege(cluster, login):
    if cluster.db == "postgres":
        done = as_app(cluster, login, "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles "
                                      "WHERE rolname = current_user;")
        assert done.stdout.strip() == "f|f|f", "superuser|createrole|createdb: " + done.stdout + done.stderr
    else:
        done = as_app(cluster, login, "SHOW GRANTS FOR CURRENT_USER;")
        global_grants = [line.split(" TO ")[0] for line in done.stdout.splitlines() if " ON *.* " in line]
        assert global_grants == ["GRANT USAGE ON *.*"], done.stdout + done.stderr


def test_the_app_role_holds_exactly_the_privileges_counting_needs(cluster, login):
    assert table_privileges(cluster, login) == APP_PRIVILEGES


@pytest.mark.parametrize("statement", REFUSED)
def test_the_app_role_is_refused(probes, statement):
    done = probes.outcomes[statement]
    output = (done.stdout + done.stderr).strip()
    assert done.returncode != 0 and PERMISSION_ERROR.search(output), f"exit {done.returncode}: {output[:200]}"


def test_the_refused_statements_change_no_count(probes):
    assert probes.after == probes.before


def test_migrate_takes_back_a_grant_added_by_hand(cluster, login):
    granted = cluster.sql(f"GRANT DELETE ON page_views TO {login.user};")
    assert granted.returncode == 0, f"setup: the owner could not grant: {granted.stderr.strip()}"
    assert "page_views:DELETE" in table_privileges(cluster, login), "setup: the grant did not take"
    cluster.compose("run", "--rm", "--no-deps", "-T", "migrate")
    assert table_privileges(cluster, login) == APP_PRIVILEGES
