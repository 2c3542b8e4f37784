"""The integration suite's servers: the app image alone, against SQLite
inside its container, and against PostgreSQL and then MariaDB on a private
network (the server tests are parametrised over both)."""
import secrets
import threading

import pytest

from harness.compose import HEALTHY_WITHIN, REPO
from harness.database import DATABASES, login_client, owner_client, read_count
from harness.wait import wait_for
from integration.sandbox import Sandbox, prefix

# What migrate prints when it is done; "(N applied now)" follows.
MIGRATED = "schema at version"
APP_USER = "pageviews_app"
SECRET = "/run/secrets/db_password"
APP_SECRET = "/run/secrets/db_app_password"


class Server:
    """A database server (as the compose file configures db) and the app
    containers that use it, all in one Sandbox."""

    def __init__(self, sandbox, db, images):
        self.sandbox, self.db, self.images = sandbox, db, images
        self.password = f"it-{secrets.token_hex(8)}"
        port = 5432 if db == "postgres" else 3306
        scheme = "postgres" if db == "postgres" else "mysql"
        self.url = f"{scheme}://pageviews@{sandbox.container('db')}:{port}/pageviews"

    def start(self):
        if self.db == "postgres":
            settings = ["-e", "POSTGRES_USER=pageviews", "-e", "POSTGRES_DB=pageviews",
                        "-e", f"POSTGRES_PASSWORD_FILE={SECRET}", self.images["postgres"]]
        else:
            # With compose.mariadb.yml's init script: it lets the owner manage the app's user.
            settings = ["-e", "MARIADB_USER=pageviews", "-e", "MARIADB_DATABASE=pageviews",
                        "-e", f"MARIADB_PASSWORD_FILE={SECRET}", "-e", "MARIADB_RANDOM_ROOT_PASSWORD=1",
                        "-v", f"{REPO}/deploy/mariadb/initdb.d:/docker-entrypoint-initdb.d:ro", self.images["mariadb"]]
        self.sandbox.start("db", *settings, files={SECRET: self.password + "\n"})
        self.wait_ready()

    def ready(self):
        if self.db == "postgres":
            probe = ["pg_isready", "-q", "-h", "127.0.0.1", "-U", "pageviews", "-d", "pageviews"]
        else:
            probe = ["healthcheck.sh", "--connect", "--innodb_initialized"]
        return self.sandbox.exec("db", *probe).returncode == 0

    def wait_ready(self):
        wait_for(f"{self.db} ready", self.ready, timeout=HEALTHY_WITHIN, seen=lambda: self.sandbox.describe("db"))

    def sql(self, query):
        return self.sandbox.exec("db", *owner_client(self.db), input=query)

    def count(self):
        return read_count(self.sql, self.db)

    def login_as_app(self, password):
        """The app's role logs in over TCP with password and reads the count."""
        return self.sandbox.exec("db", *login_client(self.db, APP_USER),
                                 input=f"{password}\nSELECT views FROM page_views WHERE path = '/';")

    def app_settings(self, *settings):
        environment = ["-e", f"DATABASE_URL={self.url}", "-e", f"DATABASE_PASSWORD_FILE={SECRET}"]
        for setting in settings:
            environment += ["-e", setting]
        return environment

    def migrate(self, role="migrate", app_password=None):
        """One migrate run (as the owner; with app_password, also making or
        updating the app's role); returns its CompletedProcess."""
        files = {SECRET: self.password + "\n"}
        settings = []
        if app_password is not None:
            files[APP_SECRET] = app_password + "\n"
            settings = [f"DATABASE_APP_USER={APP_USER}", f"DATABASE_APP_PASSWORD_FILE={APP_SECRET}"]
        return self.sandbox.run_once(role, *self.app_settings(*settings), self.images["app"], "migrate",
                                     files=files)

    def migrate_concurrently(self, runs=3, app_password=None):
        """runs migrate runs at once; their CompletedProcesses."""
        results = [None] * runs

        def one(index):
            results[index] = self.migrate(f"migrate-{secrets.token_hex(3)}", app_password)

        threads = [threading.Thread(target=one, args=(index,)) for index in range(runs)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results

    def start_app(self, role, *settings):
        """An app container on this server, answering; returns its base URL."""
        self.sandbox.start(role, *self.app_settings(*settings), self.images["app"],
                           files={SECRET: self.password + "\n"})
        self.sandbox.wait_answering(role)
        return self.sandbox.url(role, "")


@pytest.fixture(scope="package", params=DATABASES)
def server(request, images):
    """A fresh server, migrated by three concurrent migrate runs (kept as
    server.first_migrations: only a fresh database shows which one applied
    the schema)."""
    with Sandbox(f"{prefix()}-{request.param}") as sandbox:
        server = Server(sandbox, request.param, images)
        server.start()
        server.first_migrations = server.migrate_concurrently(3)
        yield server
