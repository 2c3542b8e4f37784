"""The benchmark's clusters and their probes: docker compose of the shipped
file plus bench/compose.yml, and of the Django reference when a scenario
needs it (report/scenarios.py, PROJECTS), the load generator container
beside them, and one measured run of the load generator (bench/measure.py
drives the phases)."""
import concurrent.futures
import os
import pathlib
import subprocess
import sys
import time

from report import h2load, rounds, scenarios, wrk
from report.scenarios import PROJECTS, SCENARIOS

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
        self.projects = scenarios.projects(args.runs)   # the PROJECTS this run starts
        self.started = []                                # those it started, to tear down
        # Keyed by (project, compose service); hosts: each nginx's address
        # on the network the load generator reaches it by (its name may be ambiguous there).
        self.containers, self.hosts, self.ips, self.metrics_port, self.daemon_pids = {}, {}, {}, "", ""
        self.app_views = 0      # views the batched app counted since it started
        self.failures = 0
        self.last = None        # the last run's row

    # -- docker ----------------------------------------------------------------

    def project_name(self, project):
        return self.args.project + PROJECTS[project].suffix

    def compose_command(self, *args, project="pageviews"):
        files = [ROOT / name for name in PROJECTS[project].files]
        return ["docker", "compose", "--project-name", self.project_name(project),
                "--project-directory", str(files[0].parent),
                *[argument for path in files for argument in ("--file", str(path))], *args]

    def compose(self, *args, check=True, timeout=120, project="pageviews"):
        return run(*self.compose_command(*args, project=project), check=check, timeout=timeout, env=self.env)

    def container(self, service, project="pageviews"):
        return self.containers[project, service]

    def logs(self):
        """The last log lines of every service of every project started."""
        return "\n".join(self.compose("logs", "--no-color", "--tail", "15", check=False, project=project)
                         for project in self.started)

    def in_tools(self, *command, check=True, timeout=60):
        return run("docker", "exec", self.tools, *command, check=check, timeout=timeout)

    def db_sql(self, query, project="pageviews"):
        return run("docker", "exec", self.container("db", project), "psql", "-X", "-q", "-U",
                   os.environ.get("POSTGRES_USER", "pageviews"), "-d", os.environ.get("POSTGRES_DB", "pageviews"),
                   "-tAc", query)

    # -- probes ----------------------------------------------------------------

    def counter_state(self, scenario):
        """(the count in the database, the counting statements scenario's app
        sent so far (its batch-size histogram on /metrics) or None)."""
        views = self.db_sql("SELECT views FROM page_views WHERE path = '/'", scenario.project)
        if not views.isdigit():
            raise Failed(f"could not read the count from the database: {views!r}")
        if not scenario.metrics:
            return int(views), None
        address = self.ips[scenario.project, scenario.app]
        metrics = self.in_tools("curl", "-fsS", "--max-time", "5", f"http://{address}:{self.metrics_port}/metrics",
                                check=False)
        statements = next((int(float(line.split()[1])) for line in metrics.splitlines()
                           if line.startswith("pageviews_count_batch_views_count ")), None)
        return int(views), statements

    def settled_counter_state(self, scenario):
        """The same once the count stopped moving (views whose replies the load generator
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
        return run("docker", "exec", self.container("app"), "awk", "/^VmRSS:/ {print $2}", "/proc/1/status",
                   check=False) or "?"

    def run_load(self, scenario, url, conns, secs, stop=None):
        """One run of scenario's load generator -> wrk.FIELDS."""
        if scenario.tool == "h2load":
            return self.run_h2load(url, conns, secs)
        return self.run_wrk(url, conns, secs, stop, scenario.headers)

    def run_wrk(self, url, conns, secs, stop, headers):
        env = ["-e", f"BENCH_STOP_PER_THREAD={stop}"] if stop else []
        extra = [argument for header in headers for argument in ("-H", header)]
        done = subprocess.run(["docker", "exec", *env, self.tools, "timeout", str(secs + 30), "wrk",
                               f"-t{self.args.threads}", f"-c{conns}", f"-d{secs}s", "--timeout", "10s",
                               "-H", "Host: web", *extra, "-s", "/bench/wrk/report.lua", url],
                              capture_output=True, text=True, timeout=secs + 60)
        try:
            return wrk.parse(done.stdout)
        except wrk.NoBenchLine as error:
            raise Failed(f"wrk failed against {url}: {error} {done.stderr.strip()[-300:]}") from None

    def run_h2load(self, url, conns, secs):
        """h2load with one stream per connection, so CONNECTIONS requests
        are in flight as with wrk; no warm-up, so that it counts every
        request it sends but the last ones in flight; a connection quiet
        for 10 s is a timeout, like wrk's --timeout 10s. Its per-request
        log (the percentiles) stays in the load generator's container."""
        log = f"/tmp/h2load-{os.getpid()}-{time.monotonic_ns()}.log"
        done = subprocess.run(["docker", "exec", self.tools, "timeout", str(secs + 30), "h2load",
                               f"--threads={self.args.threads}", f"--clients={conns}", "--max-concurrent-streams=1",
                               f"--duration={secs}", "--warm-up-time=0", "--connection-inactivity-timeout=10",
                               "--header=:authority: web", f"--log-file={log}", url],
                              capture_output=True, text=True, timeout=secs + 60)
        lines = self.in_tools("sh", "-c", 'cat "$1" && rm "$1"', "h2load-log", log, check=False)
        try:
            return h2load.parse(done.stdout, lines)
        except h2load.NoSummary as error:
            raise Failed(f"h2load failed against {url}: {error} {done.stderr.strip()[-300:]}") from None

    # -- one run ---------------------------------------------------------------

    def measure(self, phase, round_, kind, conns, secs, stop=None):
        """One load generator run of one scenario; appends its row to rounds.tsv."""
        scenario = SCENARIOS[kind]
        watched = [self.container(service, scenario.project) for service in (scenario.web, scenario.app, "db")]
        watched.append(self.tools)
        before = self.counter_state(scenario) if scenario.counted else (None, None)
        t0, cpu0 = self.cpu_snapshot(watched)
        result = self.run_load(scenario, f"{scenario.scheme}://{self.hosts[scenario.project, scenario.web]}:"
                                         f"{scenario.port}{scenario.path}", conns, secs, stop)
        t1, cpu1 = self.cpu_snapshot(watched)
        after = self.settled_counter_state(scenario) if scenario.counted else (None, None)
        # Busy cores over the time between the two snapshots (slightly more than the load generator's own duration).
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
        if verdict and (scenario.project, scenario.app) == ("pageviews", "app"):
            self.app_views += verdict.growth
        if rounds.failed(row):
            self.failures += 1
            log(f"FAILURE in {phase} {kind}:{conns}: non-2xx={row['non2xx']} socket errors={row['sock_err']} "
                + (f"db growth={verdict.growth} 2xx={verdict.answered} (allowed extra 0..{conns})" if verdict else ""))
        exact = "-" if verdict is None else "FAIL" if rounds.failed(row) else "ok"
        log(f"{phase:<7} r{round_:<2} {kind}:{conns:<4} {result['rps']:9.0f} req/s  "
            f"p50 {result['p50_us'] / 1000:6.2f} ms  p99 {result['p99_us'] / 1000:7.2f} ms  "
            f"non-2xx {row['non2xx'] + row['sock_err']}  exact {exact}  "
            f"cores nginx/app/db/load/docker {'/'.join(str(b) for b in busy[:4])}/{busy[5]} machine {busy[4]}")
        self.last = row
        time.sleep(self.args.settle)

    # -- the cluster -----------------------------------------------------------

    def start_cluster(self):
        if self.args.image and subprocess.run(["docker", "image", "inspect", self.args.image],
                                              capture_output=True).returncode != 0:
            raise Failed(f"--image {self.args.image}: no such image")
        for project in self.projects:
            name = self.project_name(project)
            if self.compose("ps", "--all", "--quiet", project=project):
                raise Failed(f"project {name} has containers (another run, or leftovers: docker compose "
                             f"-p {name} down -v); not starting beside them")
        for project in self.projects:
            self.compose_up(project)
        mine = [s for s in SCENARIOS.values() if s.project in self.projects]
        for project, service in sorted({(s.project, name) for s in mine for name in (s.web, s.app, "db")}):
            self.containers[project, service] = self.compose("ps", "--quiet", service, project=project) or None
            if not self.containers[project, service]:
                raise Failed(f"service {service} of project {self.project_name(project)} is not running")
        networks = sorted({f"{self.project_name(s.project)}_{s.network}" for s in mine})
        run("docker", "run", "--detach", "--name", self.tools, "--label", f"pageviews.bench={self.args.project}",
            "--network", networks[0], "--pid", "host", "--volume", f"{BENCH}:/bench:ro",
            os.environ.get("BENCH_IMAGE", "pageviews-bench:local"), "sleep", "infinity")
        for network in networks[1:]:
            run("docker", "network", "connect", network, self.tools)
        # Addresses, not names: two projects' nginx are both "web". The
        # apps' own addresses and metrics port (nginx never proxies it).
        for s in mine:
            network = f"{self.project_name(s.project)}_{s.network}"
            self.hosts[s.project, s.web] = self.address(self.container(s.web, s.project), network)
            self.ips[s.project, s.app] = self.address(self.container(s.app, s.project), network)
        env = run("docker", "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", self.container("app"))
        self.metrics_port = next(line.split("=", 1)[1] for line in env.splitlines()
                                 if line.startswith("PAGEVIEWS_METRICS_PORT="))
        pids = [self.in_tools("awk", "{print $4}", "/proc/" + run("docker", "inspect", "--format", "{{.State.Pid}}",
                                                                  container) + "/stat")
                for container in self.containers.values()]
        pids += self.in_tools("sh", "-c", 'for f in /proc/[0-9]*/comm; do case "$(cat "$f" 2>/dev/null)" in '
                              'dockerd | containerd) p=${f#/proc/}; echo "${p%/comm}" ;; esac; done').split()
        self.daemon_pids = " ".join(pids)
        # Through every nginx to its app, without counting a view.
        urls = {f"http://{self.hosts[s.project, s.web]}{path}" for s in mine for path in PROJECTS[s.project].ready}
        deadline = time.monotonic() + 60
        while not all(self.answers(url) for url in sorted(urls)):
            if time.monotonic() > deadline:
                raise Failed("the clusters did not answer through every nginx within 60 s")
            time.sleep(1)

    def compose_up(self, project):
        """Starts project and waits until it is healthy; the shipped cluster
        from the checked-out source unless --image, the reference as its
        compose file builds it."""
        own = project == "pageviews"
        how = (f" with app image {self.image}" if self.args.image else
               f" (building the checked-out source as {self.image})") if own else ""
        log(f"starting project {self.project_name(project)}{how}")
        self.started.append(project)
        up_log = self.out / f"compose-up{PROJECTS[project].suffix}.log"
        with open(up_log, "w") as file:
            up = subprocess.run(self.compose_command("up", "--detach", "--wait",
                                                     *(["--no-build"] if own and self.args.image else []),
                                                     project=project),
                                stdout=file, stderr=subprocess.STDOUT, env=self.env, timeout=UP_TIMEOUT)
        if up.returncode != 0:
            tail = up_log.read_text().splitlines()[-25:]
            raise Failed(f"docker compose up of {self.project_name(project)} failed:\n" + "\n".join(tail))

    @staticmethod
    def address(container, network):
        return run("docker", "inspect", "--format",
                   "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}", container)

    def answers(self, url):
        return self.in_tools("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5",
                             "-H", "Host: web", url, check=False) == "200"

    def teardown(self):
        run("docker", "rm", "--force", self.tools, check=False)
        for project in reversed(self.started):
            name = self.project_name(project)
            log(f"tearing down project {name}")
            try:
                self.compose("down", "--volumes", "--remove-orphans", "--timeout", "10", timeout=180, project=project)
            except (Failed, subprocess.TimeoutExpired):
                log(f"warning: 'docker compose -p {name} down -v' failed; remove leftovers by hand")
