"""migrate against a database server: safe to run concurrently, a no-op
when the schema is current, and it records every version."""
from integration.conftest import MIGRATED


def said(done):
    return done.stdout + done.stderr


def test_concurrent_first_migrations_all_succeed(server):
    assert [(done.returncode, MIGRATED in said(done)) for done in server.first_migrations] == [(0, True)] * 3, \
        [said(done)[-300:] for done in server.first_migrations]


def test_exactly_one_concurrent_migration_applies_the_schema(server):
    applied = [said(done) for done in server.first_migrations if "applying migration 1 " in said(done)]
    assert len(applied) == 1, [said(done)[-300:] for done in server.first_migrations]


def test_migrate_again_is_a_no_op(server):
    done = server.migrate()
    assert done.returncode == 0 and "(0 applied now)" in said(done), said(done)


def test_schema_migrations_records_every_version(server):
    done = server.sql("SELECT version FROM schema_migrations ORDER BY version;")
    assert done.stdout.split() == ["1", "2"], said(done)
