"""The benchmark's cluster and its probes: docker compose of the shipped
file plus bench/compose.yml, the load generator container beside it, and
one measured wrk run (bench/measure.py drives the phases)."""
import concurrent.futures
import os
import pathlib
import subprocess
import sys
import time

from report import rounds, scenarios, wrk

BENCH = pathlib.Path(__file__).resolve().parent
ROOT = BENCH.parent
UP_TIMEOUT = 300


class Failed(Exception):
    """The cluster or a tool failed: the run stops (exit 3)."""


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run(*command, check=True, timeout=120, env=None):
    """command's stdout, stripped; with check, a non-zero exit raises Failed."""
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    if check and done.returncode != 0:
        raise Failed(f"{' '.join(command[:4])}... exited {done.returncode}: {done.stderr.strip()[-400:]}")
    return done.stdout.strip()


def load1():
    with open("/proc/loadavg") as file:
        return file.read().split()[0]


class Cluster:
    def __init__(self, args):
        self.args, self.out = args, args.out.resolve()
        self.image = args.image or "pageviews:bench"
        self.env = {**os.environ, "PAGEVIEWS_IMAGE": self.image,
                    "POSTGRES_IMAGE": os.environ.get("POSTGRES_IMAGE", "postgres:17"),
                    "NGINX_IMAGE": os.environ.get("NGINX_IMAGE", "nginx:1.30")}
        self.tools = f"{args.project}-tools"
        self.containers, self.ips, self.metrics_port, self.daemon_pids = {}, {}, "", ""
        self.app_views = 0      # views the batched app counted since it started
        self.failures = 0
        self.last = None        # the last run's row
        self.started = False

    # -- docker ----------------------------------------------------------------

    def compose_command(self, *args):
        return ["docker", "compose", "--project-name", self.args.project, "--project-directory", str(ROOT),
                "--file", str(ROOT / "docker-compose.yml"), "--file", str(BENCH / "compose.yml"), *args]

    def compose(self, *args, check=True, timeout=120):
        return run(*self.compose_command(*args), check=check, timeout=timeout, env=self.env)

    def in_tools(self, *command, check=True, timeout=60):
        return run("docker", "exec", self.tools, *command, check=check, timeout=timeout)

    def db_sql(self, query):
        return run("docker", "exec", self.containers["db"], "psql", "-X", "-q", "-U",
                   os.environ.get("POSTGRES_USER", "pageviews"), "-d", os.environ.get("POSTGRES_DB", "pageviews"),
                   "-tAc", query)

    # -- probes ----------------------------------------------------------------

    def counter_state(self, scenario):
        """(the count in the database, the counting statements scenario's app
        sent so far (its batch-size histogram on /metrics) or None)."""
        views = self.db_sql("SELECT views FROM page_views WHERE path = '/'")
        if not views.isdigit():
            raise Failed(f"could not read the count from the database: {views!r}")
        metrics = self.in_tools("curl", "-fsS", "--max-time", "5",
                                f"http://{self.ips[scenario.app]}:{self.metrics_port}/metrics", check=False)
        statements = next((int(float(line.split()[1])) for line in metrics.splitlines()
                           if line.startswith("pageviews_count_batch_views_count ")), None)
        return int(views), statements

    def settled_counter_state(self, scenario):
        """The same once the count stopped moving (views whose replies wrk
        abandoned may still be landing)."""
        before = self.counter_state(scenario)
        for _ in range(10):
            time.sleep(0.3)
            after = self.counter_state(scenario)
            if after[0] == before[0]:
                break
            before = after
        return after

    def cpu_ns(self, container):
        """CPU time a container has used, in ns (cgroup v1 or v2, read from inside)."""
        value = run("docker", "exec", container, "sh", "-c",
                    "cat /sys/fs/cgroup/cpuacct/cpuacct.usage 2>/dev/null || "
                    "awk '/^usage_usec/ {printf \"%d\\n\", $2 * 1000}' /sys/fs/cgroup/cpu.stat", check=False)
        return int(value) if value.isdigit() else 0

    def machine_and_daemons_ns(self):
        """Busy CPU ns of the whole machine (every process, ours or anyone
        else's) and of Docker's own processes (dockerd, containerd, the
        cluster's shims), which carry every container's log lines. The load
        generator runs with --pid host to see them."""
        script = ('hz=$(getconf CLK_TCK)\n'
                  'awk -v hz="$hz" "/^cpu / {printf \\"%.0f \\", (\\$2 + \\$3 + \\$4 + \\$7 + \\$8 + \\$9) * 1e9 / hz}"'
                  ' /proc/stat\n'
                  't=0\nfor p in $0; do [ -r /proc/$p/stat ] && '
                  't=$((t + $(awk "{print \\$14 + \\$15}" /proc/$p/stat))); done\n'
                  'echo $((t * 1000000000 / hz))')
        machine, daemons = self.in_tools("sh", "-c", script, self.daemon_pids).split()
        return int(machine), int(daemons)

    def cpu_snapshot(self, containers):
        """(time ns mid-snapshot, [CPU ns of each container..., machine, docker])."""
        t0 = time.time_ns()
        with concurrent.futures.ThreadPoolExecutor(len(containers) + 1) as pool:
            machine = pool.submit(self.machine_and_daemons_ns)
            cpus = list(pool.map(self.cpu_ns, containers))
            cpus += list(machine.result())
        return (t0 + time.time_ns()) // 2, cpus

    def rss_kb(self):
        return run("docker", "exec", self.containers["app"], "awk", "/^VmRSS:/ {print $2}", "/proc/1/status",
                   check=False) or "?"

    def run_wrk(self, url, conns, secs, stop=None):
        env = ["-e", f"BENCH_STOP_PER_THREAD={stop}"] if stop else []
        done = subprocess.run(["docker", "exec", *env, self.tools, "timeout", str(secs + 30), "wrk",
                               f"-t{self.args.threads}", f"-c{conns}", f"-d{secs}s", "--timeout", "10s",
                               "-H", "Host: web", "-s", "/bench/wrk/report.lua", url],
                              capture_output=True, text=True, timeout=secs + 60)
        try:
            return wrk.parse(done.stdout)
        except wrk.NoBenchLine as error:
            raise Failed(f"wrk failed against {url}: {error} {done.stderr.strip()[-300:]}") from None

    # -- one run ---------------------------------------------------------------

    def measure(self, phase, round_, kind, conns, secs, stop=None):
        """One wrk run of one scenario; appends its row to rounds.tsv."""
        scenario = scenarios.SCENARIOS[kind]
        watched = [self.containers[scenario.web], self.containers[scenario.app], self.containers["db"], self.tools]
        before = self.counter_state(scenario) if scenario.counted else (None, None)
        t0, cpu0 = self.cpu_snapshot(watched)
        result = self.run_wrk(f"http://{scenario.web}:80{scenario.path}", conns, secs, stop)
        t1, cpu1 = self.cpu_snapshot(watched)
        after = self.settled_counter_state(scenario) if scenario.counted else (None, None)
        # Busy cores over the time between the two snapshots (slightly more than wrk's own duration).
        busy = [round((b - a) / (t1 - t0), 3) for a, b in zip(cpu0, cpu1)]
        row = {"phase": phase, "round": round_, "kind": kind, "conns": conns,
               "secs": round(result["duration_us"] / 1e6, 3), "requests": result["requests"], "rps": result["rps"],
               **{name: result[name] for name in ("p50_us", "p90_us", "p99_us", "max_us")},
               "non2xx": result["err_status"], "sock_err": wrk.socket_errors(result),
               "db_before": before[0], "db_after": after[0],
               "statements": after[1] - before[1] if None not in (before[1], after[1]) else None,
               "cpu_nginx": busy[0], "cpu_app": busy[1], "cpu_db": busy[2], "cpu_wrk": busy[3],
               "cpu_machine": busy[4], "cpu_docker": busy[5], "load1": load1(),
               "cpu_window_s": round((t1 - t0) / 1e9, 3)}
        with open(self.out / "rounds.tsv", "a") as file:
            file.write(rounds.line(row))
        verdict = rounds.exactness(row)
        if kind == "C":
            self.app_views += verdict.growth
        if rounds.failed(row):
            self.failures += 1
            log(f"FAILURE in {phase} {kind}:{conns}: non-2xx={row['non2xx']} socket errors={row['sock_err']} "
                + (f"db growth={verdict.growth} 2xx={verdict.answered} (allowed extra 0..{conns})" if verdict else ""))
        exact = "-" if verdict is None else "FAIL" if rounds.failed(row) else "ok"
        log(f"{phase:<7} r{round_:<2} {kind}:{conns:<4} {result['rps']:9.0f} req/s  "
            f"p50 {result['p50_us'] / 1000:6.2f} ms  p99 {result['p99_us'] / 1000:7.2f} ms  "
            f"non-2xx {row['non2xx'] + row['sock_err']}  exact {exact}  "
            f"cores nginx/app/db/wrk/docker {'/'.join(str(b) for b in busy[:4])}/{busy[5]} machine {busy[4]}")
        self.last = row
        time.sleep(self.args.settle)

    # -- the cluster -----------------------------------------------------------

    def start_cluster(self):
        building = f" (building the checked-out source as {self.image})"
        log(f"starting project {self.args.project}"
            + (f" with app image {self.image}" if self.args.image else building))
        if self.args.image and subprocess.run(["docker", "image", "inspect", self.args.image],
                                              capture_output=True).returncode != 0:
            raise Failed(f"--image {self.args.image}: no such image")
        if self.compose("ps", "--all", "--quiet"):
            raise Failed(f"project {self.args.project} has containers (another run, or leftovers: docker compose "
                         f"-p {self.args.project} down -v); not starting beside them")
        self.started = True
        with open(self.out / "compose-up.log", "w") as up_log:
            up = subprocess.run(self.compose_command("up", "--detach", "--wait",
                                                     *(["--no-build"] if self.args.image else [])),
                                stdout=up_log, stderr=subprocess.STDOUT, env=self.env, timeout=UP_TIMEOUT)
        if up.returncode != 0:
            tail = (self.out / "compose-up.log").read_text().splitlines()[-25:]
            raise Failed("docker compose up failed:\n" + "\n".join(tail))
        used = {s.web for s in scenarios.SCENARIOS.values()} | {s.app for s in scenarios.SCENARIOS.values()}
        for service in sorted(used | {"db"}):
            self.containers[service] = self.compose("ps", "--quiet", service) or None
            if not self.containers[service]:
                raise Failed(f"service {service} is not running")
        networks = sorted({s.network for s in scenarios.SCENARIOS.values()})
        run("docker", "run", "--detach", "--name", self.tools, "--label", f"pageviews.bench={self.args.project}",
            "--network", f"{self.args.project}_{networks[0]}", "--pid", "host", "--volume", f"{BENCH}:/bench:ro",
            os.environ.get("BENCH_IMAGE", "pageviews-bench:local"), "sleep", "infinity")
        for network in networks[1:]:
            run("docker", "network", "connect", f"{self.args.project}_{network}", self.tools)
        # The apps' own addresses and metrics port (nginx never proxies it).
        env = run("docker", "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", self.containers["app"])
        self.metrics_port = next(line.split("=", 1)[1] for line in env.splitlines()
                                 if line.startswith("PAGEVIEWS_METRICS_PORT="))
        for scenario in scenarios.SCENARIOS.values():
            network = f"{self.args.project}_{scenario.network}"
            self.ips[scenario.app] = run("docker", "inspect", "--format", "{{(index .NetworkSettings.Networks \""
                                         + network + "\").IPAddress}}", self.containers[scenario.app])
        pids = [self.in_tools("awk", "{print $4}", "/proc/" + run("docker", "inspect", "--format", "{{.State.Pid}}",
                                                                  container) + "/stat")
                for container in self.containers.values()]
        pids += self.in_tools("sh", "-c", 'for f in /proc/[0-9]*/comm; do case "$(cat "$f" 2>/dev/null)" in '
                              'dockerd | containerd) p=${f#/proc/}; echo "${p%/comm}" ;; esac; done').split()
        self.daemon_pids = " ".join(pids)
        # Through every nginx to its app, without counting a view.
        urls = {f"http://{s.web}/healthz" for s in scenarios.SCENARIOS.values()} | {
            "http://web/nginx-health", "http://web/api/views"}
        deadline = time.monotonic() + 60
        while not all(self.answers(url) for url in sorted(urls)):
            if time.monotonic() > deadline:
                raise Failed("the cluster did not answer through every nginx within 60 s")
            time.sleep(1)

    def answers(self, url):
        return self.in_tools("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5",
                             "-H", "Host: web", url, check=False) == "200"

    def teardown(self):
        run("docker", "rm", "--force", self.tools, check=False)
        if self.started:
            log(f"tearing down project {self.args.project}")
            try:
                self.compose("down", "--volumes", "--remove-orphans", "--timeout", "10", timeout=180)
            except (Failed, subprocess.TimeoutExpired):
                log(f"warning: 'docker compose -p {self.args.project} down -v' failed; remove leftovers by hand")
