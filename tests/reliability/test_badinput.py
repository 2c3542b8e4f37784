"""Bad input (rows B1-B17 of docs/reliability.md), sent over raw TCP from
the tests container on the frontend network, once to nginx (web:80) and once
straight to one app replica (its address, port 8000: the app is not
published). A class of bad requests is refused (a 4xx or a close), counts
nothing, restarts nothing, and nginx keeps serving others; after the last
class the replica's open files and memory are back to where they were (B13).

The tests of a class share one sending (a module-scoped fixture per class
and target, so pytest runs them together); the leak check comes last."""
import dataclasses
import os
import subprocess
import threading
import time

import pytest

from harness.command import output, run
from harness.http import get
from harness.wait import wait_for
from reliability import raw
from reliability.raw import APP_LENIENT

H = b"Host: localhost\r\n"
CLOSE = b"Connection: close\r\n"
TARGETS = ("nginx", "app")
# The app's deadline for a database statement, as the cluster runs it.
DB_TIMEOUT_S = int(os.environ.get("PAGEVIEWS_DB_TIMEOUT_MS", "2000")) / 1000


def get_line(target, headers=b""):
    return b"GET " + target + b" HTTP/1.1\r\n" + H + headers + CLOSE + b"\r\n"


# The body is itself a GET /: a server that misreads the framing counts it
# as a second view (issue 15). Drogon 1.9 did, for both smuggling cases.
SMUGGLED = b"GET / HTTP/1.1\r\n" + H + b"\r\n"
N = str(len(SMUGGLED)).encode()

CLASSES = {
    "B1": ("Malformed request lines: method only, an extra token, no target, version HTTP/1.x, binary garbage, "
           "a TLS handshake", {
               "method-only": b"GET\r\n\r\n",
               "extra-token": b"GET / HTTP/1.1 extra\r\n" + H + b"\r\n",
               "missing-target": b"GET  HTTP/1.1\r\n" + H + b"\r\n",
               "bad-version": b"GET / HTTP/1.x\r\n" + H + b"\r\n",
               "binary-garbage": b"\x01\x02\x03garbage\xff\r\n\r\n",
               "tls-handshake": b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03",
           }),
    "B2": ("Unknown and lower-case methods: FOO, get, Get, TRACE, PROPFIND, DELETE on /", {
        name: method + b" / HTTP/1.1\r\n" + H + CLOSE + b"\r\n" for name, method in [
            ("FOO", b"FOO"), ("get-lowercase", b"get"), ("Get-mixedcase", b"Get"), ("TRACE", b"TRACE"),
            ("PROPFIND", b"PROPFIND"), ("DELETE", b"DELETE")]}),
    "B3": ("HTTP/0.9 (GET / with no version) and GET / without Host in HTTP/1.0 and HTTP/1.1", {
        "http0.9": b"GET /\r\n",
        "http1.0-no-host": b"GET / HTTP/1.0\r\n\r\n",
        "http1.1-no-host": b"GET / HTTP/1.1\r\n" + CLOSE + b"\r\n",
    }),
    "B4": ("64 KB headers on GET /: one 64 KB header, 1024 headers of 64 bytes, a 64 KB cookie", {
        "one-64KB-header": get_line(b"/", b"X-Big: " + b"a" * 65536 + b"\r\n"),
        "1024-headers-64KB": get_line(b"/", b"".join(b"X-H%04d: %054d\r\n" % (i, 0) for i in range(1, 1025))),
        "64KB-cookie": get_line(b"/", b"Cookie: session=" + b"c" * 65536 + b"\r\n"),
    }),
    "B5": ("10 KB URLs: GET / with a 10 KB query, GET of a 10 KB path", {
        "10KB-query": get_line(b"/?" + b"q" * 10240),
        "10KB-path": get_line(b"/" + b"p" * 10240),
    }),
    "B6": ("Invalid percent-encoding in the path: /%zz, /%, /%4, /%%", {
        path[1:].replace(b"%", b"pct").decode(): get_line(path) for path in [b"/%zz", b"/%", b"/%4", b"/%%"]}),
    "B7": ("NUL bytes and invalid UTF-8 in the path: raw NUL, %00, raw 0xFF 0xFE, overlong / (raw and %c0%af), "
           "an encoded surrogate", {
               "raw-NUL": get_line(b"/\x00"),
               "pct00": get_line(b"/%00"),
               "raw-xff-xfe": get_line(b"/\xff\xfe"),
               "overlong-slash": get_line(b"/\xc0\xaf"),
               "pct-overlong-slash": get_line(b"/%c0%af"),
               "pct-surrogate": get_line(b"/%ed%a0%80"),
           }),
    "B8": (".. traversal toward /etc/passwd: plain, %2e%2e, ..%2f, below a route, backslashes, mixed", {
        "dotdot": get_line(b"/../../etc/passwd"),
        "pct-dotdot": get_line(b"/%2e%2e/%2e%2e/etc/passwd"),
        "pct-slash": get_line(b"/..%2f..%2fetc%2fpasswd"),
        "below-a-route": get_line(b"/healthz/../../../etc/passwd"),
        "backslashes": get_line(b"/..\\..\\etc\\passwd"),
        "mixed-dots": get_line(b"/./../.%2e/etc/passwd"),
    }),
    "B9": ("Duplicate Content-Length on GET / (different values, same values, a list), Content-Length with "
           "Transfer-Encoding, and a GET / smuggled as the body behind `Content-Length : N` (a space before the "
           "colon) or behind `Content-Length: 0` + `Content-Length: N`", {
               "different-values": get_line(b"/", b"Content-Length: 0\r\nContent-Length: 5\r\n") + b"hello",
               "same-values": get_line(b"/", b"Content-Length: 5\r\nContent-Length: 5\r\n") + b"hello",
               "list-value": get_line(b"/", b"Content-Length: 5, 5\r\n") + b"hello",
               "with-transfer-encoding":
                   get_line(b"/", b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n") + b"0\r\n\r\n",
               "space-before-colon": b"GET / HTTP/1.1\r\n" + H + b"Content-Length : " + N + b"\r\n\r\n" + SMUGGLED,
               "zero-then-length-smuggling":
                   b"GET / HTTP/1.1\r\n" + H + b"Content-Length: 0\r\nContent-Length: " + N + b"\r\n\r\n" + SMUGGLED,
           }),
    "B10": ("Chunked bodies on GET /: a 5-byte body, a bad chunk size, gzip+chunked, an empty body (just the last "
            "chunk)", {
                "chunked-body": get_line(b"/", b"Transfer-Encoding: chunked\r\n") + b"5\r\nhello\r\n0\r\n\r\n",
                "bad-chunk-size": get_line(b"/", b"Transfer-Encoding: chunked\r\n") + b"zz\r\nhello\r\n0\r\n\r\n",
                "gzip-chunked": get_line(b"/", b"Transfer-Encoding: gzip, chunked\r\n") + b"5\r\nhello\r\n0\r\n\r\n",
                "empty-chunked": get_line(b"/", b"Transfer-Encoding: chunked\r\n") + b"0\r\n\r\n",
            }),
}


# -- the cluster as the bad input finds it ----------------------------------

@pytest.fixture(scope="module")
def app(cluster):
    """The replica that takes the bad input straight."""
    return cluster.container_ids("app")[0]


@pytest.fixture(scope="module")
def address(cluster, app):
    return {"nginx": (cluster.ip(cluster.container("web")), 80), "app": (cluster.ip(app), 8000)}


def identities(cluster):
    """What changes when a container restarts or is replaced: app replicas and nginx."""
    ids = cluster.container_ids("app") + cluster.container_ids("web")
    lines = output("docker", "inspect", "--format", "{{.Name}} {{.Id}} {{.State.StartedAt}} {{.RestartCount}}", *ids)
    return {name.lstrip("/"): f"{id[:12]} started {started}, restarts {restarts}"
            for name, id, started, restarts in (line.split() for line in lines.splitlines())}


def app_resources(app):
    """The replica's (open file descriptors, resident KiB), read inside it as its own user."""
    text = output("docker", "exec", app, "sh", "-c",
                  'set -- /proc/1/fd/*; echo "$#"; grep "^VmRSS:" /proc/1/status')
    fds, rss = text.split("\n")
    return int(fds), int(rss.split()[1])


@pytest.fixture(scope="module")
def before_bad_input(cluster, app):
    """The cluster before the first bad request: who runs, and the replica's resources."""
    return identities(cluster), app_resources(app)


# Who ran before each attack (identities), by attack: a crash fails the
# attack that caused it, not every one after it too.
ALIVE_BEFORE = {}


def unharmed(cluster, address, before):
    """Problems after an attack: a restart since before, or nginx or the replica not serving."""
    problems, now = [], identities(cluster)
    for name in sorted(set(before) | set(now)):
        if before.get(name) != now.get(name):
            logs = run("docker", "logs", "--tail", "15", name, check=False)
            problems.append(f"{name} restarted or replaced: before {before.get(name)}, now {now.get(name)}; "
                            f"its last lines:\n{logs.stdout}{logs.stderr}")
    for target, url in [("nginx", "http://%s/healthz" % address["nginx"][0]),
                        ("app", "http://%s:8000/healthz" % address["app"][0])]:
        answer = get(url, headers={"Host": "localhost"}, timeout=5)
        if answer.status != 200:
            problems.append(f"GET /healthz via {target}: {answer.status or answer.error}")
    return problems


def tools_on(cluster, image, network, *command, detach=False):
    """A throwaway tools container on one of the cluster's networks (another
    address than the tests container's); removed with the cluster."""
    args = ["docker", "run", "--rm", "--label", f"pageviews.test-project={cluster.name}",
            "--network", cluster.network(network), *(["--detach"] if detach else []), image, *command]
    if detach:
        return output(*args)
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def other_clients(cluster, image, web, count=20, max_time=5):
    """count GET / through nginx from another container, 0.5 s apart,
    started now; .communicate() gives "status seconds" lines."""
    loop = (f'for i in $(seq 1 {count}); do curl -s -o /dev/null --max-time {max_time} '
            f'-w "%{{http_code}} %{{time_total}}\\n" -H "Host: localhost" http://{web}/; sleep 0.5; done')
    return tools_on(cluster, image, "frontend", "bash", "-c", loop)


def served(probe_output):
    """(answered 200, slowest seconds, statuses) of other_clients' lines."""
    lines = [line.split() for line in probe_output.splitlines() if len(line.split()) == 2]
    ok = sum(status == "200" for status, _ in lines)
    return ok, max((float(seconds) for _, seconds in lines), default=0.0), sorted(status for status, _ in lines)


# -- B1-B10: classes of bad requests -----------------------------------------

@dataclasses.dataclass
class Sent:
    target: str
    answers: dict  # case name -> raw.Answer
    before: int
    after: int

    def lenient(self, class_id):
        """Cases the app accepted as documented (APP_LENIENT): one view each."""
        return [name for name, answer in self.answers.items() if self.target == "app"
                and f"{class_id}/{name}" in APP_LENIENT and answer.statuses[:1] == [200]
                and all(400 <= status < 500 for status in answer.statuses[1:])]


@pytest.fixture(scope="module", params=[
    pytest.param((c, t), id=f"{c}-{t}", marks=pytest.mark.row("input", c, CLASSES[c][0]))
    for c in CLASSES for t in TARGETS])
def sent(request, cluster, address, before_bad_input):
    class_id, target = request.param
    ALIVE_BEFORE[request.param] = identities(cluster)
    before = cluster.db_count()
    answers = {name: raw.send(*address[target], request) for name, request in sorted(CLASSES[class_id][1].items())}
    return class_id, Sent(target, answers, before, cluster.db_count())


def test_every_case_of_the_class_is_refused(sent, row):
    class_id, result = sent
    row("input", class_id, CLASSES[class_id][0])
    lenient = result.lenient(class_id)
    seen = ", ".join(f"{name} → {raw.outcome(answer)}"
                     + (f" (documented: {APP_LENIENT[class_id + '/' + name]})" if name in lenient else "")
                     for name, answer in result.answers.items())
    row.observe(f"{result.target}: {seen}; count {result.before} → {result.after}")
    not_refused = {name: f"{raw.outcome(answer)}: {answer.response[:200]!r}" for name, answer in result.answers.items()
                   if not raw.refused(answer, result.target) and name not in lenient}
    assert not not_refused, f"via {result.target}, not refused with a 4xx or a close: {not_refused}"


def test_the_class_counts_nothing_but_documented_leniencies(sent, row):
    class_id, result = sent
    row("input", class_id, CLASSES[class_id][0])
    lenient = result.lenient(class_id)
    assert result.after == result.before + len(lenient), (
        f"via {result.target}: count {result.before} → {result.after}, documented views {lenient}")


def test_the_class_leaks_no_file_content(sent, row):
    class_id, result = sent
    row("input", class_id, CLASSES[class_id][0])
    leaked = [name for name, answer in result.answers.items() if b"root:x:0:0" in answer.response]
    assert not leaked, f"/etc/passwd content in the answers to {leaked} via {result.target}"


def test_the_class_harms_nothing(sent, row, cluster, address):
    class_id, result = sent
    row("input", class_id, CLASSES[class_id][0])
    problems = unharmed(cluster, address, ALIVE_BEFORE[class_id, result.target])
    assert not problems, "\n".join(problems)


# -- B11: slowloris ----------------------------------------------------------

B11 = ("Slowloris: 500 connections each sending a header line every 2 s and never finishing, against nginx (14 s) "
       "and against one app replica (12 s), while other clients send GET / through nginx")
ROW_B11 = ("input", "B11", B11)


@pytest.fixture(scope="module", params=TARGETS)
def slowloris(request, cluster, images, address, before_bad_input):
    seconds = {"nginx": 14, "app": 12}[request.param]
    ALIVE_BEFORE["B11", request.param] = identities(cluster)
    before = cluster.db_count()
    probe = other_clients(cluster, images["tools"], address["nginx"][0])
    result = raw.slow_client(*address[request.param], conns=500, seconds=seconds, interval=2)
    probe_output = probe.communicate(timeout=120)[0]
    return request.param, result, served(probe_output), before, cluster.db_count()


@pytest.mark.row(*ROW_B11)
def test_slowloris_opens_all_its_connections(slowloris, row):
    target, result, (ok, slowest, _), *_ = slowloris
    row(*ROW_B11)
    if target == "nginx":
        closes = "none" if result.last_close is None else f"after {result.first_close:.1f}-{result.last_close:.1f} s"
        row.observe(f"nginx: {result.closed_by_server} of {result.opened} slow connections closed by nginx {closes}; "
                    f"other clients {ok}/20 served, slowest {slowest:.2f} s")
    else:
        row.observe(f"app: {result.opened} slow connections held {result.still_open} open for 12 s (Drogon has no "
                    f"header timeout; only nginx can reach it); other clients {ok}/20 served, slowest {slowest:.2f} s")
    assert result.opened == 500, f"opened {result.opened}, refused {result.refused}"


@pytest.mark.row(*ROW_B11)
def test_other_clients_are_served_during_slowloris(slowloris, row):
    target, _, (ok, slowest, statuses), *_ = slowloris
    row(*ROW_B11)
    assert ok == 20 and slowest < 1.0, f"against {target}: {ok}/20 served, slowest {slowest:.2f} s ({statuses})"


@pytest.mark.row(*ROW_B11)
def test_slowloris_counts_nothing(slowloris, row):
    target, _, (ok, *_), before, after = slowloris
    row(*ROW_B11)
    assert after == before + ok, f"against {target}: count {before} → {after}, other clients' views {ok}"


@pytest.mark.row(*ROW_B11)
def test_nginx_closes_slow_headers_at_client_header_timeout(slowloris, row):
    target, result, *_ = slowloris
    row(*ROW_B11)
    if target == "app":
        pytest.skip("Drogon has no header timeout (a documented choice): nginx's protects the cluster")
    assert result.closed_by_server == 500 and result.last_close is not None and result.last_close <= 13, (
        f"client_header_timeout is 10 s: {result}")


@pytest.mark.row(*ROW_B11)
def test_slowloris_harms_nothing(slowloris, row, cluster, address):
    row(*ROW_B11)
    problems = unharmed(cluster, address, ALIVE_BEFORE["B11", slowloris[0]])
    assert not problems, "\n".join(problems)


# -- B12: pipelining -----------------------------------------------------------

B12 = "Pipelined requests: 5 GET / in one write; then GET /, GET /%zz, GET / in one write"
ROW_B12 = ("input", "B12", B12)
KEEP = b"GET / HTTP/1.1\r\n" + H + b"\r\n"


@pytest.fixture(scope="module", params=TARGETS)
def pipelined(request, cluster, address, before_bad_input):
    ALIVE_BEFORE["B12", request.param] = identities(cluster)
    before = cluster.db_count()
    five = raw.send(*address[request.param], KEEP * 4 + get_line(b"/"))
    mixed = raw.send(*address[request.param], KEEP + b"GET /%zz HTTP/1.1\r\n" + H + b"\r\n" + get_line(b"/"))
    return request.param, five, mixed, before, cluster.db_count()


@pytest.mark.row(*ROW_B12)
def test_five_pipelined_views_are_answered_in_order(pipelined, row):
    target, five, mixed, before, after = pipelined
    row(*ROW_B12)
    row.observe(f"{target}: 5 pipelined → {','.join(map(str, five.statuses))}, numbers {five.views}; "
                f"GET / + /%zz + GET / → {','.join(map(str, mixed.statuses))}; count {before} → {after}")
    assert five.statuses == [200] * 5, f"via {target}: {raw.outcome(five)}"


@pytest.mark.row(*ROW_B12)
def test_five_pipelined_views_carry_consecutive_numbers(pipelined, row):
    target, five, *_ = pipelined
    row(*ROW_B12)
    assert len(five.views) == 5 and five.views == list(range(five.views[0], five.views[0] + 5)), (
        f"via {target}: numbers {five.views}")


@pytest.mark.row(*ROW_B12)
def test_a_bad_request_in_a_pipeline_is_refused(pipelined, row):
    target, _, mixed, *_ = pipelined
    row(*ROW_B12)
    statuses = mixed.statuses
    assert statuses[:1] == [200] and len(statuses) >= 2 and 400 <= statuses[1] < 500 and statuses[2:] in ([], [200]), (
        f"via {target}: GET /, GET /%zz, GET / answered {statuses}")


@pytest.mark.row(*ROW_B12)
def test_a_pipeline_counts_exactly_its_200s(pipelined, row):
    target, five, mixed, before, after = pipelined
    row(*ROW_B12)
    answered = five.statuses.count(200) + mixed.statuses.count(200)
    assert after == before + answered, f"via {target}: count {before} → {after}, {answered} answered 200"


@pytest.mark.row(*ROW_B12)
def test_pipelining_harms_nothing(pipelined, row, cluster, address):
    row(*ROW_B12)
    problems = unharmed(cluster, address, ALIVE_BEFORE["B12", pipelined[0]])
    assert not problems, "\n".join(problems)


# -- B14: slow bodies ----------------------------------------------------------

B14 = ("Slow bodies (issue 15): for 20 s, 2,400 connections at a time from one address (each replaced as soon as it "
       "is closed) send GET / with Content-Length: 1000 and then one body byte every 5 s (every other one naming a "
       "host nginx does not serve), while another address sends 20 GET / through nginx")
ROW_B14 = ("input", "B14", B14)
NGINX_PROCESSES = r"""
for p in /proc/[0-9]*; do
    c=$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null) || continue
    case "$c" in
        "nginx: worker process"*) kind=worker ;;
        "nginx: "*) kind=master ;;
        *) continue ;;
    esac
    echo "$kind $(awk '$1 == "VmRSS:" {print $2}' "$p/status") $(awk '/^Max open files/ {print $4 "/" $5}' "$p/limits")"
done
"""


def nginx_processes(cluster, image):
    """[(master|worker, resident KiB, "soft/hard" open files)] of nginx's own
    processes, read from a tools container in web's process namespace."""
    text = output("docker", "run", "--rm", "--label", f"pageviews.test-project={cluster.name}", "--network", "none",
                  "--pid", f"container:{cluster.container('web')}", image, "bash", "-c", NGINX_PROCESSES)
    return [tuple(line.split()) for line in text.splitlines() if line.strip()]


def nginx_rss_mib(processes):
    return sum(int(rss) for _, rss, _ in processes) // 1024


@pytest.fixture(scope="module")
def slow_bodies(cluster, images, address, before_bad_input):
    since = str(int(time.time()))
    ALIVE_BEFORE["B14"] = identities(cluster)
    before, processes = cluster.db_count(), nginx_processes(cluster, images["tools"])
    probe = other_clients(cluster, images["tools"], address["nginx"][0], max_time=8)
    result = raw.slow_client(*address["nginx"], conns=2400, seconds=20, interval=5, mode="body")
    probe_output = probe.communicate(timeout=120)[0]
    logs = run("docker", "logs", "--since", since, cluster.container("web"))
    log = logs.stdout + logs.stderr
    return result, served(probe_output), before, cluster.db_count(), processes, log


@pytest.mark.row(*ROW_B14)
def test_slow_bodies_keep_2400_connections_open(slow_bodies, row, cluster, images):
    result, (ok, slowest, _), _, _, processes, _ = slow_bodies
    row(*ROW_B14)
    now = nginx_processes(cluster, images["tools"])
    workers = [process for process in now if process[0] == "worker"]
    hold = "-" if result.longest_hold is None else f"{result.longest_hold:.1f}"
    row.observe(f"{result.opened} slow-body connections (2400 at a time): {result.answered} answered 400, "
                f"{result.closed_by_server} closed by nginx, the longest after {hold} s; other address {ok}/20 "
                f"served, slowest {slowest:.2f} s; nginx ({len(workers)} workers, "
                f"{workers[0][2] if workers else '?'} open files each) resident {nginx_rss_mib(processes)} MiB "
                f"before, {nginx_rss_mib(now)} MiB after")
    assert result.opened >= 2400, f"{result}"


@pytest.mark.row(*ROW_B14)
def test_another_address_is_served_during_slow_bodies(slow_bodies, row):
    _, (ok, slowest, statuses), *_ = slow_bodies
    row(*ROW_B14)
    assert ok == 20, f"{ok}/20 answered 200 within 8 s (slowest {slowest:.2f} s): {statuses}"


@pytest.mark.row(*ROW_B14)
def test_nginx_refuses_slow_bodies_without_waiting_for_them(slow_bodies, row):
    # A body is refused unread: each connection is answered and closed by
    # nginx (after lingering_time, 1 s) before client_body_timeout (10 s)
    # could have closed it, and none is left open from early on.
    result, *_ = slow_bodies
    row(*ROW_B14)
    assert result.closed_by_server >= 2400 and result.longest_hold is not None and result.longest_hold < 10 and (
        result.oldest_open is None or result.oldest_open < 10), f"{result}"


@pytest.mark.row(*ROW_B14)
def test_slow_bodies_count_nothing(slow_bodies, row):
    _, (ok, *_), before, after, *_ = slow_bodies
    row(*ROW_B14)
    assert after == before + ok, f"count {before} → {after}, the other address's views {ok}"


@pytest.mark.row(*ROW_B14)
def test_nginx_never_runs_out_of_worker_connections(slow_bodies, row):
    log = slow_bodies[-1]
    row(*ROW_B14)
    assert "worker_connections are not enough" not in log


@pytest.mark.row(*ROW_B14)
def test_nginx_workers_may_open_a_file_for_each_of_their_connections(slow_bodies, row, cluster, images):
    # The sizes chosen in deploy/nginx/nginx.conf, as the running workers got them.
    row(*ROW_B14)
    limits = {files for kind, _, files in nginx_processes(cluster, images["tools"]) if kind == "worker"}
    config = cluster.exec("web", "nginx", "-T").stdout
    connections = [line.split()[1].rstrip(";") for line in config.splitlines()
                   if line.split()[:1] == ["worker_connections"]]
    assert (limits, connections) == ({"16384/16384"}, ["8192"])


@pytest.mark.row(*ROW_B14)
def test_slow_bodies_harm_nothing(slow_bodies, row, cluster, address):
    row(*ROW_B14)
    problems = unharmed(cluster, address, ALIVE_BEFORE["B14"])
    assert not problems, "\n".join(problems)


# -- B15: the per-address limit ------------------------------------------------

B15 = (f"Per-address limit: 300 requests at once from one address, held (GET /api/views while the database is "
       f"paused: each waits for the app's {DB_TIMEOUT_S:.2f} s deadline), while 20 more come from another address")
ROW_B15 = ("input", "B15", B15)
OTHER_ADDRESS = 'for i in $(seq 1 20); do curl -s -o /dev/null --max-time 30 -w "%{http_code}\\n" ' \
                '-H "Host: localhost" "http://$0/api/views" & done; wait'


@pytest.fixture(scope="module")
def per_address(cluster, images, address, before_bad_input):
    ALIVE_BEFORE["B15"] = identities(cluster)
    before = cluster.db_count()
    other = tools_on(cluster, images["tools"], "frontend", "sleep", "300", detach=True)
    all_sent, result = threading.Event(), {}

    def one_address():
        result["sent"], result["statuses"] = raw.burst(*address["nginx"], 300, "/api/views", 30, all_sent.set)

    # The freezer may refuse while a process is mid-I/O ("unable to freeze"): try again.
    wait_for("docker compose pause db", lambda: cluster.compose("pause", "db", check=False).returncode == 0,
             timeout=60, interval=1)
    try:
        burst = threading.Thread(target=one_address)
        burst.start()
        other_statuses = []
        if all_sent.wait(60):
            done = run("docker", "exec", other, "bash", "-c", OTHER_ADDRESS, address["nginx"][0], timeout=120)
            other_statuses = sorted(done.stdout.split())
        burst.join(120)
    finally:
        cluster.compose("unpause", "db")
        run("docker", "rm", "--force", other, check=False)
    return result.get("sent", 0), result.get("statuses", {}), other_statuses, before


@pytest.mark.row(*ROW_B15)
def test_one_address_sends_300_held_requests(per_address, row):
    sent, statuses, other, _ = per_address
    row(*ROW_B15)
    row.observe(f"one address: {dict(sorted(statuses.items()))} (429 = over its 256); another address at the same "
                f"time: {dict((status, other.count(status)) for status in sorted(set(other)))}")
    answered = sum(count for status, count in statuses.items() if status != "unanswered")
    assert (sent, answered) == (300, 300), f"statuses {dict(statuses)}"


@pytest.mark.row(*ROW_B15)
def test_one_address_gets_at_most_256_requests_in(per_address, row):
    _, statuses, *_ = per_address
    row(*ROW_B15)
    answered = sum(count for status, count in statuses.items() if status != "unanswered")
    admitted = answered - statuses.get("429", 0)
    assert 1 <= admitted <= 256, f"{admitted} admitted: {dict(statuses)}"


@pytest.mark.row(*ROW_B15)
def test_another_address_is_not_limited_by_the_first(per_address, row):
    other = per_address[2]
    row(*ROW_B15)
    assert len(other) == 20 and "429" not in other, f"its statuses: {other}"


@pytest.mark.row(*ROW_B15)
def test_reads_are_served_again_once_the_database_is(per_address, row, address):
    row(*ROW_B15)
    url = f"http://{address['nginx'][0]}/api/views"
    wait_for("GET /api/views through nginx answering 200",
             lambda: get(url, headers={"Host": "localhost"}, timeout=5).status == 200, timeout=120)


@pytest.mark.row(*ROW_B15)
def test_held_reads_count_nothing(per_address, row, cluster):
    before = per_address[3]
    row(*ROW_B15)
    assert cluster.db_count() == before


@pytest.mark.row(*ROW_B15)
def test_the_per_address_limit_harms_nothing(per_address, row, cluster, address):
    row(*ROW_B15)
    problems = unharmed(cluster, address, ALIVE_BEFORE["B15"])
    assert not problems, "\n".join(problems)


# -- B16: a pipelined flood ----------------------------------------------------

B16 = ("40,000 pipelined GET / on one connection straight to an app replica, never reading an answer, the "
       "connection held 10 s")
ROW_B16 = ("input", "B16", B16)


@pytest.fixture(scope="module")
def flood(cluster, app, address, before_bad_input):
    ALIVE_BEFORE["B16"] = identities(cluster)
    before, (_, rss0) = cluster.db_count(), app_resources(app)
    result, highest = {}, rss0

    def client():
        result["written"], result["stopped"] = raw.pipeline_flood(*address["app"], 40000, 10)

    thread = threading.Thread(target=client)
    thread.start()
    # The replica's memory while the client holds the connection unread.
    while thread.is_alive():
        highest = max(highest, app_resources(app)[1])
        time.sleep(0.2)
    return result, before, cluster.db_count(), rss0, highest


@pytest.mark.row(*ROW_B16)
def test_a_pipelined_flood_counts_at_most_15(flood, row):
    result, before, after, rss0, highest = flood
    row(*ROW_B16)
    stopped = f" (writing stopped: {result.get('stopped')})" if result.get("stopped") else ""
    row.observe(f"{result.get('written')} of 40,000 requests written{stopped}, {after - before} counted; replica "
                f"resident memory {rss0 // 1024} MiB, at most {highest // 1024} MiB while held")
    # The app closes a connection with 16 requests read and not answered.
    assert after - before <= 15, f"{after - before} counted; {result}"


@pytest.mark.row(*ROW_B16)
def test_a_held_pipelined_flood_grows_memory_by_at_most_10_mib(flood, row):
    _, _, _, rss0, highest = flood
    row(*ROW_B16)
    assert highest - rss0 <= 10 * 1024, f"{rss0 // 1024} -> {highest // 1024} MiB"


@pytest.mark.row(*ROW_B16)
def test_a_pipelined_flood_harms_nothing(flood, row, cluster, address):
    row(*ROW_B16)
    problems = unharmed(cluster, address, ALIVE_BEFORE["B16"])
    assert not problems, "\n".join(problems)


# -- B17: Content-Length: 0 ----------------------------------------------------

B17 = ("GET / with Content-Length: 0: through nginx, and straight to an app replica; then, straight to the replica, "
       "GET / + the same + GET / pipelined, and a refused request on a keep-alive connection")
ROW_B17 = ("input", "B17", B17)
ZERO = b"GET / HTTP/1.1\r\n" + H + b"Content-Length: 0\r\n"

# (case, target, bytes, statuses, closed by the server, views counted).
# After a refusal the app answers nothing more on that connection, counts
# nothing more from it, and closes it at once, keep-alive or not.
CONTENT_LENGTH_CASES = [
    ("nginx passes no client's 0 on", "nginx", ZERO + CLOSE + b"\r\n", [200], True, 1),
    ("the app cannot tell it from an empty chunked body", "app", ZERO + CLOSE + b"\r\n", [400], True, 0),
    ("GET /, the same, GET / pipelined", "app", KEEP + ZERO + b"\r\n" + KEEP, [200, 400], True, 1),
    ("a refused request on a keep-alive connection", "app", KEEP[:-2] + b"Content-Length: 5\r\n\r\nhello",
     [400], True, 0),
]


@pytest.mark.parametrize("case, target, request_bytes, statuses, closed, counted", CONTENT_LENGTH_CASES,
                         ids=[case[0] for case in CONTENT_LENGTH_CASES])
@pytest.mark.row(*ROW_B17)
def test_content_length_zero(case, target, request_bytes, statuses, closed, counted, row, cluster, address,
                             before_bad_input):
    row(*ROW_B17)
    ALIVE_BEFORE.setdefault("B17", identities(cluster))
    before = cluster.db_count()
    answer = raw.send(*address[target], request_bytes)
    after = cluster.db_count()
    row.observe(f"{target}, {case}: {raw.outcome(answer)}, closed {int(answer.closed)} after {answer.seconds:.2f} s, "
                f"count {before} → {after}")
    assert (answer.statuses, answer.closed, after - before) == (statuses, closed, counted), (
        f"via {target}: {raw.outcome(answer)}, {answer.response[:200]!r}")


@pytest.mark.row(*ROW_B17)
def test_content_length_zero_harms_nothing(row, cluster, address, before_bad_input):
    row(*ROW_B17)
    problems = unharmed(cluster, address, ALIVE_BEFORE.get("B17", before_bad_input[0]))
    assert not problems, "\n".join(problems)


# -- B13: the leak check, after every other bad input --------------------------

B13 = ("Leak check of the replica that took the bad input straight (after every other bad-input check, B1-B17, and "
       "all their connections closed)")
ROW_B13 = ("input", "B13", B13)


@pytest.mark.row(*ROW_B13)
def test_the_replicas_open_files_return_to_their_baseline(row, cluster, app, before_bad_input):
    row(*ROW_B13)
    fds0, rss0 = before_bad_input[1]
    # nginx keeps idle connections to the replica for 30 s (B15 alone opens
    # a few hundred): not the app's, so a reload closes them before counting.
    cluster.exec("web", "nginx", "-s", "reload")
    try:
        wait_for(f"at most {fds0 + 5} open files in the replica", lambda: app_resources(app)[0] <= fds0 + 5,
                 timeout=60, seen=lambda: f"{app_resources(app)[0]} open")
    finally:
        fds1, rss1 = app_resources(app)
        row.observe(f"open fds {fds0} → {fds1}, resident memory {rss0 // 1024} → {rss1 // 1024} MiB")


@pytest.mark.row(*ROW_B13)
def test_the_replicas_memory_grew_by_at_most_30_mib(row, app, before_bad_input):
    row(*ROW_B13)
    rss0, rss1 = before_bad_input[1][1], app_resources(app)[1]
    assert rss1 - rss0 <= 30 * 1024, f"{rss0 // 1024} -> {rss1 // 1024} MiB"


@pytest.mark.row(*ROW_B13)
def test_all_the_bad_input_restarted_nothing(row, cluster, address, before_bad_input):
    row(*ROW_B13)
    problems = unharmed(cluster, address, before_bad_input[0])
    assert not problems, "\n".join(problems)
