#!/bin/sh
# The official nginx image's /docker-entrypoint.sh, as far as pageviews
# relies on it (README.md next to this file): when the command is nginx,
# the files in /docker-entrypoint.d/ run first, in name order: executable
# *.envsh are sourced (so what they export reaches the next ones, and
# envsubst), executable *.sh are run, anything else is skipped; a failing
# one stops the container before nginx starts. Then the command runs.
set -e

entrypoint_log() {
    if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then
        echo "$@"
    fi
}

run_entrypoint_scripts() {
    for f in $(find /docker-entrypoint.d/ -mindepth 1 -maxdepth 1 -type f | sort -V); do
        case "$f" in
            *.envsh)
                if [ -x "$f" ]; then
                    entrypoint_log "$0: Sourcing $f"
                    # shellcheck disable=SC1090
                    . "$f"
                else
                    entrypoint_log "$0: Ignoring $f, not executable"
                fi
                ;;
            *.sh)
                if [ -x "$f" ]; then
                    entrypoint_log "$0: Launching $f"
                    "$f"
                else
                    entrypoint_log "$0: Ignoring $f, not executable"
                fi
                ;;
            *) entrypoint_log "$0: Ignoring $f" ;;
        esac
    done
    entrypoint_log "$0: Configuration complete; ready for start up"
}

if [ "$1" = "nginx" ] || [ "$1" = "nginx-debug" ]; then
    run_entrypoint_scripts
fi

exec "$@"
