# shellcheck shell=bash
# Sends GET requests from inside the pageviews-tools container; the cluster
# test pipes this file into `bash -s` there, so the host needs no load tools.
#
#   bash -s -- URL COUNT PARALLEL ID_PREFIX < hit.sh
#
# Request i carries "X-Request-ID: ID_PREFIX-i" (nginx logs it, so the test
# can find which replica served it). Prints one line per request:
#   <request-id> <http-status or 000> <number in id="views", or ->
set -Eeuo pipefail

url=$1
count=$2
parallel=$3
prefix=$4
export url prefix

one() {
    local id="$prefix-$1" out status views
    out=$(curl -sS --max-time 10 -H "X-Request-ID: $id" -w '\n%{http_code}' "$url" 2>/dev/null) || true
    status=${out##*$'\n'}
    views=$(printf '%s\n' "$out" | sed -n 's/.*id="views"[^>]*>\([0-9][0-9]*\)<.*/\1/p' | head -n 1)
    printf '%s %s %s\n' "$id" "${status:-000}" "${views:--}"
}
export -f one

# shellcheck disable=SC2016 # $1 belongs to the inner bash
seq 1 "$count" | xargs -P "$parallel" -I{} bash -c 'one "$1"' _ {}
