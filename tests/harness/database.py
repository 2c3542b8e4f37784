"""The database's own client inside its container: the one place that
knows how to log in to PostgreSQL or MariaDB and read the count. The
container has what the compose file gives db: POSTGRES_USER and POSTGRES_DB,
or MARIADB_USER, MARIADB_DATABASE and the owner's password in
/run/secrets/db_password."""
from harness.command import CommandFailed

DATABASES = ("postgres", "mariadb")

# As the owner: PostgreSQL trusts its own socket; MariaDB reads the secret.
_OWNER = {
    "postgres": 'psql -X -q -t -A -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB"',
    "mariadb": 'MYSQL_PWD=$(cat /run/secrets/db_password) mariadb -N -B -u "$MARIADB_USER" "$MARIADB_DATABASE"',
}
# As another role over TCP, as the app logs in. The password is the first
# line of the input, so it is in no command line and no environment.
_LOGIN = {
    "postgres": 'read -r PGPASSWORD && export PGPASSWORD && '
                'exec psql -X -q -t -A -v ON_ERROR_STOP=1 -h 127.0.0.1 -U "$1" -d "$POSTGRES_DB"',
    "mariadb": 'read -r MYSQL_PWD && export MYSQL_PWD && '
               'exec mariadb -N -B -h 127.0.0.1 -u "$1" "$MARIADB_DATABASE"',
}


def owner_client(db):
    """The command that runs SQL from its input as the database's owner."""
    return ["sh", "-c", _OWNER[db]]


def login_client(db, user):
    """The command that logs in as user over TCP and runs SQL from its input
    after the password line: input=f"{password}\\n{sql}"."""
    return ["sh", "-c", _LOGIN[db], "sh", user]


def read_count(run_sql, db, path="/"):
    """The count of path, read with run_sql(sql) -> CompletedProcess (the
    owner's client). Raises when it cannot be read: a check never compares
    an unread count."""
    literal = path.replace("'", "''")
    done = run_sql(f"SELECT views FROM page_views WHERE path = '{literal}';")
    value = done.stdout.strip()
    if done.returncode != 0 or not value.isdigit():
        raise CommandFailed(f"could not read the count of {path} from {db}: "
                            f"exit {done.returncode}, {(done.stdout + done.stderr).strip()[:200]!r}")
    return int(value)
