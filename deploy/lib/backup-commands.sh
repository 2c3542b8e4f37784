# shellcheck shell=bash
# What deploy/backup, deploy/backups and deploy/restore share. Each takes
# docker compose's own project options anywhere on its command line and
# passes them to every compose command it runs, so that it works on any
# project name and file set:
#   deploy/backup -p shop -f docker-compose.yml -f compose.mariadb.yml
# COMPOSE_PROJECT_NAME and COMPOSE_FILE work as they do for compose itself.

COMPOSE=(docker compose)
ARGS=()

die() { printf '%s: %s\n' "${0##*/}" "$*" >&2; exit 1; }
say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }

# Splits "$@" into compose's options (COMPOSE) and the command's (ARGS).
parse_compose_options() {
    while (($#)); do
        case $1 in
            -p | --project-name | -f | --file | --project-directory | --env-file | --profile)
                (($# >= 2)) || die "$1 needs a value"
                COMPOSE+=("$1" "$2")
                shift 2
                ;;
            --project-name=* | --file=* | --project-directory=* | --env-file=* | --profile=*)
                COMPOSE+=("$1")
                shift
                ;;
            *)
                ARGS+=("$1")
                shift
                ;;
        esac
    done
}

compose() { "${COMPOSE[@]}" "$@"; }

# pageviews-backup COMMAND... in the backup service: in its running
# container, or a one-off one when the service is not running.
in_backup() {
    if [[ -n $(compose ps --quiet --status running backup 2>/dev/null) ]]; then
        compose exec -T backup pageviews-backup "$@"
    else
        compose run --rm --no-deps -T backup "$@"
    fi
}
