#!/usr/bin/env bash
# Steady, bounded load: WORKERS sequential clients, each sending GET URL
# every PERIOD seconds (or as fast as answers come, if slower) until
# SECONDS_MAX have passed or it has sent COUNT_MAX requests, whichever is
# first. Needs only bash and curl.
#
#   load.sh URL WORKERS PERIOD SECONDS_MAX COUNT_MAX ID_PREFIX [STOP_FILE]
#
# Stops early when STOP_FILE exists or its directory is gone, and on
# SIGTERM. Prints one line per request:
#   <request-id> <start, epoch seconds> <status or 000> <number or -> <seconds taken>
# The request id goes out as X-Request-ID, so nginx's access log tells which
# replica served it.
set -Euo pipefail

url=$1 workers=$2 period=$3 seconds_max=$4 count_max=$5 prefix=$6 stop_file=${7:-}
stop_dir=${stop_file%/*}

# Microseconds from $EPOCHREALTIME (bash 5), without forking.
now_us() { local t=${EPOCHREALTIME/[.,]/}; printf '%s' "$t"; }

# "0.05" -> 50000, in bash alone.
to_us() {
    local whole=${1%%.*} frac=
    [[ $1 == *.* ]] && frac=${1#*.}
    frac=${frac}000000
    printf '%d' $((10#${whole:-0} * 1000000 + 10#${frac:0:6}))
}

worker() {
    local w=$1 i=0 start_us end_us deadline_us period_us out status took views
    deadline_us=$(($(now_us) + seconds_max * 1000000))
    period_us=$(to_us "$period")
    while ((i < count_max)); do
        start_us=$(now_us)
        ((start_us < deadline_us)) || break
        # Stop when asked, or when the run's directory is gone (interrupted).
        [[ -n "$stop_file" && (-e "$stop_file" || ! -d "$stop_dir") ]] && break
        i=$((i + 1))
        out=$(curl -s --max-time 10 -H "X-Request-ID: $prefix-$w-$i" -w '\n%{http_code} %{time_total} %{exitcode}' "$url" 2>/dev/null)
        status=${out##*$'\n'}
        read -r status took code <<<"$status"
        # curl exit 7: no connection was made, so nothing was sent.
        [[ "$status" == 000 && "$code" == 7 ]] && status=refused
        views=-
        if [[ $out =~ data-views=\"([0-9]+)\" ]]; then views=${BASH_REMATCH[1]}; fi
        printf '%s-%s-%s %s.%s %s %s %s\n' "$prefix" "$w" "$i" "${start_us:0:-6}" "${start_us: -6}" \
            "${status:-000}" "$views" "${took:-0}"
        end_us=$(now_us)
        if ((end_us - start_us < period_us)); then
            local gap=$((period_us - (end_us - start_us)))
            sleep "$((gap / 1000000)).$(printf '%06d' $((gap % 1000000)))"
        fi
    done
}

trap 'kill $(jobs -p) 2>/dev/null; exit 143' TERM INT
for ((w = 1; w <= workers; w++)); do worker "$w" & done
wait
