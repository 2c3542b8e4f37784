# shellcheck shell=bash
# Faults 1-7 of issue 6, each under steady load (see load.sh), each checked
# for "nothing lost", and faults 8-10 of issue 15: a view is answered only
# after its COMMIT succeeded (F8 deterministically, F9 as a full disk does
# it), and no database connection outlives its deadline (F10). Sourced by
# tests/reliability/run.

# A failed request may take the DB timeout plus this much (proxying, scheduling).
readonly FAIL_SLACK_S=0.5
readonly RECOVERY_LIMIT_S=5

# ---------------------------------------------------------------------------
# PostgreSQL probe: dbprobe.sh in the tools image on the backend network.

probe_start() { # NAME SECONDS
    docker rm -f "$PROJECT-probe-$1" >/dev/null 2>&1 || true
    docker run -d --name "$PROJECT-probe-$1" --label "$RUN_LABEL" --network "$(network_of backend)" \
        -v "$ROOT/tests/reliability:/r:ro" "$TOOLS_IMAGE" bash /r/dbprobe.sh db "$2" >/dev/null
}

probe_stop() { docker rm -f "$PROJECT-probe-$1" >/dev/null 2>&1 || true; }

# The first moment at or after FROM that PostgreSQL accepted connections
# after not doing so (the refusal may have begun before FROM); nothing while
# it has not.
probe_ready_at() { # NAME FROM
    docker logs "$PROJECT-probe-$1" 2>/dev/null | awk -v from="$2" '
        $2 != 0 { down = 1; next }
        down && $1 + 0 >= from + 0 { print $1; exit }
        { down = 0 }'
}

sleep_until() { # EPOCH
    local left
    left=$(fcalc "$1 - $(now)")
    if awk -v l="$left" 'BEGIN { exit !(l > 0) }'; then sleep "$left"; fi
}

# nginx's access log: "request_id|upstream_addr|status|upstream_status" for
# the requests whose id starts with PREFIX.
nginx_requests() { # PREFIX
    access_log_settled
    compose logs --no-color --no-log-prefix web 2>/dev/null | grep -F "\"request_id\":\"$1" \
        | sed -n 's/.*"request_id":"\([^"]*\)".*"status":\([0-9]*\),.*"upstream_addr":"\([^"]*\)","upstream_status":"\([^"]*\)".*/\1|\3|\2|\4/p' || true
}

# The replicas that served requests of PREFIX which started after FROM
# (the last address nginx tried is the one that answered).
served_by_after() { # PREFIX LOADFILE FROM
    local ids
    ids=$(awk -v from="$3" '$2 + 0 > from + 0 && $3 == 200 {print $1}' "$2" | sort -t '|' -k1,1)
    join -t '|' <(printf '%s\n' "$ids") <(nginx_requests "$1" | sort -t '|' -k1,1) \
        | awk -F'|' '{sub(/.*, /, "", $2); print $2}' | sort | uniq -c | awk '{printf "%s%s=%s", (NR > 1 ? " " : ""), $2, $1}'
}

# How many requests of PREFIX nginx passed to another replica after a
# connection error: "502" among the upstream statuses, not the last one.
resent_after_error() { # PREFIX
    nginx_requests "$1" | awk -F'|' '$4 ~ /(^|, )502, / {n++} END {print n + 0}'
}

app_ids_unchanged() { # IDENTITIES-BEFORE
    [[ "$1" == "$(identities_of app)" ]]
}

# Common checks after a database fault (F1, F2).
check_db_fault() { # ID FILE T_FAULT T_READY BEFORE AFTER IDS_BEFORE
    local id=$1 file=$2 t_fault=$3 t_ready=$4 before=$5 after=$6 ids=$7 back recovery
    load_stats "$file"
    if awk -v m="$S_MAXFAIL" -v l="$(fcalc "$DB_TIMEOUT_S + $FAIL_SLACK_S")" 'BEGIN { exit !(m <= l) }'; then
        pass "$id: no request hung: every failed one answered within the DB timeout + ${FAIL_SLACK_S} s (longest ${S_MAXFAIL} s)"
    else
        fail "$id: no request hung past the DB timeout ($DB_TIMEOUT_S s + $FAIL_SLACK_S s)" "longest failed request took ${S_MAXFAIL} s"
    fi
    if [[ -z "$t_ready" ]]; then
        fail "$id: PostgreSQL accepted connections again" "the probe never saw it ready"
        return
    fi
    back=$(recovered_at "$file" "$t_fault")
    if [[ "$back" == never ]]; then
        fail "$id: the app recovers within ${RECOVERY_LIMIT_S} s of the DB accepting connections" "the last requests still failed"
        recovery=never
    else
        recovery=$(fcalc "$back - $t_ready")
        DB_FAULT_RECOVERY_RAW=$recovery
        # The probe polls every 0.2 s: the app may be back before it noticed.
        if awk -v r="$recovery" 'BEGIN { exit !(r < 0) }'; then recovery=0.00; fi
        if awk -v r="$recovery" -v l="$RECOVERY_LIMIT_S" 'BEGIN { exit !(r <= l) }'; then
            pass "$id: the app served again ${recovery} s after PostgreSQL accepted connections (limit ${RECOVERY_LIMIT_S} s)"
        else
            fail "$id: the app recovers within ${RECOVERY_LIMIT_S} s of the DB accepting connections" "took ${recovery} s"
        fi
    fi
    if app_ids_unchanged "$ids"; then
        pass "$id: no app replica restarted (same containers, start times, restart counts)"
    else
        fail "$id: no app replica restarted" "identities changed: $(identities_of app | tr '\n' ' ')"
    fi
    DB_FAULT_RECOVERY=$recovery
}

# ---------------------------------------------------------------------------

# end_db_fault NAME SINCE PATIENCE_S: waits (at most PATIENCE_S) until the
# probe sees PostgreSQL accept connections again, keeps the load on for the
# recovery limit after that, then stops load and probe. Sets DB_READY_AT
# (empty when the probe never saw it ready).
end_db_fault() {
    local name=$1 since=$2 deadline=$((SECONDS + $3))
    DB_READY_AT=$(probe_ready_at "$name" "$since")
    while [[ -z "$DB_READY_AT" ]] && ((SECONDS < deadline)); do
        sleep 0.5
        DB_READY_AT=$(probe_ready_at "$name" "$since")
    done
    sleep_until "$(fcalc "${DB_READY_AT:-$(now)} + ${RECOVERY_LIMIT_S} + 2")"
    load_stop "$name"
    probe_stop "$name"
}

fault_db_restart() {
    row_start fault F1 "db restarted under steady load (4 clients): docker compose stop db, 5 s down, docker compose start db"
    local ids before after t_stop t_stopped t_start t_ready
    ids=$(identities_of app)
    before=$(db_views)
    probe_start f1 60
    load_start f1 4 0.05 60 3000
    sleep 3
    t_stop=$(now)
    compose_quiet stop --timeout 30 db || fail "F1: docker compose stop db" "compose failed"
    t_stopped=$(now)
    sleep 5
    t_start=$(now)
    compose_quiet start db || fail "F1: docker compose start db" "compose failed"
    # Ready only counts once the start command ran: a probe once saw the
    # stopped db "accept" 1.5 s after the stop, which ended the load before
    # the real recovery.
    end_db_fault f1 "$t_start" 40
    t_ready=$DB_READY_AT
    wait_until 20 nginx_answers_app || true
    after=$(db_views)

    check_db_fault F1 "$WORK/f1.load" "$t_stop" "$t_ready" "$before" "$after" "$ids"
    load_stats "$WORK/f1.load"
    # Requests sent once the DB was down (stop returned) must be refused
    # with 503; those in flight as it went down may end in 504 (unknown).
    local n503 nfailed
    n503=$(awk -v t="$t_stopped" '$2 + 0 > t + 0 && $3 == 503' "$WORK/f1.load" | wc -l)
    nfailed=$(awk -v t="$t_stopped" '$2 + 0 > t + 0 && $3 != 200' "$WORK/f1.load" | wc -l)
    local median503
    median503=$(awk '$3 == 503 {print $5}' "$WORK/f1.load" | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.3f", v[int((NR + 1) / 2)]; else print "none" }')
    if ((n503 > 0 && n503 == nfailed)) && awk -v m="$median503" 'BEGIN { exit !(m + 0 < 0.5) }'; then
        pass "F1: while the DB was down, every request failed with 503, not counted, fast ($n503; median ${median503} s, longest ${S_MAX503} s)"
    else
        fail "F1: while the DB was down, requests fail fast (median < 0.5 s) with 503, not counted" \
            "$n503 of the $nfailed failures sent while it was down were 503 (all: $S_STATUSES), median 503 ${median503} s"
    fi
    check_nothing_lost F1 "$WORK/f1.load" "$before" "$after" "$(resent_after_error f1-)"
    observe "$S_TOTAL requests ($S_STATUSES)"
    if ((n503 > 0)); then
        observe "503 in ${median503} s (median), longest failed request ${S_MAXFAIL} s"
    else
        observe "no 503 at all; longest failed request ${S_MAXFAIL} s"
    fi
    [[ -z "$t_ready" ]] || observe "PostgreSQL accepted connections again $(fcalc "$t_ready - $t_stop") s after the stop ($(fcalc "$t_ready - $t_start") s after the start)"
    observe "app serving again $(recovery_text) after that, no replica restarted"
    observe "$LOST_SUMMARY"
    row_end
}

# "1.20 s", or "at once" when the app was back before the probe (every
# 0.2 s) saw PostgreSQL ready.
recovery_text() {
    if [[ "${DB_FAULT_RECOVERY:-never}" == never ]]; then printf 'never'; return; fi
    if awk -v r="${DB_FAULT_RECOVERY_RAW:-0}" 'BEGIN { exit !(r <= 0) }'; then
        printf 'at once (first success %s s from the probe seeing it ready, which polls every 0.2 s)' "${DB_FAULT_RECOVERY_RAW}"
    else
        printf '%s s' "$DB_FAULT_RECOVERY"
    fi
}

fault_db_pause() {
    row_start fault F2 "db paused for 10 s (docker compose pause db, then unpause) under steady load (4 clients)"
    local ids before after t_pause t_unpause t_ready
    ids=$(identities_of app)
    before=$(db_views)
    probe_start f2 60
    load_start f2 4 0.05 60 3000
    sleep 3
    t_pause=$(now)
    compose_quiet pause db || fail "F2: docker compose pause db" "compose failed"
    sleep 10
    t_unpause=$(now)
    compose_quiet unpause db || fail "F2: docker compose unpause db" "compose failed"
    end_db_fault f2 "$t_pause" 30
    t_ready=$DB_READY_AT
    after=$(db_views)

    check_db_fault F2 "$WORK/f2.load" "$t_pause" "$t_ready" "$before" "$after" "$ids"
    load_stats "$WORK/f2.load"
    local others
    others=$(awk '$3 != 200 && $3 != 503 && $3 != 504' "$WORK/f2.load" | wc -l)
    if ((S_TOTAL > S_OK)) && ((others == 0)); then
        pass "F2: while paused, requests failed only with the app's 504 (timeout, may have counted) or 503 (not counted)"
    else
        fail "F2: while paused, requests failed only with the app's 504 or 503" "statuses: $S_STATUSES"
    fi
    check_nothing_lost F2 "$WORK/f2.load" "$before" "$after" "$(resent_after_error f2-)"
    observe "$S_TOTAL requests ($S_STATUSES)"
    observe "longest failed request ${S_MAXFAIL} s (DB timeout ${DB_TIMEOUT_S} s)"
    [[ -z "$t_ready" ]] || observe "PostgreSQL answered again $(fcalc "$t_ready - $t_unpause") s after the unpause command"
    observe "app serving again $(recovery_text) after that, no replica restarted"
    observe "$LOST_SUMMARY"
    row_end
}

fault_kill_replica() {
    row_start fault F3 "one of 3 app replicas killed with SIGKILL (kill -KILL of its process from the host, as a crash) under steady load (4 clients)"
    local victim victim_name victim_ip restarts0 others before after t_kill t_back='' failed
    victim=$(containers_of app | head -n 1)
    victim_name=$(name_of "$victim")
    victim_ip=$(ip_on "$victim" "$(network_of frontend)")
    restarts0=$(docker inspect --format '{{.RestartCount}}' "$victim")
    others=$(for id in $(containers_of app | tail -n +2); do identity "$id"; done)
    before=$(db_views)
    load_start f3 4 0.05 60 3000
    sleep 3
    t_kill=$(now)
    local pid
    pid=$(host_pid "$victim")
    if [[ "$pid" =~ ^[0-9]+$ ]] && ((pid > 1)); then
        kill -KILL "$pid"
    else
        fail "F3: found the replica's process" "State.Pid '$pid'"
    fi
    local deadline=$((SECONDS + 60))
    while ((SECONDS < deadline)); do
        if [[ "$(docker inspect --format '{{.RestartCount}} {{if .State.Health}}{{.State.Health.Status}}{{end}}' "$victim")" == "$((restarts0 + 1)) healthy" ]]; then
            t_back=$(now)
            break
        fi
        sleep 0.5
    done
    # nginx keeps a failed replica out for 4 s and re-resolves every second.
    sleep 7
    load_stop f3
    after=$(db_views)

    load_stats "$WORK/f3.load"
    failed=$((S_TOTAL - S_OK))
    if ((failed <= 5)); then
        pass "F3: nginx kept serving from the other replicas: $failed of $S_TOTAL requests failed (at most 5 allowed)"
    else
        fail "F3: nginx kept serving from the other replicas (at most 5 failures)" "$failed of $S_TOTAL failed: $S_STATUSES"
    fi
    if [[ -n "$t_back" ]]; then
        pass "F3: the restart policy brought $victim_name back (same container, restart count $restarts0 -> $((restarts0 + 1)), healthy $(fcalc "$t_back - $t_kill") s after the kill)"
    else
        fail "F3: the restart policy brought the killed replica back" \
            "$(docker inspect --format 'status {{.State.Status}}, restarts {{.RestartCount}}' "$victim")"
    fi
    expect_eq "F3: the other replicas were untouched" "$others" "$(for id in $(containers_of app | grep -v "^$victim"); do identity "$id"; done)"
    local served
    served=$(served_by_after "f3-$RUN_ID" "$WORK/f3.load" "${t_back:-$(now)}")
    if [[ -n "$t_back" && " $served" == *" $victim_ip:8000="* ]]; then
        pass "F3: it rejoined: nginx sent it requests again ($served)"
    else
        fail "F3: the killed replica rejoined (nginx sends it requests)" "after it was healthy: ${served:-none} (victim $victim_ip)"
    fi
    check_nothing_lost F3 "$WORK/f3.load" "$before" "$after" "$(resent_after_error f3-)"
    observe "$S_TOTAL requests ($S_STATUSES): $failed failed"
    [[ -z "$t_back" ]] || observe "killed replica restarted by Docker and healthy after $(fcalc "$t_back - $t_kill") s, then served again ($served)"
    observe "$LOST_SUMMARY"
    row_end
}

fault_rolling_restart() {
    row_start fault F4 "rolling restart of all 3 app replicas, one at a time (docker restart: SIGTERM, drain, exit, start; the next once the previous is healthy and 5 s passed) under steady load (4 clients)"
    local before after id took=() t0 restarted=0 ids0
    ids0=$(identities_of app)
    before=$(db_views)
    load_start f4 4 0.05 150 8000
    sleep 3
    for id in $(containers_of app); do
        t0=$SECONDS
        docker restart --time 15 "$id" >/dev/null || fail "F4: docker restart $(name_of "$id")" "failed"
        if wait_until 60 bash -c "[[ \$(docker inspect --format '{{.State.Health.Status}}' $id) == healthy ]]"; then
            restarted=$((restarted + 1))
        fi
        took+=("$((SECONDS - t0))s")
        sleep 5
    done
    load_stop f4
    after=$(db_views)

    load_stats "$WORK/f4.load"
    expect_eq "F4: every replica restarted and healthy again" "$REPLICAS" "$restarted"
    local changed=0 line
    while read -r line; do
        grep -qxF "$line" <<<"$ids0" || changed=$((changed + 1))
    done < <(identities_of app)
    expect_eq "F4: all $REPLICAS replicas have a new start time" "$REPLICAS" "$changed"
    expect_eq "F4: zero failed requests during the rolling restart ($S_TOTAL sent)" "0" "$((S_TOTAL - S_OK))"
    check_nothing_lost F4 "$WORK/f4.load" "$before" "$after" "$(resent_after_error f4-)"
    observe "$S_TOTAL requests ($S_STATUSES) while the 3 replicas restarted in turn (restart to healthy: ${took[*]})"
    observe "$LOST_SUMMARY"
    row_end
}

fault_nginx_reload() {
    row_start fault F5 "nginx reloaded 3 times (nginx -s reload in the web container), 2 s apart, under steady load (4 clients)"
    local before after web0 hups0 hups1 reloads=0
    web0=$(identity "$(containers_of web)")
    hups0=$(compose logs --no-color web 2>/dev/null | grep -c 'signal 1 (SIGHUP) received' || true)
    before=$(db_views)
    load_start f5 4 0.05 40 3000
    sleep 2
    for _ in 1 2 3; do
        if compose exec -T web nginx -s reload >/dev/null 2>&1; then reloads=$((reloads + 1)); fi
        sleep 2
    done
    sleep 2
    load_stop f5
    after=$(db_views)
    hups1=$(compose logs --no-color web 2>/dev/null | grep -c 'signal 1 (SIGHUP) received' || true)

    load_stats "$WORK/f5.load"
    expect_eq "F5: nginx -s reload succeeded 3 times" 3 "$reloads"
    expect_eq "F5: nginx logged 3 reconfigurations (SIGHUP)" 3 "$((hups1 - hups0))"
    expect_eq "F5: the web container was not restarted" "$web0" "$(identity "$(containers_of web)")"
    expect_eq "F5: zero failed requests across the reloads ($S_TOTAL sent)" "0" "$((S_TOTAL - S_OK))"
    check_nothing_lost F5 "$WORK/f5.load" "$before" "$after" "$(resent_after_error f5-)"
    observe "$S_TOTAL requests ($S_STATUSES) across 3 reloads; $((hups1 - hups0)) reconfigurations logged"
    observe "$LOST_SUMMARY"
    row_end
}

fault_sigterm() {
    row_start fault F6 "SIGTERM to one app replica while requests wait in it (a psql transaction holds the counter row for 1.5 s, a burst of 9 requests arrives, SIGTERM 0.4 s in), under steady load (6 clients)"
    local victim victim_name victim_ip before after t_term t_exit='' lock_pid exit_code inflight
    victim=$(containers_of app | sed -n 2p)
    victim_name=$(name_of "$victim")
    victim_ip=$(ip_on "$victim" "$(network_of frontend)")
    before=$(db_views)
    load_start f6 6 0.05 60 4000
    sleep 3
    # The row lock: psql says "locked" (through a shell, unbuffered) once it
    # holds it, then keeps it 1.5 s, less than the app's DB timeout.
    # shellcheck disable=SC2016 # expanded inside the container
    compose exec -T db sh -c 'psql -X -q -U "$POSTGRES_USER" -d "$POSTGRES_DB"' >"$WORK/f6.lock" 2>&1 <<'SQL' &
BEGIN;
SELECT views FROM page_views WHERE path = '/' FOR UPDATE;
\! echo locked
SELECT pg_sleep(1.5);
COMMIT;
SQL
    lock_pid=$!
    local deadline=$((SECONDS + 15))
    until grep -q '^locked' "$WORK/f6.lock" 2>/dev/null || ((SECONDS >= deadline)); do sleep 0.05; done
    grep -q '^locked' "$WORK/f6.lock" || fail "F6: a psql transaction holds the counter row" "$(head -c 300 "$WORK/f6.lock")"
    # A burst while the row is locked, so that every replica surely holds
    # some waiting requests when SIGTERM comes.
    "$ROOT/tests/reliability/load.sh" "$BASE_URL/" 9 0.05 5 1 "f6b-$RUN_ID" >"$WORK/f6b.load" 2>/dev/null &
    local burst_pid=$!
    sleep 0.4
    t_term=$(now)
    docker kill --signal TERM "$victim" >/dev/null
    wait "$lock_pid" || true
    wait "$burst_pid" || true
    deadline=$((SECONDS + 20))
    while ((SECONDS < deadline)); do
        if [[ "$(docker inspect --format '{{.State.Running}}' "$victim")" == false ]]; then
            t_exit=$(now)
            break
        fi
        sleep 0.2
    done
    exit_code=$(docker inspect --format '{{.State.ExitCode}}' "$victim")
    local drained
    drained=$(docker logs --tail 20 "$victim" 2>&1 | grep -c 'drained; exiting' || true)
    docker start "$victim" >/dev/null
    wait_until 60 bash -c "[[ \$(docker inspect --format '{{.State.Health.Status}}' $victim) == healthy ]]" || true
    sleep 5
    load_stop f6
    after=$(db_views)
    cat "$WORK/f6b.load" >>"$WORK/f6.load"

    # In flight on the victim at SIGTERM: sent before it, answered after it,
    # and nginx's first (only) upstream was the victim.
    local victim_requests
    victim_requests=$(nginx_requests "f6" | awk -F'|' -v v="$victim_ip:8000" '$2 == v || index($2, v ",") == 1 {print $1 "|" $2 "|" $3}' \
        | sort -t '|' -k1,1)
    inflight=$(awk -v t="$t_term" '$2 + 0 < t - 0.05 && $2 + $5 > t + 0 {print $1 "|" $3}' "$WORK/f6.load" | sort -t '|' -k1,1 \
        | join -t '|' - <(printf '%s\n' "$victim_requests") || true)
    local n_inflight n_done
    n_inflight=$(grep -c . <<<"$inflight" || true)
    n_done=$(awk -F'|' -v v="$victim_ip:8000" '$2 == 200 && $3 == v' <<<"$inflight" | wc -l)
    if ((n_inflight > 0 && n_done == n_inflight)); then
        pass "F6: all $n_inflight requests in flight on $victim_name at SIGTERM completed there with 200"
    else
        fail "F6: requests in flight on the replica at SIGTERM complete there" \
            "$n_done of $n_inflight completed by it ($(tr '\n' ' ' <<<"$inflight"))"
    fi
    load_stats "$WORK/f6.load"
    expect_eq "F6: zero failed requests ($S_TOTAL sent)" "0" "$((S_TOTAL - S_OK))"
    if [[ -n "$t_exit" && "$exit_code" == 0 && "$drained" -ge 1 ]]; then
        pass "F6: the replica drained and exited 0, $(fcalc "$t_exit - $t_term") s after SIGTERM"
    else
        fail "F6: the replica drains and exits 0 after SIGTERM" "exit code ${exit_code:-?}, 'drained' logged: $drained, exited: ${t_exit:-no}"
    fi
    if [[ -n "$t_exit" ]] && awk -v d="$(fcalc "$t_exit - $t_term")" 'BEGIN { exit !(d <= 9) }'; then
        pass "F6: it exited within its 8 s shutdown limit"
    else
        fail "F6: it exited within its 8 s shutdown limit" "exit after ${t_exit:+$(fcalc "$t_exit - $t_term")} s"
    fi
    check_nothing_lost F6 "$WORK/f6.load" "$before" "$after" "$(resent_after_error f6)"
    observe "$n_inflight requests in flight on the replica at SIGTERM, $n_done completed by it with 200"
    observe "$S_TOTAL requests ($S_STATUSES)"
    [[ -z "$t_exit" ]] || observe "exit code $exit_code $(fcalc "$t_exit - $t_term") s after SIGTERM"
    observe "$LOST_SUMMARY"
    row_end
}

fault_down_up() {
    row_start fault F7 "full docker compose down (volumes kept), then up with 3 replicas, under steady load (4 clients)"
    local before after t_down t_down_done t_up volume max_before min_after
    before=$(db_views)
    load_start f7 4 0.1 180 6000
    sleep 3
    t_down=$(now)
    compose_quiet down --timeout 15 || fail "F7: docker compose down" "compose failed"
    t_down_done=$(now)
    volume=$(docker volume ls -q --filter "label=com.docker.compose.project=$PROJECT" | grep -c 'db-data' || true)
    expect_eq "F7: the db-data volume survived down" 1 "$volume"
    if compose_quiet up --detach --no-build --scale "app=$REPLICAS" && wait_cluster "$REPLICAS"; then
        t_up=$(now)
        pass "F7: the cluster was back $(fcalc "$t_up - $t_down_done") s after down finished"
    else
        t_up=$(now)
        fail "F7: the cluster comes back after down and up" "not healthy within ${WAIT}s"
    fi
    sleep 3
    load_stop f7
    after=$(db_views)

    load_stats "$WORK/f7.load"
    max_before=$(awk -v t="$t_down_done" '$2 + 0 < t + 0 && $3 == 200 && $4 ~ /^[0-9]+$/ {print $4}' "$WORK/f7.load" | sort -n | tail -n 1)
    min_after=$(awk -v t="$t_down_done" '$2 + 0 > t + 0 && $3 == 200 && $4 ~ /^[0-9]+$/ {print $4}' "$WORK/f7.load" | sort -n | head -n 1)
    if [[ -n "$max_before" && -n "$min_after" ]] && ((min_after > max_before && min_after - max_before - 1 <= S_UNCERTAIN)); then
        pass "F7: the count continued: last number served before down finished $max_before, first after up $min_after"
    else
        fail "F7: the count continues after down and up" "last before ${max_before:-none}, first after ${min_after:-none}, $S_UNCERTAIN unknown outcomes"
    fi
    check_nothing_lost F7 "$WORK/f7.load" "$before" "$after" "$(resent_after_error f7-)"
    observe "down took $(fcalc "$t_down_done - $t_down") s, up until healthy behind nginx $(fcalc "$t_up - $t_down_done") s"
    observe "$S_TOTAL requests ($S_STATUSES; refused: no connection while nginx was gone)"
    observe "last number served before down finished ${max_before:-none}, first after up ${min_after:-none}"
    observe "$LOST_SUMMARY"
    row_end
}

# ---------------------------------------------------------------------------
# Issue 15. Status meanings under test (README): 200 counted and committed,
# with its number; 503 certainly not counted (an error before COMMIT was
# sent, a refused COMMIT, a statement error, no live connection); 504 the
# COMMIT was sent and no answer came (unknown).

# The app replicas' addresses on a cluster network (frontend, backend).
replica_ips() { # NETWORK
    local id network
    network=$(network_of "$1")
    for id in $(containers_of app); do ip_on "$id" "$network"; done
}

# COUNT sequential GET of URL from the tools container, in load.sh's lines
# (so that load_stats and check_nothing_lost read them like any load).
get_from_tools() { # URL COUNT PERIOD ID_PREFIX
    tools bash /r/load.sh "$1" 1 "$3" 30 "$2" "$4"
}

# The numbers of the 200s in load files, one a line, in file order.
acknowledged_numbers() { # FILE...
    awk '$3 == 200 && $4 ~ /^[0-9]+$/ {print $4}' "$@"
}

# How many requests of a load file started in [FROM, TO) and got STATUS.
status_between() { # FILE FROM TO STATUS
    awk -v f="$2" -v t="$3" -v s="$4" '$2 + 0 >= f + 0 && $2 + 0 < t + 0 && $3 == s' "$1" | wc -l
}

# At least N requests of a load file started at or after FROM were answered
# with something other than 200 / with 200.
load_failed_since() { # FILE FROM N
    (($(awk -v f="$2" '$2 + 0 >= f + 0 && $3 != 200' "$1" | wc -l) >= $3))
}
load_ok_since() { # FILE FROM N
    (($(awk -v f="$2" '$2 + 0 >= f + 0 && $3 == 200' "$1" | wc -l) >= $3))
}

readonly F8_VIA_NGINX=6 F8_PER_REPLICA=2 F8_AFTER=3

fault_commit_refused() {
    row_start fault F8 "COMMIT refused: a deferred constraint trigger on page_views raises at every COMMIT that updated it; $F8_VIA_NGINX GET / through nginx and $F8_PER_REPLICA straight at each of the $REPLICAS replicas (backend network), then DROP TRIGGER and $F8_AFTER more"
    local refused=$WORK/f8.load after_file=$WORK/f8-after.load before during after ip n=0 trigger=false
    : >"$refused"
    : >"$after_file"
    tools_start "$(network_of backend)"
    before=$(db_views)
    # Deferred, so the UPDATE itself succeeds and returns its row; only the
    # COMMIT fails. A view must not be answered 200 before that COMMIT.
    if db_psql >"$WORK/f8.sql" 2>&1 <<'SQL'; then
CREATE FUNCTION rt_fail() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'refused'; END$$;
CREATE CONSTRAINT TRIGGER rt_fail AFTER UPDATE ON page_views DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rt_fail();
SQL
        trigger=true
        pass "F8: the trigger that refuses every COMMIT of a counted view is in place"
    else
        fail "F8: the trigger that refuses every COMMIT is in place" "$(tr '\n' ' ' <"$WORK/f8.sql")"
    fi
    if [[ "$trigger" == true ]]; then
        # One request at a time, so each answer is the app's verdict on one
        # refused COMMIT (nginx re-sends a 503 to the other replicas: the
        # client still sees 503 when all of them refuse).
        "$ROOT/tests/reliability/load.sh" "$BASE_URL/" 1 0.1 30 "$F8_VIA_NGINX" "f8-$RUN_ID-nginx" >>"$refused" 2>/dev/null || true
        for ip in $(replica_ips backend); do
            n=$((n + 1))
            get_from_tools "http://$ip:8000/" "$F8_PER_REPLICA" 0.1 "f8-$RUN_ID-replica$n" >>"$refused" 2>/dev/null || true
        done
        during=$(db_views)
    fi
    # Always dropped (also when the requests above failed to run): the
    # faults after this one count again.
    if db_psql >>"$WORK/f8.sql" 2>&1 <<<'DROP TRIGGER IF EXISTS rt_fail ON page_views; DROP FUNCTION IF EXISTS rt_fail();'; then
        [[ "$trigger" == false ]] || pass "F8: the trigger was dropped"
    else
        fail "F8: the trigger was dropped" "$(tail -n 3 "$WORK/f8.sql" | tr '\n' ' ')"
    fi
    [[ "$trigger" == true ]] || { row_end; return; }
    # Through nginx, one at a time until F8_AFTER are counted: nginx keeps
    # replicas that answered 503 out of rotation for 4 s (and answers 503
    # itself meanwhile, not counted). Bounded: 40 requests, 20 s.
    local tries=0 deadline=$((SECONDS + 20))
    while ((tries < 40 && SECONDS < deadline)) && ! load_ok_since "$after_file" 0 "$F8_AFTER"; do
        tries=$((tries + 1))
        "$ROOT/tests/reliability/load.sh" "$BASE_URL/" 1 0.25 5 1 "f8-$RUN_ID-after$tries" >>"$after_file" 2>/dev/null || true
    done
    after=$(db_views)

    load_stats "$refused"
    local expected=$((F8_VIA_NGINX + REPLICAS * F8_PER_REPLICA)) n503
    n503=$(awk '$3 == 503' "$refused" | wc -l)
    if ((S_TOTAL == expected && n503 == expected)); then
        pass "F8: every one of the $expected views whose COMMIT was refused was answered 503 (not counted), longest ${S_MAX503} s"
    else
        fail "F8: every view whose COMMIT was refused is answered 503 (not 200, not 504)" \
            "$S_TOTAL of $expected answered: ${S_STATUSES:-none}; numbers given: $(acknowledged_numbers "$refused" | tr '\n' ' ')"
    fi
    expect_eq "F8: the DB count did not move while every COMMIT was refused" "$before" "$during"
    local want got
    if [[ "$before" =~ ^[0-9]+$ ]]; then
        want=$(seq "$((before + 1))" "$((before + F8_AFTER))" | tr '\n' ' ')
    fi
    got=$(acknowledged_numbers "$after_file" | tr '\n' ' ')
    local after_other
    after_other=$(awk '$3 != 200 && $3 != 503 {print $3}' "$after_file" | sort | uniq -c | tr '\n' ' ')
    expect_eq "F8: after DROP TRIGGER counting continued with exactly the next numbers" "${want:-?}" "$got"
    expect_eq "F8: after DROP TRIGGER the DB count is the count before plus those $F8_AFTER" "$((${before:-0} + F8_AFTER))" "$after"
    expect_eq "F8: after DROP TRIGGER nothing but 200 and 503 (nginx's, while it rests the replicas)" "" "$after_other"
    local numbers
    numbers=$(acknowledged_numbers "$refused" "$after_file")
    if [[ -z "$numbers" ]] || all_unique "$numbers"; then
        pass "F8: no number was given twice across the whole test ($(grep -c . <<<"$numbers" || true) given)"
    else
        fail "F8: no number is given twice across the whole test" \
            "given more than once: $(sort -n <<<"$numbers" | uniq -d | tr '\n' ' ')(all: $(tr '\n' ' ' <<<"$numbers"))"
    fi
    observe "$S_TOTAL views while every COMMIT was refused ($F8_VIA_NGINX through nginx, $F8_PER_REPLICA straight at each replica): ${S_STATUSES:-none}"
    observe "count $before -> $during while refused; after DROP TRIGGER $(wc -l <"$after_file") requests, numbers ${got% } and count $after"
    row_end
}

readonly F9_DISK_MB=128
readonly F9_COMPOSE=$ROOT/tests/reliability/compose.db-small-disk.yml
readonly F9_DATA=/var/lib/postgresql/small-disk/data

# compose with F9's small disk for the db layered on, for the commands that
# create its container (exec, logs and restart find it without the file).
compose_small_disk() {
    PAGEVIEWS_RELIABILITY_EXTRA_COMPOSE="${PAGEVIEWS_RELIABILITY_EXTRA_COMPOSE:-} $F9_COMPOSE" \
        PAGEVIEWS_F9_DISK_MB=$F9_DISK_MB compose_quiet "$@"
}

# The first line of db's log since EPOCH-SECONDS saying it ran out of space
# (without the terminal codes compose puts in front of log lines); fails
# when there is none. Reads the whole log: a reader that stopped at the
# first match would kill compose with SIGPIPE, a failure under pipefail.
db_out_of_space_line() { # SINCE
    compose logs --no-color --no-log-prefix --since "$1" db 2>/dev/null \
        | awk '!found && index($0, "No space left on device") { print; found = 1 } END { exit !found }' \
        | sed 's/\x1b\[[0-9;]*[A-Za-z]//g'
}

fault_db_disk_full() {
    row_start fault F9 "database out of disk space under steady load (4 clients): PostgreSQL's data directory on a ${F9_DISK_MB} MB tmpfs volume (tests/reliability/compose.db-small-disk.yml), filled with a file until writes fail, pg_switch_wal() until PostgreSQL cannot create its next WAL segment, then the file deleted (db restarted only if it did not recover in 20 s)"
    local before after volume holder="$PROJECT-f9-holder" datadir disk fill t_load t_fill t_full='' t_free full_line='' switches=0
    local db_id restarts0 restarted=no
    # A fresh database on the small disk: migrate creates the schema again
    # (count 0); the app replicas find the new container by name.
    if ! compose_small_disk up --detach --no-build db migrate; then
        fail "F9: db recreated on the small disk" "compose failed (see above)"
        row_end
        return
    fi
    if ! wait_until 90 f9_schema_ready; then
        fail "F9: migrate created the schema on the small disk" "no page_views row after 90 s: $(compose ps --all migrate db 2>&1 | tail -n 2 | tr '\n' ' ')"
        row_end
        return
    fi
    # Never fill anything but the small disk: the data directory must be on it.
    datadir=$(db_psql <<<'SHOW data_directory;' 2>&1 || true)
    # shellcheck disable=SC2016 # expanded inside the container
    disk=$(compose exec -T db sh -c 'df -P -k "$PGDATA" | tail -n 1' 2>&1 || true)
    if [[ "$datadir" == "$F9_DATA" && "$disk" == tmpfs* ]] \
        && (($(awk '{print $2}' <<<"$disk") <= F9_DISK_MB * 1024)); then
        pass "F9: PostgreSQL runs on the small disk ($datadir on tmpfs, $(awk '{printf "%d of %d MB used", $3 / 1024, $2 / 1024}' <<<"$disk"))"
    else
        fail "F9: PostgreSQL runs on the small disk ($F9_DATA on a tmpfs of ${F9_DISK_MB} MB)" \
            "data_directory '$datadir', df: '$disk'; not filling anything"
        row_end
        return
    fi
    # The volume is emptied when no container uses it: a holder keeps it (and
    # so the cluster) mounted while the db exits or restarts, and is where the
    # filler file is written and deleted even when the db is down.
    volume=$(docker volume ls -q --filter "label=com.docker.compose.project=$PROJECT" \
        --filter "label=com.docker.compose.volume=db-small-disk")
    docker rm -f "$holder" >/dev/null 2>&1 || true
    docker run -d --name "$holder" --label "$RUN_LABEL" --network none -v "$volume:/disk" \
        "$TOOLS_IMAGE" sleep 600 >/dev/null
    # Every replica reaches the new database before the load starts.
    if ! wait_until 60 f9_app_counts; then
        fail "F9: the app counts on the new database" "no 200 for GET /api/views through nginx in 60 s"
    fi
    db_id=$(containers_of --all db)
    restarts0=$(docker inspect --format '{{.RestartCount}}' "$db_id")
    before=$(db_views)
    probe_start f9 150
    load_start f9 4 0.05 100 6000
    t_load=$(now)
    wait_until 20 load_ok_since "$WORK/f9.load" "$t_load" 20 \
        || log "F9: the load had fewer than 20 acknowledged views after 20 s: $(awk '{print $3}' "$WORK/f9.load" | sort | uniq -c | tr '\n' ' ')"

    # 1. Fill the disk. Bounded by size (count = the whole disk) and time.
    t_fill=$EPOCHSECONDS
    fill=$(docker exec "$holder" timeout 30 dd if=/dev/zero of=/disk/filler bs=1M count="$F9_DISK_MB" 2>&1 || true)
    if [[ "$fill" == *'No space left on device'* ]]; then
        pass "F9: the disk is full ($(docker exec "$holder" du -m /disk/filler | cut -f1) MB of filler, $(docker exec "$holder" df -P -k /disk | awk 'NR == 2 {print $4}') KB left)"
    else
        fail "F9: the filler filled the disk" "dd: $(tr '\n' ' ' <<<"$fill")"
    fi
    # 2. Commits go on into the current WAL segment, which is already there:
    # make PostgreSQL start a new one, which it cannot create. The next commit
    # (the load's) then fails to write it: PANIC, or an error. At most 10
    # switches, each given 3 s to show in the log.
    while ((switches < 10)) && [[ -z "$full_line" ]]; do
        switches=$((switches + 1))
        db_psql <<<'SELECT pg_switch_wal();' >/dev/null 2>&1 || true
        if wait_until 3 db_out_of_space_line "$t_fill"; then
            t_full=$(now)
            full_line=$(db_out_of_space_line "$t_fill")
        fi
    done
    if [[ -n "$full_line" ]]; then
        # The moment PostgreSQL logged it (log_line_prefix '%m [%p] ', the
        # default of both images), not when this loop noticed.
        t_full=$(date -u -d "$(awk '{print $1 " " $2 " " $3}' <<<"$full_line")" +%s.%N 2>/dev/null || printf '%s' "$t_full")
        pass "F9: PostgreSQL refused writes: $full_line"
    else
        fail "F9: PostgreSQL runs out of space (logs 'No space left on device')" \
            "not after $switches WAL switches; its last log lines: $(compose logs --no-color --no-log-prefix --tail 3 db 2>&1 | tr '\n' ' ')"
    fi
    # 3. Under load while it refuses (views fail), then free the space.
    wait_until 10 load_failed_since "$WORK/f9.load" "${t_full:-$(now)}" 10 \
        || log "F9: fewer than 10 views failed in the 10 s after running out of space: $(awk -v f="${t_full:-0}" '$2 + 0 >= f + 0 {print $3}' "$WORK/f9.load" | sort | uniq -c | tr '\n' ' ')"
    docker exec "$holder" rm -f /disk/filler
    t_free=$(now)
    # 4. Recovery: PostgreSQL restarts by itself after a PANIC (or Docker
    # restarts the container if it exited). Only if views are still not
    # counted 20 s later is it restarted by hand.
    if ! wait_until 20 load_ok_since "$WORK/f9.load" "$t_free" 1; then
        restarted=yes
        log "F9: no view counted 20 s after the space was freed ($(docker inspect --format '{{.State.Status}} restarts {{.RestartCount}}' "$db_id")); restarting db"
        docker restart --time 30 "$db_id" >/dev/null || true
        wait_until 60 load_ok_since "$WORK/f9.load" "$t_free" 1 || true
    fi
    local back
    back=$(awk -v f="$t_free" '$2 + 0 >= f + 0 && $3 == 200 {print $2}' "$WORK/f9.load" | sort -n | head -n 1)
    # Let the load see the recovered database for a while (numbers after the
    # recovery must not repeat those before it).
    sleep_until "$(fcalc "${back:-$(now)} + 3")"
    load_stop f9
    probe_stop f9
    after=$(db_views)
    docker rm -f "$holder" >/dev/null 2>&1 || true

    if [[ -n "$back" ]]; then
        pass "F9: views were counted again $(fcalc "$back - $t_free") s after the space was freed (db restarted by hand: $restarted)"
    else
        fail "F9: views are counted again after the space is freed" "no 200 since; db: $(docker inspect --format '{{.State.Status}}' "$db_id" 2>&1)"
    fi
    check_nothing_lost F9 "$WORK/f9.load" "$before" "$after" "$(resent_after_error "f9-$RUN_ID")"
    # A number acknowledged before the disk filled and then lost is given
    # again after the recovery: say when, relative to PostgreSQL's refusal.
    local twice
    twice=$(awk -v t="${t_full:-0}" '$3 == 200 && $4 ~ /^[0-9]+$/ { n[$4]++; at[$4] = at[$4] sprintf(" %+.2f s", $2 - t) }
        END { for (k in n) if (n[k] > 1) printf "%s%s (at%s)", (s++ ? ", " : ""), k, at[k] }' "$WORK/f9.load")
    [[ -z "$twice" ]] || observe "numbers acknowledged twice (times from PostgreSQL's out-of-space log line): $twice"
    local n200 n503 n504
    n200=$(awk '$3 == 200' "$WORK/f9.load" | wc -l)
    n503=$(awk '$3 == 503' "$WORK/f9.load" | wc -l)
    n504=$(awk '$3 == 504' "$WORK/f9.load" | wc -l)
    observe "$S_TOTAL requests (200: $n200, 503: $n503, 504: $n504, other: $((S_TOTAL - n200 - n503 - n504)))"
    [[ -z "$full_line" ]] || observe "after $switches WAL switch(es) PostgreSQL logged: $(cut -c 1-160 <<<"$full_line")"
    observe "db restarted by Docker $(($(docker inspect --format '{{.RestartCount}}' "$db_id" 2>/dev/null || echo "$restarts0") - restarts0)) time(s), by the test: $restarted"
    [[ -z "$back" ]] || observe "counting again $(fcalc "$back - $t_free") s after the filler was deleted"
    observe "$LOST_SUMMARY"
    row_end
}

f9_schema_ready() { [[ "$(db_views)" =~ ^[0-9]+$ ]]; }

# A read of the count through nginx: the app has a live connection to the
# database and the schema is there.
f9_app_counts() {
    [[ "$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$BASE_URL/api/views")" == 200 ]]
}

readonly F10_ROUNDS=8 F10_EVERY_S=4 F10_PROBES=4 F10_PILE_S=0.5

# Ends every backend with a client address: the app's connections (psql here
# comes over the Unix socket). From the postgres database, which stays open
# when the app's refuses connections. Prints how many it ended.
terminate_app_backends() {
    db_psql postgres <<<'SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE client_addr IS NOT NULL;'
}

# The same, but mid-statement: the connection that Drogon 1.9 keeps busy for
# good is one dropped while a statement was in flight on it; at 4 clients a
# statement takes a millisecond and a plain terminate mostly finds them
# idle. So a transaction (over the socket, never ended itself) locks the
# counter row, the app's UPDATEs queue behind it for F10_PILE_S (less than
# the app's deadline; that is how long views pile up, not a wait for
# something), and the same transaction then ends every app backend.
# Prints "WAITING ENDED": how many were waiting on the lock, how many ended.
terminate_app_backends_mid_statement() {
    db_psql <<SQL
BEGIN;
\o /dev/null
SELECT views FROM page_views WHERE path = '/' FOR UPDATE;
SELECT pg_sleep($F10_PILE_S);
\o
SELECT count(*) FILTER (WHERE wait_event_type = 'Lock') || '/' || count(pg_terminate_backend(pid))
    FROM pg_stat_activity WHERE client_addr IS NOT NULL;
COMMIT;
SQL
}

# "address count" of the backends of the app's database, one a line.
backends_by_addr() {
    db_psql postgres <<<"SELECT host(client_addr) || ' ' || count(*) FROM pg_stat_activity WHERE datname = :'db' AND client_addr IS NOT NULL GROUP BY client_addr ORDER BY client_addr;"
}

# (A failed query is not "none left".)
no_app_backends() {
    local seen
    seen=$(backends_by_addr) && [[ -z "$seen" ]]
}

# Every address given has at least N backends (a replica's whole pool; more
# while a replaced pool is still closing).
pools_full() { # N ADDRESS...
    local n=$1 seen addr count
    shift
    seen=$(backends_by_addr) || return 1
    for addr in "$@"; do
        count=$(awk -v a="$addr" '$1 == a {print $2}' <<<"$seen")
        ((${count:-0} >= n)) || return 1
    done
}

allow_connections() {
    db_psql postgres <<<'ALTER DATABASE :"db" ALLOW_CONNECTIONS true;' >/dev/null
}

# Each replica's pool size: PAGEVIEWS_DB_CONNECTIONS in its environment, or
# the app's default (2, README).
pool_size() {
    local size
    size=$(docker inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$(containers_of app | head -n 1)" \
        | sed -n 's/^PAGEVIEWS_DB_CONNECTIONS=//p')
    printf '%s' "${size:-2}"
}

fault_refused_connections() {
    row_start fault F10 "terminated backends, then refused connections, under steady load (4 clients): pg_terminate_backend of every app backend every ${F10_EVERY_S} s, $F10_ROUNDS times, each while the app's UPDATEs wait on the counter row (locked ${F10_PILE_S} s by psql), then ALTER DATABASE ... ALLOW_CONNECTIONS false and terminate again; $F10_PROBES GET / straight at each replica (backend network) while refused; then ALLOW_CONNECTIONS true"
    local before after ids t0 t_refused t_allowed round ended=() ips=() ip pids=() pool limit
    local file=$WORK/f10.load
    tools_start "$(network_of backend)"
    mapfile -t ips < <(replica_ips backend)
    pool=$(pool_size)
    limit=$(fcalc "$DB_TIMEOUT_S + $FAIL_SLACK_S")
    ids=$(identities_of app)
    before=$(db_views)
    load_start f10 4 0.05 100 6000
    t0=$(now)
    wait_until 20 load_ok_since "$WORK/f10.load" "$t0" 20 || log "F10: the load had fewer than 20 acknowledged views after 20 s"
    # 1. Connections dropped mid-statement, again and again: the app must
    # notice each and open a new one (or replace the pool).
    t0=$(now)
    for ((round = 1; round <= F10_ROUNDS; round++)); do
        ended+=("$(terminate_app_backends_mid_statement 2>/dev/null || echo '?')")
        sleep_until "$(fcalc "$t0 + $round * $F10_EVERY_S")"
    done
    # 2. Now no new connection is allowed (from here on, teardown undoes it
    # if this fault does not get to), and the ones left are ended.
    # shellcheck disable=SC2034 # read by undo_fault (lib.sh)
    FAULT_UNDO=allow_connections
    if ! db_psql postgres <<<'ALTER DATABASE :"db" ALLOW_CONNECTIONS false;' >/dev/null 2>"$WORK/f10.sql"; then
        fail "F10: ALTER DATABASE ... ALLOW_CONNECTIONS false" "$(tr '\n' ' ' <"$WORK/f10.sql")"
    fi
    ended+=("$(terminate_app_backends 2>/dev/null || echo '?')")
    if wait_until 10 no_app_backends; then
        t_refused=$(now)
    else
        t_refused=$(now)
        fail "F10: no app backend left once connections are refused" "after 10 s: $({ backends_by_addr 2>&1 || true; } | tr '\n' ' ')"
    fi
    # 3. Each replica, straight (nginx would hide a replica that answers 504
    # behind the others' 503s, or the reverse), while refused: 503 at once,
    # never a 504 after the DB timeout.
    for ip in "${ips[@]}"; do
        get_from_tools "http://$ip:8000/" "$F10_PROBES" 0.5 "f10-$RUN_ID-$ip" >"$WORK/f10-refused-$ip.load" 2>/dev/null &
        pids+=($!)
    done
    wait "${pids[@]}" || true
    t_allowed=$(now)
    # 4. Connections allowed again.
    if allow_connections 2>"$WORK/f10.sql"; then
        # shellcheck disable=SC2034 # read by undo_fault (lib.sh)
        FAULT_UNDO=''
    else
        fail "F10: ALTER DATABASE ... ALLOW_CONNECTIONS true" "$(tr '\n' ' ' <"$WORK/f10.sql")"
    fi
    # 5. Every replica back to its whole pool (a connection stuck on a
    # terminated backend never comes back) and counting.
    local full=yes seen
    if ! wait_until 30 pools_full "$pool" "${ips[@]}"; then full=no; fi
    seen=$({ backends_by_addr 2>&1 || true; } | tr '\n' ',' | sed 's/,$//; s/,/, /g')
    local recovered=() attempt
    for ip in "${ips[@]}"; do
        for ((attempt = 1; attempt <= 3; attempt++)); do
            get_from_tools "http://$ip:8000/" 1 0.1 "f10-$RUN_ID-back$attempt-$ip" >>"$WORK/f10-back-$ip.load" 2>/dev/null || true
            if load_ok_since "$WORK/f10-back-$ip.load" 0 1; then
                recovered+=("$ip")
                break
            fi
            sleep 1
        done
    done
    sleep 2
    load_stop f10
    after=$(db_views)

    local n bad max statuses refused_summary=''
    for ip in "${ips[@]}"; do
        load_stats "$WORK/f10-refused-$ip.load"
        n=$(awk '$3 == 503' "$WORK/f10-refused-$ip.load" | wc -l)
        max=$(awk '{ if ($5 + 0 > m) m = $5 + 0 } END { printf "%.2f", m }' "$WORK/f10-refused-$ip.load")
        refused_summary+="${refused_summary:+; }$ip: ${S_STATUSES:-none}, longest $max s"
        if ((S_TOTAL == F10_PROBES && n == F10_PROBES)) && awk -v m="$max" -v l="$limit" 'BEGIN { exit !(m <= l) }'; then
            pass "F10: replica $ip answered all $F10_PROBES views 503 while connections were refused, longest $max s (limit $limit s)"
        else
            fail "F10: replica $ip answers 503 within its deadline ($limit s) while connections are refused" \
                "$S_TOTAL of $F10_PROBES answered: ${S_STATUSES:-none}, longest $max s"
        fi
        cat "$WORK/f10-refused-$ip.load" "$WORK/f10-back-$ip.load" >>"$file" 2>/dev/null || true
    done
    # Through nginx meanwhile: a replica stuck on a dead connection is the
    # only one nginx keeps in rotation (the others answer 503, it 504), so
    # every view would be 504 there.
    bad=$(status_between "$file" "$t_refused" "$t_allowed" 504)
    statuses=$(awk -v f="$t_refused" -v t="$t_allowed" '$2 + 0 >= f + 0 && $2 + 0 < t + 0 {print $3}' "$WORK/f10.load" | sort | uniq -c | awk '{printf "%s%s: %s", (NR > 1 ? ", " : ""), $2, $1}')
    expect_eq "F10: no view got 504 while connections were refused (through nginx: ${statuses:-none})" 0 "$bad"
    if [[ "$full" == yes ]]; then
        pass "F10: every replica has its whole pool of $pool connections again ($seen)"
    else
        fail "F10: every replica has its whole pool of $pool connections again within 30 s" \
            "backends by replica address: ${seen:-none} (replicas ${ips[*]})"
    fi
    expect_eq "F10: every replica counts again (200 straight at it)" "${ips[*]}" "${recovered[*]}"
    if app_ids_unchanged "$ids"; then
        pass "F10: no app replica restarted"
    else
        fail "F10: no app replica restarted" "identities changed: $(identities_of app | tr '\n' ' ')"
    fi
    check_nothing_lost F10 "$file" "$before" "$after" "$(resent_after_error "f10-$RUN_ID")"
    observe "backends waiting on the row lock/ended per round: ${ended[*]} (the last: ended after ALLOW_CONNECTIONS false)"
    observe "straight at each replica while refused: $refused_summary"
    observe "through nginx while refused: ${statuses:-none}"
    observe "after ALLOW_CONNECTIONS true: backends per replica ${seen:-none}; counting again: ${#recovered[@]} of ${#ips[@]}"
    load_stats "$file"
    observe "$S_TOTAL requests ($S_STATUSES)"
    observe "$LOST_SUMMARY"
    row_end
    # Replicas left without their pool would fail the faults after this one
    # too (F7 saw no view before its down): once the verdict is in, restart
    # them so that those start clean.
    if [[ "$full" == no || ${#recovered[@]} -ne ${#ips[@]} ]]; then
        log "F10: restarting the app replicas, which did not recover, for the faults after this one"
        local id
        for id in $(containers_of app); do docker restart --time 15 "$id" >/dev/null || true; done
        wait_cluster "$REPLICAS" || log "F10: the replicas were not healthy behind nginx again within ${WAIT} s"
    fi
}

# PAGEVIEWS_RELIABILITY_FAULTS="F3 F6" runs only those (for debugging;
# the doc is then not written unless asked for).
wants_fault() { [[ -z "${PAGEVIEWS_RELIABILITY_FAULTS:-}" || " $PAGEVIEWS_RELIABILITY_FAULTS " == *" $1 "* ]]; }

test_faults() {
    if wants_fault F1; then fault_db_restart; fi
    if wants_fault F2; then fault_db_pause; fi
    if wants_fault F3; then fault_kill_replica; fi
    if wants_fault F4; then fault_rolling_restart; fi
    if wants_fault F5; then fault_nginx_reload; fi
    if wants_fault F6; then fault_sigterm; fi
    if wants_fault F8; then fault_commit_refused; fi
    if wants_fault F10; then fault_refused_connections; fi
    # F7 replaces every container: keep the logs for the secret check.
    save_logs before-down
    tools_stop
    if wants_fault F7; then fault_down_up; fi
    # Last: it leaves the db on a fresh database on its small disk.
    if wants_fault F9; then fault_db_disk_full; fi
}
