"""The secrets the hardening rows look for (H7-H9): the database passwords
the cluster runs with, and the lines of a text that hold one."""
import os
import pathlib

# Logs of containers a test is about to replace (the faults that recreate
# the cluster append `docker compose logs` here first), so that H9 reads
# them with the logs of the containers still there at its end.
SAVED_LOGS = []
# Development defaults unless PAGEVIEWS_DB_PASSWORD_FILE and
# PAGEVIEWS_DB_APP_PASSWORD_FILE say otherwise (as docker-compose.yml reads them).
PASSWORD_FILES = (("PAGEVIEWS_DB_PASSWORD_FILE", "deploy/dev-db-password.txt"),
                  ("PAGEVIEWS_DB_APP_PASSWORD_FILE", "deploy/dev-db-app-password.txt"))


def db_passwords(repo):
    """The owner's and the app role's passwords, as bytes (first line of each file)."""
    found = []
    for variable, default in PASSWORD_FILES:
        path = pathlib.Path(repo) / os.environ.get(variable, default)
        found.append(path.read_bytes().splitlines()[0].rstrip(b"\r"))
    if not all(len(password) >= 8 for password in found):
        raise ValueError("a database password is shorter than 8 bytes: searching for it would mean nothing")
    return found


def lines_with(text, passwords):
    """The lines of text (str or bytes) that hold one of the passwords."""
    data = text if isinstance(text, bytes) else text.encode()
    return [line for line in data.splitlines() if any(password in line for password in passwords)]
