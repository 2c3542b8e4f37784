# shellcheck shell=bash
# Compose's own project options, taken anywhere on a deploy command's line
# and passed to every compose command it runs, so that the command works on
# any project name and file set (-p shop -f docker-compose.yml -f ...).
# COMPOSE_PROJECT_NAME and COMPOSE_FILE work as they do for compose itself.
# The sourcing script defines die (one line, then exit).

COMPOSE_OPTIONS=()
ARGS=()

# Splits "$@" into compose's options (COMPOSE_OPTIONS) and the rest (ARGS).
parse_compose_options() {
    while (($#)); do
        case $1 in
            -p | --project-name | -f | --file | --project-directory | --env-file | --profile)
                (($# >= 2)) || die "$1 needs a value"
                COMPOSE_OPTIONS+=("$1" "$2")
                shift 2
                ;;
            --project-name=?* | --file=?* | --project-directory=?* | --env-file=?* | --profile=?*)
                COMPOSE_OPTIONS+=("$1")
                shift
                ;;
            *)
                ARGS+=("$1")
                shift
                ;;
        esac
    done
}

compose() { docker compose "${COMPOSE_OPTIONS[@]}" "$@"; }
