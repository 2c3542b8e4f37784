#!/usr/bin/env bash
# Emulates the official image's first-start contract: on an empty datadir,
# create the system tables, MARIADB_DATABASE and MARIADB_USER with
# MARIADB_PASSWORD(_FILE) allowed from any host and ALL (without GRANT
# OPTION) on that database, run /docker-entrypoint-initdb.d/*.sql as root
# in that database, then run the server as mysql.
set -Eeuo pipefail

readonly DATADIR=/var/lib/mysql
readonly SOCKET=/run/mysqld/mysqld.sock

if [[ "${1:-}" == -* ]]; then
    set -- mariadbd "$@"
fi

# MARIADB_X, or the content of the file MARIADB_X_FILE names.
env_or_file() {
    local name=$1 file_var="${1}_FILE"
    if [[ -n "${!file_var:-}" ]]; then
        cat -- "${!file_var}"
    else
        printf '%s' "${!name:-}"
    fi
}

# Quotes a value as an SQL string literal.
sql_string() {
    local value=${1//\\/\\\\}
    printf "'%s'" "${value//\'/\'\'}"
}

init_datadir() {
    local database user password root_password
    database=$(env_or_file MARIADB_DATABASE)
    user=$(env_or_file MARIADB_USER)
    password=$(env_or_file MARIADB_PASSWORD)
    root_password=$(env_or_file MARIADB_ROOT_PASSWORD)
    if [[ -z "$root_password" && -z "${MARIADB_RANDOM_ROOT_PASSWORD:-}" && -z "${MARIADB_ALLOW_EMPTY_ROOT_PASSWORD:-}" ]]; then
        echo "error: database is uninitialized and no root password option is set" >&2
        exit 1
    fi
    mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db \
        --auth-root-authentication-method=socket >/dev/null
    # A socket-only server, so nothing connects over TCP before init ends.
    mariadbd --user=mysql --datadir="$DATADIR" --skip-networking --socket="$SOCKET" &
    local pid=$!
    for _ in $(seq 60); do
        mariadb-admin --socket="$SOCKET" ping >/dev/null 2>&1 && break
        sleep 0.5
    done
    # Backquotes below are SQL identifier quotes, not command substitution.
    # shellcheck disable=SC2016
    {
        [[ -z "$database" ]] || printf 'CREATE DATABASE IF NOT EXISTS `%s`;\n' "$database"
        if [[ -n "$user" ]]; then
            printf 'CREATE USER %s@%s IDENTIFIED BY %s;\n' "$(sql_string "$user")" "'%'" "$(sql_string "$password")"
            [[ -z "$database" ]] || printf 'GRANT ALL ON `%s`.* TO %s@%s;\n' "$database" "$(sql_string "$user")" "'%'"
        fi
    } | mariadb --socket="$SOCKET" -uroot
    local script
    for script in /docker-entrypoint-initdb.d/*.sql; do
        [[ -e "$script" ]] || continue
        echo "running $script"
        mariadb --socket="$SOCKET" -uroot ${database:+"--database=$database"} <"$script"
    done
    mariadb-admin --socket="$SOCKET" shutdown
    wait "$pid" || true
}

if [[ "${1:-}" == mariadbd ]]; then
    if [[ $(id -u) -eq 0 ]]; then
        [[ -d "$DATADIR/mysql" ]] || init_datadir
        chown -R mysql:mysql "$DATADIR" /run/mysqld
        exec setpriv --reuid=mysql --regid=mysql --init-groups "$@"
    fi
fi

exec "$@"
