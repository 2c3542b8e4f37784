#!/bin/sh
# The official image's template step: every
# $NGINX_ENVSUBST_TEMPLATE_DIR/**/*$NGINX_ENVSUBST_TEMPLATE_SUFFIX
# (default /etc/nginx/templates/*.template) is written, suffix removed, to
# the same relative path under $NGINX_ENVSUBST_OUTPUT_DIR (/etc/nginx/conf.d),
# with only the variables that are defined in the environment (and whose
# names match NGINX_ENVSUBST_FILTER, when set) substituted: nginx's own
# $variables stay. An output directory that cannot be written is reported
# and the step skipped, as the official script does.
set -e

ME=$(basename "$0")

entrypoint_log() {
    if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then
        echo "$@"
    fi
}

render_templates() {
    template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
    suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
    output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
    filter="${NGINX_ENVSUBST_FILTER:-}"

    [ -d "$template_dir" ] || return 0
    if [ ! -w "$output_dir" ]; then
        entrypoint_log "$ME: ERROR: $template_dir exists, but $output_dir is not writable"
        return 0
    fi
    # shellcheck disable=SC2016 # ${NAME} is for envsubst, not the shell
    defined_envs=$(awk -v filter="$filter" 'BEGIN { for (name in ENVIRON) if (name ~ filter) printf "${%s} ", name }')
    find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
        relative_path="${template#"$template_dir/"}"
        output_path="$output_dir/${relative_path%"$suffix"}"
        subdir=$(dirname "$relative_path")
        mkdir -p "$output_dir/$subdir"
        entrypoint_log "$ME: Running envsubst on $template to $output_path"
        envsubst "$defined_envs" <"$template" >"$output_path"
    done
}

render_templates
exit 0
