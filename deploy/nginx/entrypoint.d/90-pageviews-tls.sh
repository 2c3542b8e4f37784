#!/bin/sh
# Run by the nginx image's entrypoint after the templates were rendered:
#  - nginx must accept its configuration with this certificate and key, or
#    the container stops here with one line saying why (before anything
#    could serve a wrong certificate);
#  - then, in the background, nginx is reloaded whenever the certificate
#    file changes (certbot renewed it, or the certs service reissued it):
#    a reload starts new workers with the new certificate while the old
#    ones finish their requests, so none fails.
set -eu

readonly CHECK_EVERY_SECONDS=10

check_configuration() {
    report=$(nginx -t -q 2>&1) && return 0
    line=$(printf '%s\n' "$report" | grep -m 1 'emerg' || printf '%s\n' "$report" | head -n 1)
    case $line in
        *"key values mismatch"*)
            echo "pageviews: the TLS key $PAGEVIEWS_TLS_CERTIFICATE_KEY does not match the certificate $PAGEVIEWS_TLS_CERTIFICATE" >&2 ;;
        *) echo "pageviews: nginx refuses its configuration: $line" >&2 ;;
    esac
    exit 1
}

certificate_sum() {
    cat "$PAGEVIEWS_TLS_CERTIFICATE" "$PAGEVIEWS_TLS_CERTIFICATE_KEY" 2>/dev/null | cksum
}

reload_on_change() {
    last=$(certificate_sum)
    while sleep "$CHECK_EVERY_SECONDS"; do
        now=$(certificate_sum)
        [ "$now" != "$last" ] || continue
        last=$now
        if nginx -s reload; then
            echo "pageviews: the certificate changed; nginx reloaded"
        else
            echo "pageviews: the certificate changed but nginx refuses it; still serving the previous one" >&2
        fi
    done
}

check_configuration
reload_on_change &
