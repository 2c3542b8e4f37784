#!/usr/bin/env bash
# The subset of the official image's healthcheck.sh that compose.mariadb.yml
# uses: --connect (the server accepts TCP connections) and
# --innodb_initialized (InnoDB answers queries).
set -Eeuo pipefail

for check in "$@"; do
    case "$check" in
        --connect) mariadb-admin --protocol=tcp -h 127.0.0.1 --connect-timeout=2 ping >/dev/null 2>&1 ||
            mariadb-admin --protocol=tcp -h 127.0.0.1 --connect-timeout=2 ping 2>&1 | grep -q 'Access denied' ;;
        --innodb_initialized)
            [[ $(mariadb -uroot -N -e "SELECT 1 FROM information_schema.ENGINES WHERE ENGINE = 'InnoDB' AND SUPPORT IN ('YES', 'DEFAULT')") == 1 ]] ;;
        *) echo "healthcheck.sh: unsupported check $check" >&2; exit 1 ;;
    esac
done
