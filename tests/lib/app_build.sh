# shellcheck shell=bash
# What the app image records of its source (OCI labels, `pageviews
# --version`): the commit, when it was built, and where from. Sourced by the
# scripts that build the app image; the compose file reads the same
# variables as build arguments.

# Exports PAGEVIEWS_REVISION, PAGEVIEWS_CREATED and PAGEVIEWS_SOURCE unless
# set already: from git when the checkout is a repository (the remote URL
# without any user or token in it), else "unknown".
describe_source() { # REPO
    export PAGEVIEWS_REVISION PAGEVIEWS_CREATED PAGEVIEWS_SOURCE
    PAGEVIEWS_REVISION=${PAGEVIEWS_REVISION:-$(git -C "$1" rev-parse HEAD 2>/dev/null || echo unknown)}
    PAGEVIEWS_CREATED=${PAGEVIEWS_CREATED:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
    PAGEVIEWS_SOURCE=${PAGEVIEWS_SOURCE:-$(git -C "$1" remote get-url origin 2>/dev/null | sed -E 's#//[^/@]*@#//#' || true)}
    PAGEVIEWS_SOURCE=${PAGEVIEWS_SOURCE:-unknown}
}

# docker build ARGS... of the app image, with describe_source's build arguments.
build_app_image() {
    docker build --build-arg "PAGEVIEWS_REVISION=$PAGEVIEWS_REVISION" \
        --build-arg "PAGEVIEWS_CREATED=$PAGEVIEWS_CREATED" \
        --build-arg "PAGEVIEWS_SOURCE=$PAGEVIEWS_SOURCE" "$@"
}
