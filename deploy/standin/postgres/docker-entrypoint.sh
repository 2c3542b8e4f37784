#!/usr/bin/env bash
# Emulates the official image's first-start contract: on an empty PGDATA,
# create the cluster with POSTGRES_USER / POSTGRES_PASSWORD(_FILE) and the
# database POSTGRES_DB, allow password logins over TCP, then run the server
# as the postgres user.
set -Eeuo pipefail

if [[ "${1:-}" == -* ]]; then
    set -- postgres "$@"
fi

# Secrets arrive as files; only one of the two forms may be used.
password_from_env() {
    if [[ -n "${POSTGRES_PASSWORD:-}" && -n "${POSTGRES_PASSWORD_FILE:-}" ]]; then
        echo "error: both POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE are set" >&2
        exit 1
    fi
    if [[ -n "${POSTGRES_PASSWORD_FILE:-}" ]]; then
        cat -- "$POSTGRES_PASSWORD_FILE"
    else
        printf '%s' "${POSTGRES_PASSWORD:-}"
    fi
}

init_cluster() {
    local password user db
    password=$(password_from_env)
    user=${POSTGRES_USER:-postgres}
    db=${POSTGRES_DB:-$user}
    if [[ -z "$password" ]]; then
        echo "error: database is uninitialized and POSTGRES_PASSWORD is not set" >&2
        exit 1
    fi
    initdb -D "$PGDATA" --username="$user" --pwfile=<(printf '%s\n' "$password") \
        --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256
    printf "\nhost all all all scram-sha-256\n" >>"$PGDATA/pg_hba.conf"
    printf "listen_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
    if [[ "$db" != postgres ]]; then
        # Socket-only server, so nothing can connect over TCP before init ends.
        pg_ctl -D "$PGDATA" -w -o "-c listen_addresses=''" start
        psql -v ON_ERROR_STOP=1 --username="$user" --dbname=postgres \
            -c "CREATE DATABASE \"$db\""
        pg_ctl -D "$PGDATA" -m fast -w stop
    fi
}

if [[ "${1:-}" == postgres ]]; then
    if [[ $(id -u) -eq 0 ]]; then
        install -d -o postgres -g postgres -m 0700 "$PGDATA"
        # As the official image does: the socket directory may be a fresh tmpfs.
        install -d -o postgres -g postgres -m 3777 /var/run/postgresql
        exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
    fi
    [[ -s "$PGDATA/PG_VERSION" ]] || init_cluster
fi

exec "$@"
