# shellcheck shell=bash
# What deploy/backup, deploy/backups and deploy/restore share: compose's
# project options anywhere on the line (compose-options.sh), and the backup
# service's command.
#   deploy/backup -p shop -f docker-compose.yml -f compose.mariadb.yml

die() { printf '%s: %s\n' "${0##*/}" "$*" >&2; exit 1; }
say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }

# shellcheck source=deploy/lib/compose-options.sh
source "$(dirname "${BASH_SOURCE[0]}")/compose-options.sh"

# pageviews-backup COMMAND... in the backup service: in its running
# container, or a one-off one when the service is not running.
in_backup() {
    if [[ -n $(compose ps --quiet --status running backup 2>/dev/null) ]]; then
        compose exec -T backup pageviews-backup "$@"
    else
        compose run --rm --no-deps -T backup "$@"
    fi
}
