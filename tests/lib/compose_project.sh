# shellcheck shell=bash
# Helpers for the suites that run the compose file under a project of their
# own (tests/reliability/run). The sourcing suite defines
# `compose` (docker compose with its project name and files) and `log`, and
# sets PROJECT, BASE_URL (nginx's published port on the host), WAIT
# (seconds to wait for the cluster) and COMPOSE_LOG (a scratch file).

# compose_quiet ARGS...: runs compose with its progress output in a log file;
# on failure shows the end of it.
compose_quiet() {
    if compose "$@" >"$COMPOSE_LOG" 2>&1; then
        return 0
    fi
    log "docker compose $* failed:"
    tail -n 25 "$COMPOSE_LOG" >&2
    return 1
}

# Container ids of a service, sorted (running ones unless --all is given first).
containers_of() {
    local flags=()
    if [[ "$1" == --all ]]; then
        flags=(--all)
        shift
    fi
    docker ps "${flags[@]}" --quiet --filter "label=com.docker.compose.project=$PROJECT" \
        --filter "label=com.docker.compose.service=$1" | sort
}

network_of() {
    docker network ls --format '{{.Name}}' \
        --filter "label=com.docker.compose.project=$PROJECT" \
        --filter "label=com.docker.compose.network=$1"
}

ip_on() { # CONTAINER NETWORK-NAME
    docker inspect --format "{{with index .NetworkSettings.Networks \"$2\"}}{{.IPAddress}}{{end}}" "$1"
}

healthy_count() {
    docker ps --quiet --filter "label=com.docker.compose.project=$PROJECT" \
        --filter "label=com.docker.compose.service=$1" --filter health=healthy | wc -l
}

# wait_until SECONDS COMMAND...: polls COMMAND every half second; bounded.
wait_until() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.5
    done
}

nginx_answers_app() {
    [[ "$(curl -s -o /dev/null --max-time 3 -w '%{http_code}' "$BASE_URL/healthz")" == 200 ]]
}

replicas_healthy() { # N
    [[ "$(healthy_count app)" -eq "$1" ]]
}

# wait_cluster N: N healthy app replicas and nginx reaching them.
wait_cluster() {
    wait_until "$WAIT" replicas_healthy "$1" && wait_until "$WAIT" nginx_answers_app
}
