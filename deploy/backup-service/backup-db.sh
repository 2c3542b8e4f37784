# shellcheck shell=bash
# The database halves of pageviews-backup, one function per kind and step:
# credentials, dump, the count a dump holds, reading a dump back, restore.
# Sourced by pageviews-backup; KIND is postgres or mariadb.
# shellcheck disable=SC2016 # $ and ` below are SQL's and sed's, not the shell's

readonly DB_HOST=${PAGEVIEWS_BACKUP_DB_HOST:-db}
readonly DB_USER=${PAGEVIEWS_BACKUP_DB_USER:-pageviews}
readonly DB_NAME=${PAGEVIEWS_BACKUP_DB_NAME:-pageviews}
readonly PASSWORD_FILE=${PAGEVIEWS_BACKUP_PASSWORD_FILE:-/run/secrets/db_password}
# Where the clients find the password: memory-backed /tmp, this user only;
# never an argument or the environment, where other processes could read it.
readonly PGPASS=/tmp/pgpass MYCNF=/tmp/my.cnf
# Tables a MariaDB restore loads beside the live ones before swapping.
readonly SHADOW=pvrestore_ OLD=pvold_

dump_file() { [[ $1 == postgres ]] && echo dump.pgdump || echo dump.sql.gz; }

write_credentials() {
    local password
    password=$(<"$PASSWORD_FILE") || die "cannot read the password file $PASSWORD_FILE"
    (
        umask 077
        if [[ $KIND == postgres ]]; then
            password=${password//\\/\\\\}
            printf '*:*:*:%s:%s\n' "$DB_USER" "${password//:/\\:}" >"$PGPASS"
        else
            password=${password//\\/\\\\}
            printf '[client]\nhost=%s\nuser=%s\npassword="%s"\n' "$DB_HOST" "$DB_USER" "${password//\"/\\\"}" >"$MYCNF"
        fi
    )
    export PGPASSFILE=$PGPASS PGHOST=$DB_HOST PGUSER=$DB_USER PGDATABASE=$DB_NAME
}

mdb() { mariadb --defaults-extra-file="$MYCNF" "$@"; }

# -- dump: DIR/dump.* of the whole database, one consistent snapshot ---------
dump_postgres() { pg_dump --format=custom --file="$1/dump.pgdump"; }

dump_mariadb() {
    mariadb-dump --defaults-extra-file="$MYCNF" --single-transaction --no-tablespaces --skip-add-locks \
        --skip-extended-insert "$DB_NAME" | gzip >"$1/dump.sql.gz"
}

# -- the count of / that a dump holds: read from the dump itself, so it is
# the count of the dump's snapshot even while views keep arriving ---------
count_postgres() {
    pg_restore --data-only --table=page_views --file=- "$1" | awk -F'\t' '
        /^COPY public\.page_views / { copying = 1; next }
        copying && /^\\\.$/ { copying = 0 }
        copying && $1 == "/" { views = $2 }
        END { print views + 0 }'
}

count_mariadb() {
    gzip -dc "$1" | awk -F'[(),]' -v row="INSERT INTO \`page_views\` VALUES ('/'," '
        index($0, row) == 1 { views = $3 }
        END { print views + 0 }'
}

# -- read back: the dump member of ARCHIVE, streamed, parses to the end ------
readable_postgres() {
    local toc
    toc=$(tar -xOf "$1" dump.pgdump | pg_restore --list) || return 1
    grep -q 'TABLE DATA public page_views ' <<<"$toc"
}

readable_mariadb() {
    local last
    last=$(tar -xOf "$1" dump.sql.gz | gzip -dc | tail -n 1) || return 1
    [[ $last == "-- Dump completed"* ]]
}

# -- restore: all or nothing; COUNT must be what the restored data holds -----
# One transaction: drop what public holds, load the dump, check the count,
# and COMMIT only if pg_restore got through the whole dump (else psql meets
# the end of its input inside the transaction, which the server rolls back).
restore_postgres() {
    local archive=$1 count=$2
    {
        printf 'BEGIN;\n'
        printf '%s\n' 'DO $$DECLARE r record; BEGIN' \
            "FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace" \
            "  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'S') LOOP" \
            "  EXECUTE format('DROP %s IF EXISTS public.%I CASCADE'," \
            "    CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, r.relname);" \
            'END LOOP; END$$;'
        tar -xOf "$archive" dump.pgdump | pg_restore --no-owner --no-privileges --file=- || exit 1
        printf '%s\n' 'DO $$BEGIN' \
            "IF COALESCE((SELECT views FROM public.page_views WHERE path = '/'), 0) <> $count THEN" \
            "  RAISE EXCEPTION 'the restored count differs from the metadata ($count)';" \
            'END IF; END$$;' 'COMMIT;'
    } | psql -X -q -v ON_ERROR_STOP=1 >/dev/null
}

# MariaDB commits each CREATE and DROP, so no transaction can hold a
# restore: the dump is loaded into shadow tables beside the live ones, its
# count checked, and then one RENAME TABLE (atomic) swaps every table in.
restore_mariadb() {
    local archive=$1 count=$2 tables=() table renames=() restored
    mapfile -t tables < <(tar -xOf "$archive" dump.sql.gz | gzip -dc | sed -n 's/^CREATE TABLE `\([^`]*\)`.*/\1/p')
    ((${#tables[@]} > 0)) || return 1
    drop_tables "$SHADOW" "${tables[@]}" && drop_tables "$OLD" "${tables[@]}" || return 1
    # Called where errexit does not apply (restore || die): each step says.
    tar -xOf "$archive" dump.sql.gz | gzip -dc \
        | sed -E "s/^(DROP TABLE IF EXISTS|CREATE TABLE|INSERT INTO|\/\*!40000 ALTER TABLE) \`/\1 \`$SHADOW/" \
        | mdb "$DB_NAME" || return 1
    restored=$(mdb -N -B "$DB_NAME" -e "SELECT COALESCE((SELECT views FROM \`${SHADOW}page_views\` WHERE path = '/'), 0)")
    if [[ $restored != "$count" ]]; then
        drop_tables "$SHADOW" "${tables[@]}"
        printf 'ERROR: the restored count differs from the metadata (%s): %s\n' "$count" "$restored" >&2
        return 1
    fi
    for table in "${tables[@]}"; do
        if [[ -n $(mdb -N -B "$DB_NAME" -e "SHOW TABLES LIKE '$table'") ]]; then
            renames+=("\`$table\` TO \`$OLD$table\`")
        fi
        renames+=("\`$SHADOW$table\` TO \`$table\`")
    done
    mdb "$DB_NAME" -e "RENAME TABLE $(IFS=,; echo "${renames[*]}")" || return 1
    drop_tables "$OLD" "${tables[@]}"
}

drop_tables() { # PREFIX TABLE...
    local prefix=$1 table statement=""
    shift
    for table in "$@"; do statement+="DROP TABLE IF EXISTS \`$prefix$table\`;"; done
    [[ -z $statement ]] || mdb "$DB_NAME" -e "$statement"
}
