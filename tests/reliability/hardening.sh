# shellcheck shell=bash
# Hardening assertions against the running cluster (issue 6). Sourced by
# tests/reliability/run.

# The database passwords the cluster runs with, the owner's then the app
# role's, one a line (development defaults unless PAGEVIEWS_DB_PASSWORD_FILE
# and PAGEVIEWS_DB_APP_PASSWORD_FILE say otherwise).
db_passwords() {
    local file password
    for file in "${PAGEVIEWS_DB_PASSWORD_FILE:-./deploy/dev-db-password.txt}" \
        "${PAGEVIEWS_DB_APP_PASSWORD_FILE:-./deploy/dev-db-app-password.txt}"; do
        [[ "$file" == /* ]] || file="$ROOT/$file"
        password=$(head -n 1 "$file")
        printf '%s\n' "${password%$'\r'}"
    done
}

published_ports() {
    docker inspect --format \
        '{{range $port, $bindings := .NetworkSettings.Ports}}{{range $bindings}}{{$port}}->{{.HostIp}}:{{.HostPort}} {{end}}{{end}}' \
        "$1" | tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' ' | sed 's/ *$//'
}

# uid of every process of a container, "pid:uid" words, PID 1 first.
process_uids() {
    docker top "$1" -eo pid,uid 2>/dev/null | awk 'NR > 1 {printf "%s:%s ", $1, $2}' | sed 's/ *$//'
}

# A field of /proc/PID/status for every process of a container. A process
# may be gone by the time it is read (Docker's health check runs one every
# few seconds): it is skipped, not an error.
proc_status_field() { # CONTAINER FIELD
    local pid
    for pid in $(docker top "$1" -eo pid 2>/dev/null | tail -n +2); do
        awk -v f="$2:" '$1 == f {print $2}' "/proc/$pid/status" 2>/dev/null || true
    done | sort -u | tr '\n' ' ' | sed 's/ *$//'
}

# Capability names of a hexadecimal mask (the ones Docker may grant).
cap_names() {
    local mask=$((16#$1)) names=() i
    local -a by_bit=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE
        NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT
        SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE
        AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ
        PERFMON BPF CHECKPOINT_RESTORE)
    for i in "${!by_bit[@]}"; do
        if (((mask >> i) & 1)); then names+=("${by_bit[$i]}"); fi
    done
    printf '%s' "${names[*]:-none}"
}

# ENV (one VAR=value a line): the password comes from a file, not the URL.
password_only_as_file() {
    grep -q '^DATABASE_PASSWORD_FILE=' <<<"$1" && ! grep -qE '^DATABASE_URL=[a-z]+://[^/@]*:[^/@]*@' <<<"$1"
}

# PID SECRETS-FILE: the process's environment holds none of the secrets.
environ_lacks() { ! tr '\0' '\n' <"/proc/$1/environ" | grep -qF -f "$2"; }

# TEXT: a database URL whose password part is masked.
masked_url() { [[ "$1" == *':***@'* ]]; }

host_port_closed() { # ADDRESS PORT
    ! timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# ---------------------------------------------------------------------------

hardening_ports() {
    row_start hardening H1 "Only the web port is published"
    local id name ports seen=''
    for id in $(project_containers); do
        name=$(docker inspect --format '{{index .Config.Labels "com.docker.compose.service"}}' "$id")
        ports=$(published_ports "$id")
        seen+="$name: ${ports:-none}; "
        if [[ "$name" == web ]]; then
            if [[ "$ports" =~ ^80/tcp-\>[^\ ]*:$HTTP_PORT(\ 80/tcp-\>[^\ ]*:$HTTP_PORT)*$ ]]; then
                pass "H1: web publishes only port 80 (as $HTTP_PORT)"
            else
                fail "H1: web publishes only port 80" "$ports"
            fi
        else
            expect_eq "H1: $(name_of "$id") publishes no port" "" "$ports"
        fi
    done
    observe "${seen%; }"
    row_end
}

hardening_host_reach() {
    row_start hardening H2 "db and app unreachable from the host"
    local port addr open=''
    for port in 5432 8000 9464; do
        for addr in 127.0.0.1 ::1; do
            if host_port_closed "$addr" "$port"; then :; else open+="$addr:$port "; fi
        done
    done
    expect_eq "H2: nothing answers on the host's loopback at 5432 (db), 8000 (app) or 9464 (metrics), IPv4 or IPv6" "" "$open"
    if host_port_closed 127.0.0.1 "$HTTP_PORT"; then
        fail "H2: control: the web port answers on the host" "closed"
    else
        pass "H2: control: the web port $HTTP_PORT does answer on the host"
    fi
    local frontend db db_ip
    frontend=$(network_of frontend)
    db=$(containers_of db)
    db_ip=$(ip_on "$db" "$(network_of backend)")
    check "H2: the frontend network (nginx's side) cannot reach db:5432, by name or by address $db_ip" \
        tools_on "$frontend" bash -c "! nc -z -w 2 db 5432 && ! nc -z -w 2 '$db_ip' 5432"
    observe "loopback 127.0.0.1 and ::1: ports 5432, 8000 and 9464 closed, $HTTP_PORT (nginx) open"
    observe "from the frontend network db is neither resolvable nor reachable"
    observe "processes on the Docker host itself can still reach container addresses on the bridges (Docker's design; see Documented choices)"
    row_end
}

hardening_backend_internal() {
    row_start hardening H3 "Backend network internal"
    local backend web web_ip
    backend=$(network_of backend)
    web=$(containers_of web)
    web_ip=$(ip_on "$web" "$(network_of frontend)")
    expect_eq "H3: the backend network is internal" true "$(docker network inspect --format '{{.Internal}}' "$backend")"
    check "H3: from the backend, web:80 is unreachable by name and by address $web_ip" \
        tools_on "$backend" bash -c "! nc -z -w 2 web 80 && ! nc -z -w 2 '$web_ip' 80"
    check "H3: control: the backend reaches db:5432" tools_on "$backend" nc -z -w 2 db 5432
    expect_eq "H3: db is attached to the backend network only" "$backend" \
        "$(docker inspect --format '{{range $name, $n := .NetworkSettings.Networks}}{{$name}} {{end}}' "$(containers_of db)" | sed 's/ *$//')"
    observe "internal: true (Docker drops everything leaving or entering the subnet); backend -> web, another of our own networks, unreachable by name and address; backend -> db works; db on the backend only"
    row_end
}

hardening_users() {
    row_start hardening H4 "Every container of ours runs as a non-root user"
    local id name uids root_pids db web
    for id in $(containers_of app) $(containers_of --all migrate); do
        expect_eq "H4: $(name_of "$id") is configured to run as 10001:10001" "10001:10001" \
            "$(docker inspect --format '{{.Config.User}}' "$id")"
    done
    for id in $(containers_of app); do
        uids=$(process_uids "$id" | tr ' ' '\n' | cut -d: -f2 | sort -u | tr '\n' ' ' | sed 's/ *$//')
        expect_eq "H4: every process of $(name_of "$id") runs as uid 10001" 10001 "$uids"
    done
    db=$(containers_of db)
    uids=$(process_uids "$db")
    root_pids=$(tr ' ' '\n' <<<"$uids" | awk -F: '$2 == 0' | wc -l)
    expect_eq "H4: no process of db runs as root (the image's entrypoint drops to postgres)" 0 "$root_pids"
    observe "app and migrate: configured user 10001:10001, every app process uid 10001"
    observe "db: $(tr ' ' '\n' <<<"$uids" | cut -d: -f2 | sort -u | tr '\n' ' ' | sed 's/ *$//' | sed 's/^/uids /') (started as root by the image, server as postgres)"
    web=$(containers_of web)
    uids=$(process_uids "$web")
    local master_pid non_master_root workers
    master_pid=$(host_pid "$web")
    non_master_root=$(tr ' ' '\n' <<<"$uids" | awk -F: -v m="$master_pid" '$2 == 0 && $1 != m' | wc -l)
    workers=$(tr ' ' '\n' <<<"$uids" | awk -F: -v m="$master_pid" '$1 != m {print $2}' | sort -u | tr '\n' ' ' | sed 's/ *$//')
    expect_eq "H4: web: only nginx's master process is root; its workers (which handle every connection) are not" 0 "$non_master_root"
    if [[ -n "$workers" && " $workers " != *" 0 "* ]]; then
        pass "H4: web: worker processes run as uid $workers"
    else
        fail "H4: web: worker processes run as a non-root uid" "worker uids: ${workers:-none}"
    fi
    observe "web: master root (official image: binds :80, reads config), workers uid $workers"
    row_end
}

hardening_readonly() {
    row_start hardening H5 "App root filesystem read-only, only the needed tmpfs writable"
    local app tmpfs
    app=$(containers_of app | head -n 1)
    expect_eq "H5: app root filesystem is read-only" true "$(docker inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$app")"
    expect_eq "H5: migrate root filesystem is read-only" true \
        "$(docker inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$(containers_of --all migrate | head -n 1)")"
    tmpfs=$(docker inspect --format '{{range $path, $opts := .HostConfig.Tmpfs}}{{$path}} {{end}}' "$app" | sed 's/ *$//')
    expect_eq "H5: the only tmpfs is Drogon's upload scratch directory" /var/lib/pageviews/uploads "$tmpfs"
    check "H5: writing to the app's home directory fails (read-only)" \
        bash -c "! docker exec '$app' sh -c 'echo x > /var/lib/pageviews/probe' 2>/dev/null"
    check "H5: writing to /tmp fails (read-only, no tmpfs there)" \
        bash -c "! docker exec '$app' sh -c 'echo x > /tmp/probe' 2>/dev/null"
    check "H5: the tmpfs is writable by the app user" \
        docker exec "$app" sh -c 'echo x > /var/lib/pageviews/uploads/probe && rm /var/lib/pageviews/uploads/probe'
    observe "ReadonlyRootfs true (app, migrate); tmpfs: $tmpfs; writes to / and /tmp fail, the tmpfs accepts them"
    row_end
}

hardening_caps() {
    row_start hardening H6 "All capabilities dropped where possible; no-new-privileges"
    local id name eff bnd nnp
    for id in $(containers_of app) $(containers_of --all migrate); do
        expect_eq "H6: $(name_of "$id") drops ALL capabilities and sets no-new-privileges" \
            "[ALL] [no-new-privileges:true]" "$(docker inspect --format '{{.HostConfig.CapDrop}} {{.HostConfig.SecurityOpt}}' "$id")"
    done
    for id in $(containers_of app); do
        eff=$(proc_status_field "$id" CapEff)
        bnd=$(proc_status_field "$id" CapBnd)
        nnp=$(proc_status_field "$id" NoNewPrivs)
        expect_eq "H6: $(name_of "$id"): no effective or bounding capability, NoNewPrivs set (kernel view)" \
            "0000000000000000 0000000000000000 1" "$eff $bnd $nnp"
    done
    observe "app, migrate: cap_drop ALL, no-new-privileges; kernel: CapEff=CapBnd=0, NoNewPrivs=1"
    # db and web: the official images need a few capabilities to start (as
    # root) before they drop to their users; everything else can go.
    local -A allowed=([db]="CHOWN DAC_OVERRIDE FOWNER SETGID SETUID" [web]="CHOWN NET_BIND_SERVICE SETGID SETUID")
    for name in db web; do
        id=$(containers_of "$name")
        bnd=$(awk '$1 == "CapBnd:" {print $2}' "/proc/$(host_pid "$id")/status")
        local extra='' cap
        for cap in $(cap_names "$bnd"); do
            [[ " ${allowed[$name]} " == *" $cap "* ]] || extra+="$cap "
        done
        expect_eq "H6: $name keeps only the capabilities its image needs to start (${allowed[$name]})" "" "${extra% }"
        expect_eq "H6: $name sets no-new-privileges" "1" "$(awk '$1 == "NoNewPrivs:" {print $2}' "/proc/$(host_pid "$id")/status")"
        observe "$name: bounding set $(cap_names "$bnd" | tr ' ' ',') (needed: ${allowed[$name]// /,}), NoNewPrivs $(awk '$1 == "NoNewPrivs:" {print $2}' "/proc/$(host_pid "$id")/status")"
    done
    row_end
}

hardening_images() {
    row_start hardening H7 "No secret in any image layer"
    local passwords="$WORK/passwords" image hits history_hits=''
    db_passwords >"$passwords"
    for image in "$PAGEVIEWS_IMAGE" "$POSTGRES_IMAGE" "$NGINX_IMAGE"; do
        if docker history --no-trunc --format '{{.CreatedBy}}' "$image" | grep -qF -f "$passwords"; then
            history_hits+="$image "
        fi
    done
    expect_eq "H7: neither DB password is in a layer's build command (docker history --no-trunc: app, db, web images)" "" "$history_hits"
    hits=$(docker save "$PAGEVIEWS_IMAGE" | grep -a -c -F -f "$passwords" || true)
    expect_eq "H7: neither DB password is in a file of the app image (docker save | grep)" 0 "$hits"
    observe "docker history of $PAGEVIEWS_IMAGE, $POSTGRES_IMAGE, $NGINX_IMAGE: no password; docker save $PAGEVIEWS_IMAGE: $hits matches"
    row_end
}

hardening_inspect() {
    row_start hardening H8 "No secret in the containers' configuration (docker inspect) or the app's process environment"
    local passwords="$WORK/passwords" id found=''
    db_passwords >"$passwords"
    for id in $(project_containers); do
        if docker inspect "$id" | grep -qF -f "$passwords"; then found+="$(name_of "$id") "; fi
    done
    expect_eq "H8: neither DB password is in a container's docker inspect (env, command, labels, mounts)" "" "$found"
    local app env
    app=$(containers_of app | head -n 1)
    env=$(docker inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$app")
    check "H8: the app gets the password as a file only (DATABASE_PASSWORD_FILE, no password in DATABASE_URL)" \
        password_only_as_file "$env"
    check "H8: neither password is in the app process's environment (/proc/PID/environ)" \
        environ_lacks "$(host_pid "$app")" "$passwords"
    expect_eq "H8: the app's secret is mounted read-only" false \
        "$(docker inspect --format '{{range .Mounts}}{{if eq .Destination "/run/secrets/db_app_password"}}{{.RW}}{{end}}{{end}}' "$app")"
    observe "inspect of all $(project_containers | wc -l) containers: ${found:-no password}; app env: DATABASE_URL without password, DATABASE_PASSWORD_FILE; /proc environ clean; secret mount read-only"
    row_end
}

hardening_server_tokens() {
    row_start hardening H10 "nginx hides its version; the app names no server"
    local leaks='' path headers
    for path in / /nginx-health /favicon.ico /%zz "/$(head -c 9000 /dev/zero | tr '\0' a)"; do
        headers=$(curl -s -D - -o "$WORK/body" --max-time 5 "$BASE_URL$path" | tr -d '\r') || true
        if grep -qiE '^server: .*[0-9]' <<<"$headers" || grep -qE 'nginx/[0-9]' "$WORK/body"; then
            leaks+="${path:0:12} "
        fi
    done
    headers=$(curl -s -D - -o "$WORK/body" --max-time 5 -H 'Host: unknown.example' "$BASE_URL/" | tr -d '\r') || true
    if grep -qiE '^server: .*[0-9]' <<<"$headers" || grep -qE 'nginx/[0-9]' "$WORK/body"; then leaks+="421 "; fi
    expect_eq "H10: no nginx version in Server headers or error pages (200, 204, 400, 404, 414, 421)" "" "$leaks"
    local server
    server=$(tools_on "$(network_of frontend)" curl -s -D - -o /dev/null --max-time 5 "http://$(ip_on "$(containers_of app | head -n 1)" "$(network_of frontend)"):8000/healthz" | tr -d '\r' | grep -i '^server:' || true)
    expect_eq "H10: the app sends no Server header" "" "$server"
    observe "Server: $(curl -s -D - -o /dev/null "$BASE_URL/nginx-health" | tr -d '\r' | sed -n 's/^[Ss]erver: //p') on every answer checked; no version in error pages; app: no Server header"
    row_end
}

hardening_host_header() {
    row_start hardening H11 "Host header policy: nginx answers only the names it expects"
    local host status results=''
    for host in localhost "localhost:$HTTP_PORT" 127.0.0.1 web; do
        status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Host: $host" "$BASE_URL/healthz")
        results+="$host=$status "
        expect_eq "H11: Host: $host is served" 200 "$status"
    done
    for host in unknown.example evil.localhost.example "localhost.evil.example"; do
        status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Host: $host" "$BASE_URL/")
        results+="$host=$status "
        expect_eq "H11: Host: $host is refused with 421" 421 "$status"
    done
    status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H 'Host:' -0 "$BASE_URL/")
    results+="(none, HTTP/1.0)=$status "
    expect_eq "H11: no Host (HTTP/1.0) is refused with 421" 421 "$status"
    status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H 'Host: a b' "$BASE_URL/")
    results+="'a b'=$status"
    expect_eq "H11: a malformed Host is refused with 400" 400 "$status"
    observe "$results"
    observe "choice: nginx filters Host; the app, reachable only by nginx, answers any Host"
    row_end
}

# readelf's view of a file of an image: header, program headers, dynamic
# section, section headers and dynamic symbols.
image_file_elf() { # IMAGE PATH
    local id
    id=$(docker create --label "$RUN_LABEL" "$1")
    docker cp "$id:$2" "$WORK/elf-under-test" >/dev/null
    docker rm "$id" >/dev/null
    tools_on none sh -c 'cat >/tmp/elf && readelf -W --file-header --program-headers --dynamic --section-headers --dyn-syms /tmp/elf' \
        <"$WORK/elf-under-test"
}

lacks_symtab() { ! grep -q '\.symtab' <<<"$1"; }

hardening_binary() {
    row_start hardening H12 "The app binary is built with Debian's hardening flags and stripped"
    local elf
    elf=$(image_file_elf "$PAGEVIEWS_IMAGE" /usr/local/bin/pageviews)
    check "H12: position-independent executable (ASLR)" grep -q 'Type: *DYN' <<<"$elf"
    check "H12: RELRO segment (GNU_RELRO)" grep -q 'GNU_RELRO' <<<"$elf"
    check "H12: immediate binding, so RELRO covers the GOT (-z now: BIND_NOW)" grep -qE '\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*NOW' <<<"$elf"
    check "H12: stack protector (__stack_chk_fail referenced)" grep -q '__stack_chk_fail' <<<"$elf"
    check "H12: stripped (no .symtab)" lacks_symtab "$elf"
    local fortified
    fortified=$(grep -oE '__[a-z0-9_]+_chk\b' <<<"$elf" | grep -v __stack_chk_fail | sort -u | tr '\n' ' ' || true)
    observe "PIE, RELRO, BIND_NOW, stack protector, stripped; _FORTIFY_SOURCE checked calls: ${fortified:-none (the code makes no fortifiable libc call; the flag comes from dpkg-buildflags)}"
    row_end
}

hardening_privileges_in_image() {
    row_start hardening H13 "No setuid or setgid file in the app image; its user and group are 10001"
    local files ids
    # The marker proves the scan ran to its end: an empty list alone would
    # also come from a scan that never ran.
    files=$(docker run --rm --label "$RUN_LABEL" --user 0 --network none --entrypoint sh "$PAGEVIEWS_IMAGE" \
        -c 'find / -xdev -type f -perm /6000 && echo "(scan complete)"' | tr '\n' ' ')
    expect_eq "H13: no file with the setuid or setgid bit" "(scan complete) " "$files"
    ids=$(docker run --rm --label "$RUN_LABEL" --network none --entrypoint id "$PAGEVIEWS_IMAGE")
    check "H13: the image's user is uid 10001, gid 10001 (as compose runs it)" grep -q '^uid=10001(pageviews) gid=10001(pageviews)' <<<"$ids"
    local found=${files%"(scan complete) "}
    observe "setuid/setgid files: ${found:-none}; image user: $ids"
    row_end
}

label_of() { # IMAGE LABEL
    docker image inspect --format "{{index .Config.Labels \"$2\"}}" "$1"
}

hardening_provenance() {
    row_start hardening H14 "The app image says what it was built from: OCI labels, --version, package list"
    local version revision created line packages
    version=$(label_of "$PAGEVIEWS_IMAGE" org.opencontainers.image.version)
    revision=$(label_of "$PAGEVIEWS_IMAGE" org.opencontainers.image.revision)
    created=$(label_of "$PAGEVIEWS_IMAGE" org.opencontainers.image.created)
    line=$(docker run --rm --label "$RUN_LABEL" --network none "$PAGEVIEWS_IMAGE" --version)
    if [[ -n "${PAGEVIEWS_REVISION:-}" ]]; then
        expect_eq "H14: the revision label is the commit the image was built from" "$PAGEVIEWS_REVISION" "$revision"
    fi
    check "H14: the revision label is a git commit" grep -qE '^[0-9a-f]{40}$' <<<"$revision"
    expect_eq "H14: --version names the label's version and revision" "pageviews $version (revision $revision)" "$line"
    check "H14: the created label is an RFC 3339 UTC time" grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' <<<"$created"
    packages=$(docker run --rm --label "$RUN_LABEL" --network none --entrypoint cat "$PAGEVIEWS_IMAGE" \
        /usr/share/doc/pageviews/packages.txt)
    check "H14: the image lists its packages as name=version (libpq5 among them)" grep -qE '^libpq5=[0-9]' <<<"$packages"
    observe "$line; created $created; $(wc -l <<<"$packages") packages in /usr/share/doc/pageviews/packages.txt"
    row_end
}

# The mode of the root directory ("./") in every layer of IMAGE.
layer_root_modes() { # IMAGE
    # shellcheck disable=SC2016 # the script runs in the tools container
    docker save "$1" | tools_on none sh -c \
        'mkdir /tmp/image && tar -x -C /tmp/image && for layer in /tmp/image/*/layer.tar; do tar -tvf "$layer" | awk "\$6 == \"./\" {print \$1}"; done' |
        sort -u | tr '\n' ' ' | sed 's/ *$//'
}

hardening_base_image() {
    local base=${BASE_IMAGE:-debian:trixie-slim}
    row_start hardening H15 "The base image ($base) is laid out like the official slim one"
    local modes layout
    modes=$(layer_root_modes "$base")
    expect_eq "H15: its layers give the root directory mode 0755 (a 0700 root breaks non-root users on the vfs driver)" \
        drwxr-xr-x "$modes"
    layout=$(docker run --rm --label "$RUN_LABEL" --network none --entrypoint sh "$base" -c \
        'printf "debs=%s " "$(find /var/cache/apt/archives -name "*.deb" | wc -l)"
         printf "locale_files=%s " "$(find /usr/share/locale /usr/share/man -type f | wc -l)"
         printf "security_suite=%s" "$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | grep -c -- "-security")"')
    check "H15: no cached .deb files" grep -q 'debs=0 ' <<<"$layout"
    check "H15: no locales or man pages (the slim image's dpkg excludes)" grep -q 'locale_files=0 ' <<<"$layout"
    check "H15: its apt sources include the security suite" grep -qE 'security_suite=[1-9]' <<<"$layout"
    observe "layer root modes: $modes; $layout"
    row_end
}

# "memory pids nofile" as the kernel applies them inside CONTAINER: the
# cgroup's memory limit (v1 or v2), its pids limit, PID 1's open files.
limits_in_force() { # CONTAINER
    docker exec "$1" sh -c '
        memory=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes)
        pids=$(cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max)
        nofile=$(awk "/^Max open files/ {print \$4}" /proc/1/limits)
        echo "$memory $pids $nofile"'
}

# "memory pids nofile" as the compose file sets them for SERVICE (bytes;
# nofile empty when unset).
limits_configured() { # SERVICE
    # shellcheck disable=SC2016 # a jq program, not shell
    compose config --format json | tools_on none jq -r --arg s "$1" \
        '.services[$s] | "\(.deploy.resources.limits.memory // "unset") \(.deploy.resources.limits.pids // "unset") \(.ulimits.nofile.soft // "")"'
}

hardening_limits() {
    row_start hardening H16 "Memory, process and open-file limits set and in force on every long-running service"
    local id name want got seen='' service
    for service in db app web; do
        want=$(limits_configured "$service")
        check "H16: the compose file limits $service's memory and processes" grep -qE '^[0-9]+ [0-9]+ ' <<<"$want"
        for id in $(project_containers); do
            name=$(docker inspect --format '{{index .Config.Labels "com.docker.compose.service"}}' "$id")
            [[ "$name" == "$service" ]] || continue
            got=$(limits_in_force "$id")
            seen+="$name: $got; "
            # db keeps its image's open-file limit: compare what is set.
            [[ -n "${want##* }" ]] || got="${got% *} "
            expect_eq "H16: $name runs with them (memory bytes, pids, open files)" "$want" "$got"
        done
        check "H16: a $service container was checked" grep -q "$service: " <<<"$seen"
    done
    observe "memory bytes, pids, open files: $seen"
    row_end
}

# Logs of every container, kept before compose down removes them.
save_logs() { # NAME
    compose logs --no-color --timestamps >"$WORK/logs-$1.txt" 2>&1 || true
}

test_no_secret_in_logs() {
    row_start hardening H9 "No secret in any log line"
    save_logs end
    local passwords="$WORK/passwords" lines hits
    db_passwords >"$passwords"
    lines=$(cat "$WORK"/logs-*.txt 2>/dev/null | wc -l)
    hits=$(cat "$WORK"/logs-*.txt 2>/dev/null | grep -c -F -f "$passwords" || true)
    expect_eq "H9: neither DB password appears in any of the $lines log lines of db, migrate, app and web (whole run, faults included)" 0 "$hits"
    local redacted
    redacted=$(grep -h 'pageviews starting' "$WORK"/logs-*.txt | head -n 1 | grep -o 'database=[^ ]*' || true)
    check "H9: the app logs its database URL with the password masked (user:***@)" masked_url "$redacted"
    observe "$lines log lines from the whole run (including every fault): $hits with the password; the app logs ${redacted:-no database URL}"
    row_end
}

test_hardening() {
    hardening_ports
    hardening_host_reach
    hardening_backend_internal
    hardening_users
    hardening_readonly
    hardening_caps
    hardening_images
    hardening_inspect
    hardening_server_tokens
    hardening_host_header
    hardening_binary
    hardening_privileges_in_image
    hardening_provenance
    hardening_base_image
    hardening_limits
}
