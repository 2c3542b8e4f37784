# shellcheck shell=bash
# Assertions shared by the test runners. Each check prints one line, names
# the behaviour it checks and, on failure, what it saw. test_summary prints
# the closing "N passed, N failed" line and returns non-zero on any failure.

TESTS_PASSED=${TESTS_PASSED:-0}
TESTS_FAILED=${TESTS_FAILED:-0}
TESTS_FAILED_NAMES=${TESTS_FAILED_NAMES:-}

pass() {
    TESTS_PASSED=$((TESTS_PASSED + 1))
    printf '  ok    %s\n' "$1"
}

fail() {
    TESTS_FAILED=$((TESTS_FAILED + 1))
    TESTS_FAILED_NAMES+="$1"$'\n'
    printf '  FAIL  %s: %s\n' "$1" "$2"
}

# check NAME COMMAND...: passes when COMMAND exits 0.
check() {
    local name=$1
    shift
    local output
    if output=$("$@" 2>&1); then
        pass "$name"
    else
        fail "$name" "$(printf '%s' "$output" | tail -n 3 | tr '\n' ' ')"
    fi
}

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
    if [[ "$2" == "$3" ]]; then
        pass "$1"
    else
        fail "$1" "expected [$2], got [$3]"
    fi
}

# Predicates for check, on text passed as an argument.
# has_count TEXT PATTERN N: PATTERN is on exactly N lines of TEXT.
has_count() { [[ $(grep -c -- "$2" <<<"$1") -eq $3 ]]; }
# lacks TEXT PATTERN: PATTERN is nowhere in TEXT.
lacks() { ! grep -q -- "$2" <<<"$1"; }
# all_unique TEXT: no line of TEXT repeats.
all_unique() { [[ $(sort -u <<<"$1" | wc -l) -eq $(wc -l <<<"$1") ]]; }

section() {
    printf '\n== %s  (%s)\n' "$1" "$(date +%T)"
}

test_summary() {
    if [[ -n "$TESTS_FAILED_NAMES" ]]; then
        printf '\nFailed:\n%s' "$TESTS_FAILED_NAMES"
    fi
    printf '\n%d passed, %d failed\n' "$TESTS_PASSED" "$TESTS_FAILED"
    [[ "$TESTS_FAILED" -eq 0 ]]
}
