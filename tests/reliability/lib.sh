# shellcheck shell=bash
# The S_*, LOAD_*, LOST_SUMMARY and ROW_* globals set here are read by the
# files that source this one.
# shellcheck disable=SC2034
# Helpers of the reliability suite (sourced by tests/reliability/run): the
# cluster under its own compose project, the tools container, bounded load,
# load analysis and the results table that becomes docs/reliability.md.

log() { printf '[reliability] %s\n' "$*" >&2; }

compose() {
    local files=(--file "$ROOT/docker-compose.yml") extra
    # Extra compose files (e.g. to try a fix before it lands), space-separated.
    for extra in ${PAGEVIEWS_RELIABILITY_EXTRA_COMPOSE:-}; do files+=(--file "$extra"); done
    docker compose --project-name "$PROJECT" --project-directory "$ROOT" "${files[@]}" "$@"
}

project_containers() {
    docker ps --all --quiet --filter "label=com.docker.compose.project=$PROJECT"
}

name_of() { docker inspect --format '{{.Name}}' "$1" | sed 's|^/||'; }

# What changes when a container is restarted or replaced.
identity() {
    docker inspect --format '{{.Id}} {{.State.StartedAt}} {{.RestartCount}}' "$1"
}

identities_of() { # SERVICE
    local id
    for id in $(containers_of "$1"); do identity "$id"; done
}

host_pid() { docker inspect --format '{{.State.Pid}}' "$1"; }

# Logs of every container, kept before compose down removes them.
save_logs() { # NAME
    compose logs --no-color --timestamps >"$WORK/logs-$1.txt" 2>&1 || true
}

# db_psql [DATABASE]: runs the SQL on stdin with psql inside the db
# container, as the owner (POSTGRES_USER), over the Unix socket (so its own
# backend has no client_addr), in DATABASE (default: the app's, POSTGRES_DB).
# Unaligned, tuples only; stops at the first error and then exits non-zero.
# The app's database name is the psql variable db (:"db" and :'db' in SQL),
# for statements that must name it from another database.
# shellcheck disable=SC2120 # DATABASE is optional
db_psql() {
    # shellcheck disable=SC2016 # expanded inside the container
    compose exec -T db sh -c 'psql -X -q -t -A -v ON_ERROR_STOP=1 -v db="$POSTGRES_DB" \
        -U "$POSTGRES_USER" -d "${1:-$POSTGRES_DB}"' sh "${1:-}"
}

# The count straight from PostgreSQL (psql inside the db container).
db_views() {
    # shellcheck disable=SC2119 # the app's database
    db_psql <<<"SELECT views FROM page_views WHERE path = '/';" 2>/dev/null | tr -d '[:space:]'
}

now() { printf '%s' "${EPOCHREALTIME/,/.}"; }

# Float arithmetic without bc: fcalc 'EXPRESSION' (awk syntax).
fcalc() { awk "BEGIN { printf \"%.2f\", $1 }"; }

# ---------------------------------------------------------------------------
# The tools container (curl, psql, nc) on a cluster network.

TOOLS_CONTAINER=''
tools_start() { # NETWORK-NAME
    TOOLS_CONTAINER="$PROJECT-tools-$$"
    docker rm -f "$TOOLS_CONTAINER" >/dev/null 2>&1 || true
    docker run -d --name "$TOOLS_CONTAINER" --label "$RUN_LABEL" --network "$1" \
        -v "$ROOT/tests/reliability:/r:ro" -v "$WORK:/work" "$TOOLS_IMAGE" sleep 1800 >/dev/null
}

tools_stop() {
    [[ -z "$TOOLS_CONTAINER" ]] || docker rm -f "$TOOLS_CONTAINER" >/dev/null 2>&1 || true
    TOOLS_CONTAINER=''
}

tools() { docker exec -i "$TOOLS_CONTAINER" "$@"; }

# A one-off tools container on NETWORK-NAME.
tools_on() {
    local network=$1
    shift
    docker run --rm -i --label "$RUN_LABEL" --network "$network" "$TOOLS_IMAGE" "$@"
}

# ---------------------------------------------------------------------------
# Load: tests/reliability/load.sh on the host, against the published port
# (loopback), so it keeps running while compose replaces networks.

# nginx buffers its access log and writes it out every second (flush=1s):
# the lines of a load are all there 2 s after it stopped.
access_log_settled() {
    local wait_us=$((${LOAD_STOPPED_US:-0} + 2000000 - ${EPOCHREALTIME/[.,]/}))
    ((wait_us <= 0)) || sleep "$((wait_us / 1000000)).$(printf '%06d' $((wait_us % 1000000)))"
}

load_start() { # NAME WORKERS PERIOD SECONDS_MAX COUNT_MAX
    local name=$1
    LOAD_NAME=$name
    rm -f "$WORK/$name.stop"
    "$ROOT/tests/reliability/load.sh" "$BASE_URL/" "$2" "$3" "$4" "$5" "$name-$RUN_ID" "$WORK/$name.stop" \
        >"$WORK/$name.load" 2>/dev/null &
    LOAD_PID=$!
}

load_stop() { # NAME
    touch "$WORK/$1.stop"
    wait "$LOAD_PID" 2>/dev/null || true
    LOAD_PID=''
    LOAD_STOPPED_US=${EPOCHREALTIME/[.,]/}
}

# load_stats FILE: sets S_* from a load file (see load.sh for its lines).
#   S_TOTAL S_OK (200 with a number) S_NOT_COUNTED (503, or no connection
#   made: certainly not counted) S_UNCERTAIN (every other failure: may have
#   counted)
#   S_DISTINCT S_MIN S_MAX (acknowledged numbers) S_MAXFAIL (longest failed
#   request, s) S_MAX503 (longest 503, s) S_STATUSES ("200x512 504x3")
load_stats() {
    local line
    line=$(awk '
        { total++; status[$3]++ }
        $3 == 200 && $4 ~ /^[0-9]+$/ {
            ok++; if (!seen[$4]++) distinct++
            if (min == "" || $4 + 0 < min) min = $4 + 0
            if ($4 + 0 > max) max = $4 + 0
            next }
        $3 == 503 { notcounted++; if ($5 + 0 > max503) max503 = $5 + 0 }
        $3 == "refused" { notcounted++; next }
        { if ($5 + 0 > maxfail) maxfail = $5 + 0 }
        END {
            s = ""
            n = asorti_compat(status, keys)
            for (i = 1; i <= n; i++) s = s (s == "" ? "" : " ") keys[i] "x" status[keys[i]]
            printf "%d %d %d %d %d %s %s %.2f %.2f %s\n", total, ok, notcounted, total - ok - notcounted,
                distinct, (min == "" ? "-" : min), (max == "" ? "-" : max), maxfail, max503, (s == "" ? "none" : s)
        }
        function asorti_compat(a, k,    x, n, i, j, t) {
            n = 0; for (x in a) k[++n] = x
            for (i = 2; i <= n; i++) { t = k[i]; for (j = i - 1; j > 0 && k[j] > t; j--) k[j + 1] = k[j]; k[j + 1] = t }
            return n }
    ' "$1")
    read -r S_TOTAL S_OK S_NOT_COUNTED S_UNCERTAIN S_DISTINCT S_MIN S_MAX S_MAXFAIL S_MAX503 S_STATUSES <<<"$line"
    S_STATUSES=$(awk '{ for (i = 1; i <= NF; i++) { split($i, p, "x"); printf "%s%s: %s", (i > 1 ? ", " : ""), p[1], p[2] } }' <<<"$S_STATUSES")
}

# The start of the first request after the last failure that started at or
# after FROM (epoch s): when the service was back for good. Prints FROM when
# nothing failed after it, "never" when the last request failed.
recovered_at() { # FILE FROM
    sort -k2,2n "$1" | awk -v from="$2" '
        $2 + 0 >= from + 0 && $3 != 200 { lastfail = $2 + 0; after = "" ; failed = 1; next }
        failed && after == "" && $2 + 0 > lastfail { after = $2 }
        END { if (!failed) print from; else if (after == "") print "never"; else print after }'
}

# check_nothing_lost ID FILE START_COUNT END_COUNT [RESENT]: the issue's
# definition. Acknowledged views (200 with a number) are distinct, all above
# the count at the start, none above the count at the end, and the count grew
# by the acknowledged views plus at most the requests whose outcome is unknown
# to us: failures other than a 503 or a refused connection, and the RESENT
# requests nginx passed to another replica after a connection error (the
# first replica may have died after counting). Exactly by the acknowledged
# ones when there is neither.
check_nothing_lost() {
    local id=$1 file=$2 before=$3 after=$4 resent=${5:-0}
    load_stats "$file"
    if [[ -z "$before" || -z "$after" ]]; then
        fail "$id: nothing lost" "could not read the count from PostgreSQL (before '$before', after '$after')"
        return
    fi
    expect_eq "$id: every acknowledged number is distinct ($S_OK acknowledged)" "$S_OK" "$S_DISTINCT"
    if ((S_OK > 0)); then
        if ((S_MIN > before && S_MAX <= after)); then
            pass "$id: acknowledged numbers $S_MIN..$S_MAX lie within the DB count's growth $before -> $after"
        else
            fail "$id: acknowledged numbers lie within the DB count's growth" \
                "numbers $S_MIN..$S_MAX, DB count $before -> $after"
        fi
    fi
    local grown=$((after - before)) unknown=$((S_UNCERTAIN + resent))
    if ((unknown == 0)); then
        expect_eq "$id: DB count grew by exactly the acknowledged views (no outcome unknown)" "$S_OK" "$grown"
    elif ((grown >= S_OK && grown <= S_OK + unknown)); then
        pass "$id: DB count grew by $grown: the $S_OK acknowledged plus $((grown - S_OK)) of the $unknown whose outcome was unknown ($S_UNCERTAIN failed, $resent re-sent after a connection error)"
    else
        fail "$id: DB count grew by the acknowledged views plus at most the unknown outcomes" \
            "grew by $grown; $S_OK acknowledged, $S_UNCERTAIN failed with unknown outcome, $resent re-sent after a connection error"
    fi
    LOST_SUMMARY="count $before -> $after (+$grown); $S_OK acknowledged, distinct: $([[ $S_OK == "$S_DISTINCT" ]] && echo yes || echo no); $S_UNCERTAIN outcome unknown; $resent re-sent by nginx after a connection error"
}

# ---------------------------------------------------------------------------
# The results table. A row gathers the checks between row_start and row_end:
# it passes when at least one check passed and none failed.

row_start() { # KIND ID WHAT
    ROW_KIND=$1 ROW_ID=$2 ROW_WHAT=$3
    ROW_FAILED0=$TESTS_FAILED ROW_PASSED0=$TESTS_PASSED ROW_OBSERVED=''
    ROW_STARTED=$SECONDS
    section "$ROW_ID: $ROW_WHAT"
}

observe() { ROW_OBSERVED+="${ROW_OBSERVED:+; }$*"; }

row_end() {
    local result=pass
    if ((TESTS_FAILED > ROW_FAILED0)); then
        result=FAIL
    elif ((TESTS_PASSED == ROW_PASSED0)); then
        result=FAIL
        fail "$ROW_ID: ran at least one check" "no check ran"
    fi
    log "$ROW_ID took $((SECONDS - ROW_STARTED)) s: $result"
    printf '%s\t%s\t%s\t%s\t%s\n' "$ROW_KIND" "$ROW_ID" "$ROW_WHAT" "${ROW_OBSERVED:-(nothing recorded)}" "$result" \
        | tr -d '\r' >>"$RESULTS"
}

# A row that is documented but not tested.
row_note() { # KIND ID WHAT NOTE
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "out of scope" >>"$RESULTS"
}

# A fault that changes the database beyond its own row (F10 refuses
# connections to it) names here the command that undoes it; teardown runs
# it when the fault did not get to (an error, Ctrl-C), before anything else.
FAULT_UNDO=''
undo_fault() {
    [[ -n "$FAULT_UNDO" ]] || return 0
    local undo=$FAULT_UNDO
    FAULT_UNDO=''
    log "undoing the interrupted fault: $undo"
    "$undo" || log "warning: '$undo' failed"
}

md_cell() { printf '%s' "${1//|/\\|}"; }
