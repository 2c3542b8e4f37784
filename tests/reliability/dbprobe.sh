#!/usr/bin/env bash
# Polls PostgreSQL with pg_isready every 0.2 s for SECONDS_MAX seconds (run
# in the tools image on the backend network). Prints one line per change:
#   <epoch seconds> <pg_isready exit code: 0 accepting, 1 rejecting, 2 no answer, 3 not attempted>
#
#   dbprobe.sh HOST SECONDS_MAX
set -Euo pipefail
host=$1 seconds_max=$2
end=$((EPOCHSECONDS + seconds_max))
last=''
while ((EPOCHSECONDS < end)); do
    t=$EPOCHREALTIME
    pg_isready -q -h "$host" -p 5432 -t 1 >/dev/null 2>&1
    code=$?
    if [[ "$code" != "$last" ]]; then
        printf '%s %s\n' "$t" "$code"
        last=$code
    fi
    sleep 0.2
done
