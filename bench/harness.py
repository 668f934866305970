#!/usr/bin/env python3
"""taskforge benchmark: run by `bench/run`, which builds the binaries first.

Starts taskforge (release build, LOCO_ENV=production, RATE_LIMIT=off) on a
fresh SQLite file, or on a fresh PostgreSQL database when DATABASE_URL is a
postgres:// URL, seeds it, and drives it and the limit server
(bench/limit-server) with wrk and the Lua scripts in bench/lua. Prints
requests/s, p50/p99 latency, errors and peak RSS per workload, each as a
fraction of the limit server, then the login-storm and (BENCH_DEEP=1)
deep-page checks, and the issue's targets as PASS/FAIL.

Everything talks to 127.0.0.1 only, every step has a time bound, and the
servers it started are stopped on exit (also on Ctrl-C). The environment
variables are listed in bench/README.md.
"""
from __future__ import annotations

import base64
import datetime
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
APP_BIN = Path(os.environ.get("BENCH_BIN") or ROOT / "target" / "release" / "taskforge-cli")
LIMIT_BIN = BENCH / "limit-server" / "target" / "release" / "limit-server"
LUA = BENCH / "lua"
WORKLOADS = ["get", "list", "create", "patch", "delete", "mix"]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw.replace("_", "")) if raw.strip() else default


def env_flag(name: str) -> bool:
    return os.environ.get(name, "0").lower() in ("1", "true", "yes", "on")


CFG = {
    "tasks": env_int("BENCH_TASKS", 10_000),
    "connections": env_int("BENCH_CONNECTIONS", 32),
    "threads": env_int("BENCH_THREADS", 2),
    "duration": env_int("BENCH_DURATION", 10),
    "warmup": env_int("BENCH_WARMUP", 3),
    "workloads": [w for w in os.environ.get("BENCH_WORKLOADS", ",".join(WORKLOADS)).split(",") if w],
    "delete_pool": env_int("BENCH_DELETE_POOL", 100_000),
    "limit_pool": env_int("BENCH_LIMIT_POOL", 1_000_000),
    "storm": not os.environ.get("BENCH_STORM", "1") in ("0", "false", "no", "off"),
    "storm_logins": env_int("BENCH_STORM_LOGINS", 50),
    "deep": env_flag("BENCH_DEEP"),
    "deep_tasks": env_int("BENCH_DEEP_TASKS", 1_000_000),
    "deep_page": env_int("BENCH_DEEP_PAGE", 1_000),
    "deep_repeat": env_int("BENCH_DEEP_REPEAT", 50),
    "profile": env_flag("BENCH_PROFILE"),
    "profile_workload": os.environ.get("BENCH_PROFILE_WORKLOAD", "get"),
    "port": env_int("BENCH_PORT", 0),
    "limit_port": env_int("BENCH_LIMIT_PORT", 0),
    "keep": env_flag("BENCH_KEEP"),
}
PASSWORD = "bench-password-1"
MAIN_USER = "bench@example.com"
DELETE_USER = "bench-delete@example.com"
DEEP_USER = "bench-deep@example.com"


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Harness:
    def __init__(self) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="taskforge-bench-"))
        self.procs: list[subprocess.Popen] = []
        self.pg_admin_url: str | None = None
        self.pg_dbname: str | None = None
        self.secret = base64.b64encode(secrets.token_bytes(48)).decode()
        self.results: dict = {"config": dict(CFG), "workloads": {}}
        self.app: subprocess.Popen | None = None
        self.limit: subprocess.Popen | None = None

    # ---------------------------------------------------------------- setup
    def database_url(self) -> str:
        given = os.environ.get("DATABASE_URL", "")
        if not given.startswith(("postgres://", "postgresql://")):
            self.results["database"] = "sqlite"
            return f"sqlite://{self.work / 'bench.sqlite'}?mode=rwc"
        url = urllib.parse.urlsplit(given)
        if url.hostname not in (None, "", "localhost", "127.0.0.1", "::1"):
            sys.exit(f"refusing to benchmark against a non-local database host {url.hostname!r}")
        self.pg_dbname = f"taskforge_bench_{os.getpid()}"
        self.pg_admin_url = urllib.parse.urlunsplit(url._replace(path="/postgres"))
        self.psql(f'CREATE DATABASE "{self.pg_dbname}"')
        self.results["database"] = "postgres"
        return urllib.parse.urlunsplit(url._replace(path=f"/{self.pg_dbname}"))

    def psql(self, sql: str) -> None:
        subprocess.run(
            ["psql", self.pg_admin_url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
            check=True, timeout=120,
        )

    def psql_db(self, sql: str) -> None:
        """`sql` in the benchmark's own PostgreSQL database."""
        subprocess.run(
            ["psql", self.db_url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
            check=True, timeout=1800,
        )

    def app_env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BENCH_", "LOCO_"))}
        env.update({
            "LOCO_ENV": "production",
            "RATE_LIMIT": "off",
            "JWT_SECRET": self.secret,
            "PORT": str(CFG["port"]),
            "BINDING": "127.0.0.1",
            "DATABASE_URL": self.db_url,
            # The job queue's SQLite file (used when the database is SQLite).
            "QUEUE_URL": f"sqlite://{self.work / 'queue.sqlite'}?mode=rwc",
            # Long enough for the whole run (the default is 15 minutes).
            "ACCESS_TOKEN_TTL": "86400",
        })
        if os.environ.get("BENCH_LOG_LEVEL"):
            env["LOG_LEVEL"] = os.environ["BENCH_LOG_LEVEL"]
        return env

    def cli(self, *args: str, timeout: int = 600) -> str:
        out = subprocess.run(
            # From the repository: the app reads config/ from its working directory.
            [str(APP_BIN), *args], env=self.app_env(), cwd=ROOT,
            capture_output=True, text=True, timeout=timeout,
        )
        if out.returncode != 0:
            sys.stderr.write(out.stdout + out.stderr)
            raise SystemExit(f"taskforge-cli {' '.join(args)} failed ({out.returncode})")
        return out.stdout

    def seed(self, email: str, count: int) -> float:
        log(f"seeding {count:,} tasks for {email}")
        started = time.monotonic()
        out = self.cli("task", "seed_tasks", f"user:{email}", f"count:{count}",
                       f"password:{PASSWORD}", timeout=1800)
        secs = time.monotonic() - started
        for line in out.splitlines():
            if line.startswith("seeded"):
                log("  " + line)
        return secs

    def spawn(self, cmd: list[str], env: dict, logname: str) -> subprocess.Popen:
        logfile = open(self.work / logname, "wb")
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=logfile,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def wait_ready(self, port: int, proc: subprocess.Popen, name: str) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"{name} exited early; see {self.work}")
            try:
                status, _, _ = request(port, "GET", "/_ping", timeout=2)
                if status == 200:
                    time.sleep(0.3)
                    if proc.poll() is not None:
                        raise SystemExit(f"{name} exited (port {port} taken?); see {self.work}")
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{name} did not answer /_ping within 90 s")

    def stop(self, proc: subprocess.Popen | None) -> None:
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def cleanup(self) -> None:
        for proc in reversed(self.procs):
            self.stop(proc)
        if self.pg_dbname and not CFG["keep"]:
            try:
                self.psql(f'DROP DATABASE IF EXISTS "{self.pg_dbname}" WITH (FORCE)')
            except (subprocess.SubprocessError, OSError) as err:
                log(f"could not drop {self.pg_dbname}: {err}")
        if CFG["keep"]:
            log(f"kept {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    # ------------------------------------------------------------- the run
    def run(self) -> None:
        # Free ports unless given: another run on this machine must not answer
        # in place of ours.
        for key in ("port", "limit_port"):
            if not CFG[key]:
                CFG[key] = free_port()
            elif not port_is_free(CFG[key]):
                raise SystemExit(f"port {CFG[key]} is in use ({key})")
        self.db_url = self.database_url()
        log(f"work directory {self.work}; database {self.results['database']}")
        self.cli("db", "migrate", timeout=300)

        self.results["seed_seconds"] = {MAIN_USER: self.seed(MAIN_USER, CFG["tasks"])}
        need_pool = "delete" in CFG["workloads"]
        if need_pool:
            self.results["seed_seconds"][DELETE_USER] = self.seed(DELETE_USER, CFG["delete_pool"])

        self.app = self.spawn([str(APP_BIN), "start"], self.app_env(), "taskforge.log")
        self.wait_ready(CFG["port"], self.app, "taskforge")
        log(f"taskforge up (pid {self.app.pid})")

        token = login(CFG["port"], MAIN_USER)
        tasks = dump_tasks(CFG["port"], token)
        (self.work / "tasks.json").write_text(json.dumps(tasks))
        write_ids(self.work / "ids.txt", [t["id"] for t in tasks])
        log(f"{len(tasks):,} tasks of {MAIN_USER} dumped")
        delete_token = token
        if need_pool:
            delete_token = login(CFG["port"], DELETE_USER)
            pool = dump_tasks(CFG["port"], delete_token)
            write_ids(self.work / "delete-ids.txt", [t["id"] for t in pool])
            log(f"{len(pool):,} delete-pool ids dumped")

        limit_env = {
            "PATH": os.environ.get("PATH", ""),
            "JWT_SECRET": self.secret,
            "PORT": str(CFG["limit_port"]),
            "LIMIT_TASKS": str(self.work / "tasks.json"),
            "LIMIT_POOL": str(CFG["limit_pool"] if need_pool else 0),
            "LIMIT_POOL_IDS": str(self.work / "limit-delete-ids.txt"),
        }
        self.limit = self.spawn([str(LIMIT_BIN)], limit_env, "limit.log")
        self.wait_ready(CFG["limit_port"], self.limit, "limit server")
        log(f"limit server up (pid {self.limit.pid})")

        servers = {
            "taskforge": (CFG["port"], self.app, token, delete_token, self.work / "delete-ids.txt"),
            "limit": (CFG["limit_port"], self.limit, token, token, self.work / "limit-delete-ids.txt"),
        }
        if CFG["warmup"] > 0:
            for name, (port, _, tok, _, _) in servers.items():
                self.wrk(port, "get", tok, duration=CFG["warmup"])
        for workload in CFG["workloads"]:
            row = {}
            for name, (port, proc, tok, del_tok, del_ids) in servers.items():
                reset_peak_rss(proc.pid)
                cpu_before = cpu_seconds(proc.pid)
                result = self.wrk(port, workload, del_tok if workload == "delete" else tok,
                                  delete_ids=del_ids)
                if proc.poll() is not None:
                    raise SystemExit(f"{name} exited during the {workload} run; see {self.work}")
                result["cpu_us_per_req"] = (
                    (cpu_seconds(proc.pid) - cpu_before) * 1e6 / max(result["requests"], 1))
                result["peak_rss_kb"] = peak_rss_kb(proc.pid)
                row[name] = result
                log(f"{workload:>7} {name:<9} {fmt_rps(result['rps'])} req/s  "
                    f"p50 {fmt_ms(result['p50_us'])}  p99 {fmt_ms(result['p99_us'])}  "
                    f"errors {result['errors']}  CPU {result['cpu_us_per_req']:.0f} us/req  "
                    f"peak RSS {result['peak_rss_kb'] / 1024:.1f} MB")
            self.results["workloads"][workload] = row
        self.results["taskforge_rss_kb"] = {
            "after_load": peak_rss_kb(self.app.pid),
            "vmrss_now": current_rss_kb(self.app.pid),
        }

        if CFG["profile"]:
            self.profile(token)
        if CFG["storm"]:
            self.login_storm(token)
        if CFG["deep"]:
            self.deep_pages()

    def wrk(self, port: int, workload: str, token: str, duration: int | None = None,
            connections: int | None = None, threads: int | None = None,
            delete_ids: Path | None = None) -> dict:
        duration = duration or CFG["duration"]
        connections = connections or CFG["connections"]
        threads = min(threads or CFG["threads"], connections)
        env = dict(os.environ)
        env.update({
            "BENCH_TOKEN": token,
            "BENCH_IDS": str(self.work / "ids.txt"),
            "BENCH_DELETE_IDS": str(delete_ids or ""),
            "BENCH_LUA_DIR": str(LUA),
            "BENCH_THREADS": str(threads),
            "BENCH_EMAIL": MAIN_USER,
            "BENCH_PASSWORD": PASSWORD,
        })
        cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "5s",
               "-s", str(LUA / f"{workload}.lua"), f"http://127.0.0.1:{port}"]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True,
                             timeout=duration + 60)
        return parse_wrk(out.stdout + out.stderr)

    def login_storm(self, token: str) -> None:
        """GET p99 alone, then while `storm_logins` connections log in nonstop."""
        port, d = CFG["port"], CFG["duration"]
        reset_peak_rss(self.app.pid)
        log("login storm: calm GET run")
        calm = self.wrk(port, "get", token, threads=1)
        log(f"login storm: {CFG['storm_logins']} concurrent logins + GET run")
        env = dict(os.environ, BENCH_LUA_DIR=str(LUA), BENCH_EMAIL=MAIN_USER,
                   BENCH_PASSWORD=PASSWORD, BENCH_THREADS="1")
        storm_proc = subprocess.Popen(
            ["wrk", "-t1", f"-c{CFG['storm_logins']}", f"-d{d + 4}s", "--timeout", "10s",
             "-s", str(LUA / "login.lua"), f"http://127.0.0.1:{port}"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.procs.append(storm_proc)
        try:
            time.sleep(2)
            stormy = self.wrk(port, "get", token, threads=1)
            storm_out, _ = storm_proc.communicate(timeout=d + 60)
        finally:
            self.stop(storm_proc)
        logins = parse_wrk(storm_out)
        self.results["login_storm"] = {"calm_get": calm, "storm_get": stormy, "logins": logins,
                                       "p99_ratio": stormy["p99_us"] / max(calm["p99_us"], 1),
                                       "peak_rss_kb": peak_rss_kb(self.app.pid)}
        log(f"login storm: GET p99 calm {fmt_ms(calm['p99_us'])}, during storm "
            f"{fmt_ms(stormy['p99_us'])}; logins {fmt_rps(logins['rps'])}/s, "
            f"p99 {fmt_ms(logins['p99_us'])}, errors {logins['errors']}")

    def profile(self, token: str) -> None:
        """Where a request spends the server's CPU: perf samples with DWARF call
        graphs during a run of `BENCH_PROFILE_WORKLOAD` (get, list, create,
        patch or mix), reported for the server process only (inclusive time per
        function). perf record -p fails on this kernel, hence -a."""
        workload = CFG["profile_workload"]
        if workload not in ("get", "list", "create", "patch", "mix"):
            raise SystemExit(f"BENCH_PROFILE_WORKLOAD: no profile for {workload!r}")
        if shutil.which("perf") is None:
            log("perf not installed; no profile")
            return
        data = self.work / "perf.data"
        env = dict(os.environ, BENCH_TOKEN=token, BENCH_IDS=str(self.work / "ids.txt"),
                   BENCH_LUA_DIR=str(LUA), BENCH_THREADS=str(CFG["threads"]))
        wrk_run = subprocess.Popen(
            ["wrk", f"-t{CFG['threads']}", f"-c{CFG['connections']}", f"-d{CFG['duration']}s",
             "-s", str(LUA / f"{workload}.lua"), f"http://127.0.0.1:{CFG['port']}"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.procs.append(wrk_run)
        time.sleep(min(2, CFG["duration"] / 4))
        subprocess.run(
            ["perf", "record", "-q", "-e", "cpu-clock", "-F", "499", "-a",
             "--call-graph", "dwarf,16384", "-o", str(data), "--",
             "sleep", str(max(1, min(4, CFG["duration"] // 2)))],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
        wrk_out, _ = wrk_run.communicate(timeout=CFG["duration"] + 60)
        report = subprocess.run(
            ["perf", "report", "-i", str(data), "--no-inline", "--stdio", "--children",
             "--percentage", "relative", "--pid", str(self.app.pid), "--sort", "symbol",
             "-g", "none", "--percent-limit", "1"],
            capture_output=True, text=True, timeout=600,
        ).stdout
        flat = subprocess.run(
            ["perf", "report", "-i", str(data), "--no-inline", "--stdio", "--no-children",
             "--percentage", "relative", "--pid", str(self.app.pid), "--sort", "dso,symbol",
             "-g", "none", "--percent-limit", "0"],
            capture_output=True, text=True, timeout=600,
        ).stdout
        summary = profile_summary(flat)
        out = BENCH / "results" / f"profile-{workload}.txt"
        out.parent.mkdir(exist_ok=True)
        out.write_text("Self time by component (server process only):\n"
                       + "".join(f"{pct:6.1f}%  {name}\n" for name, pct in summary)
                       + "\nInclusive time by function:\n" + report)
        self.results["profile"] = {"workload": workload, "during_profile": parse_wrk(wrk_out),
                                   "report": str(out),
                                   "self_by_component": summary}
        log(f"profile written to {out}")
        for name, pct in summary[:12]:
            log(f"  {pct:5.1f}%  {name}")

    def deep_pages(self) -> None:
        """Time page 1 against page `deep_page` of a user with `deep_tasks` tasks."""
        seconds = self.seed(DEEP_USER, CFG["deep_tasks"])
        token = login(CFG["port"], DEEP_USER)
        reset_peak_rss(self.app.pid)
        deep = {"tasks": CFG["deep_tasks"], "seed_seconds": seconds, "sorts": {}}
        conn = http.client.HTTPConnection("127.0.0.1", CFG["port"], timeout=60)
        headers = {"Authorization": f"Bearer {token}"}
        for sort in (None, "due_date"):
            label = sort or "-created_at (default)"
            base = "/tasks" + (f"?sort={sort}" if sort else "")
            status, body = get_json(conn, base, headers)
            if status == 422 and sort:
                deep["sorts"][label] = {"available": False}
                log(f"deep pages: sort={sort} not available (422)")
                continue
            if status != 200:
                raise SystemExit(f"deep pages: GET {base} gave {status}")
            url, cursor = base, body["next_cursor"]
            walk_started = time.monotonic()
            for _ in range(CFG["deep_page"] - 1):
                sep = "&" if "?" in base else "?"
                url = f"{base}{sep}cursor={urllib.parse.quote(cursor)}"
                status, body = get_json(conn, url, headers)
                if status != 200 or not body.get("next_cursor"):
                    raise SystemExit(f"deep pages: walking the cursor gave {status}")
                cursor = body["next_cursor"]
            walk = time.monotonic() - walk_started
            first, deepest = [], []
            for _ in range(CFG["deep_repeat"]):
                for path, samples in ((base, first), (url, deepest)):
                    t0 = time.perf_counter()
                    status, _ = get_json(conn, path, headers)
                    samples.append((time.perf_counter() - t0) * 1e6)
                    if status != 200:
                        raise SystemExit(f"deep pages: GET {path} gave {status}")
            row = {
                "available": True,
                "walk_seconds": walk,
                "page1_median_us": statistics.median(first),
                "page1_p90_us": quantile(first, 0.9),
                "deep_median_us": statistics.median(deepest),
                "deep_p90_us": quantile(deepest, 0.9),
            }
            row["ratio"] = row["deep_median_us"] / row["page1_median_us"]
            deep["sorts"][label] = row
            log(f"deep pages, sort {label}: page 1 {fmt_ms(row['page1_median_us'])}, "
                f"page {CFG['deep_page']:,} {fmt_ms(row['deep_median_us'])} "
                f"(x{row['ratio']:.2f}); walking {CFG['deep_page']:,} pages took {walk:.1f} s")
        conn.close()
        deep["peak_rss_kb"] = peak_rss_kb(self.app.pid)
        self.results["deep"] = deep


# ------------------------------------------------------------------ helpers
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def request(port: int, method: str, path: str, body: dict | None = None,
            token: str | None = None, timeout: float = 30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {}
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
        return resp.status, dict(resp.getheaders()), raw
    finally:
        conn.close()


def get_json(conn: http.client.HTTPConnection, path: str, headers: dict):
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    raw = resp.read()
    return resp.status, json.loads(raw) if raw else None


def login(port: int, email: str) -> str:
    status, _, raw = request(port, "POST", "/auth/login", {"email": email, "password": PASSWORD})
    if status != 200:
        raise SystemExit(f"login as {email} gave {status}: {raw[:300]!r}")
    return json.loads(raw)["access_token"]


def dump_tasks(port: int, token: str) -> list[dict]:
    """Every task of the token's user, newest first, through the public listing."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"}
    tasks, cursor = [], None
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        path = "/tasks?limit=100" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
        status, body = get_json(conn, path, headers)
        if status != 200:
            raise SystemExit(f"GET {path} gave {status}: {body}")
        tasks.extend(body["data"])
        cursor = body.get("next_cursor")
        if not cursor:
            break
    conn.close()
    return tasks


def profile_summary(flat_report: str) -> list[tuple[str, float]]:
    """Self time grouped by component: kernel, libc allocator, SQLite (the C
    code linked into the binary), and Rust code by crate."""
    totals: dict[str, float] = {}
    for line in flat_report.splitlines():
        parts = line.split(None, 3)
        if len(parts) < 4 or not parts[0].endswith("%") or line.lstrip().startswith("#"):
            continue
        pct, dso, symbol = float(parts[0][:-1]), parts[1], parts[3].strip()
        if dso == "[kernel.kallsyms]":
            name = "kernel (syscalls: network, futex wake-ups, scheduling)"
        elif dso.startswith("libc"):
            name = ("libc malloc/free" if any(k in symbol for k in ("malloc", "free", "realloc",
                                                                      "consolidate", "tcache"))
                    else "libc other (memcpy, locks, syscall stubs)")
        elif "::" not in symbol:
            name = ("SQLite (C)" if symbol.startswith(("sqlite3", "yy", "pcache", "btree", "vdbe",
                                                       "where", "expr", "select", "lookup",
                                                       "resolve", "pager", "wal", "get", "moveto",
                                                       "balance", "cell", "page", "func"))
                    or symbol[:1].islower() else f"other ({dso})")
        else:
            crate = symbol.lstrip("<&*").removeprefix("mut ").removeprefix("dyn ")
            crate = crate.split("::", 1)[0].split("<", 1)[0]
            name = f"Rust: {crate}"
        totals[name] = totals.get(name, 0.0) + pct
    return sorted(totals.items(), key=lambda kv: -kv[1])


def write_ids(path: Path, ids: list[str]) -> None:
    path.write_text("".join(f"{i}\n" for i in ids))


def parse_wrk(output: str) -> dict:
    for line in output.splitlines():
        if line.startswith("BENCH_RESULT "):
            r = json.loads(line[len("BENCH_RESULT "):])
            r["rps"] = r["requests"] / max(r["duration_us"] / 1e6, 1e-9)
            r["errors"] = sum(r[k] for k in ("errors_status", "errors_connect", "errors_read",
                                             "errors_write", "errors_timeout"))
            return r
    raise SystemExit(f"wrk gave no result:\n{output}")


def reset_peak_rss(pid: int) -> None:
    # "5" resets VmHWM to the current RSS (proc(5), /proc/pid/clear_refs).
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        pass


def proc_status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_kb(pid: int) -> int:
    return proc_status_kb(pid, "VmHWM")


def current_rss_kb(pid: int) -> int:
    return proc_status_kb(pid, "VmRSS")


def quantile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def fmt_ms(us: float) -> str:
    return f"{us / 1000:.2f} ms"


def fmt_rps(rps: float) -> str:
    return f"{rps:,.0f}"


# ------------------------------------------------------------------- report
def machine() -> dict:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = proc_meminfo("MemTotal")
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "kernel": os.uname().release,
        "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True)
        .stdout.splitlines()[0].split(" [")[0] if shutil.which("wrk") else "?",
    }


def proc_meminfo(key: str) -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def report(results: dict) -> str:
    cfg = results["config"]
    lines = [
        f"taskforge benchmark: {results['machine']['date']}, {results['database']}, "
        f"{results['machine']['nproc']} cores ({results['machine']['cpu']})",
        f"{cfg['tasks']:,} seeded tasks; wrk {cfg['connections']} connections, "
        f"{cfg['threads']} threads, {cfg['duration']} s per run",
        "",
        "| workload | taskforge req/s | p50 | p99 | errors | CPU/req | peak RSS | limit req/s "
        "| limit p50 | limit p99 | limit CPU/req | taskforge / limit |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for workload, row in results["workloads"].items():
        tf, lim = row["taskforge"], row["limit"]
        lines.append(
            f"| {workload} | {fmt_rps(tf['rps'])} | {fmt_ms(tf['p50_us'])} | "
            f"{fmt_ms(tf['p99_us'])} | {tf['errors']} | {tf['cpu_us_per_req']:.0f} µs | "
            f"{tf['peak_rss_kb'] / 1024:.1f} MB | {fmt_rps(lim['rps'])} | {fmt_ms(lim['p50_us'])} | "
            f"{fmt_ms(lim['p99_us'])} | {lim['cpu_us_per_req']:.0f} µs | "
            f"{tf['rps'] / max(lim['rps'], 1e-9):.1%} |")
    storm = results.get("login_storm")
    if storm:
        lines += [
            "",
            f"Login storm ({cfg['storm_logins']} connections logging in nonstop; GET with "
            f"{cfg['connections']} connections, 1 thread):",
            f"  GET calm: {fmt_rps(storm['calm_get']['rps'])} req/s, p50 "
            f"{fmt_ms(storm['calm_get']['p50_us'])}, p99 {fmt_ms(storm['calm_get']['p99_us'])}",
            f"  GET during storm: {fmt_rps(storm['storm_get']['rps'])} req/s, p50 "
            f"{fmt_ms(storm['storm_get']['p50_us'])}, p99 {fmt_ms(storm['storm_get']['p99_us'])}"
            f", errors {storm['storm_get']['errors']}",
            f"  logins: {fmt_rps(storm['logins']['rps'])}/s, p50 {fmt_ms(storm['logins']['p50_us'])},"
            f" p99 {fmt_ms(storm['logins']['p99_us'])}, errors {storm['logins']['errors']}",
            f"  p99 ratio storm/calm: x{storm['p99_ratio']:.2f}; taskforge peak RSS "
            f"{storm['peak_rss_kb'] / 1024:.1f} MB",
        ]
    deep = results.get("deep")
    if deep:
        lines += ["", f"Deep pages ({deep['tasks']:,} tasks; page 1 vs page {cfg['deep_page']:,}, "
                      f"{cfg['deep_repeat']} requests each, one connection):"]
        for label, row in deep["sorts"].items():
            if not row["available"]:
                lines.append(f"  sort {label}: sort not available")
                continue
            lines.append(
                f"  sort {label}: page 1 median {fmt_ms(row['page1_median_us'])} "
                f"(p90 {fmt_ms(row['page1_p90_us'])}), page {cfg['deep_page']:,} median "
                f"{fmt_ms(row['deep_median_us'])} (p90 {fmt_ms(row['deep_p90_us'])}): "
                f"x{row['ratio']:.2f}")
    lines += ["", "Targets (issue 3):"] + [f"  {t}" for t in targets(results)]
    return "\n".join(lines)


def targets(results: dict) -> list[str]:
    out = []
    mix = results["workloads"].get("mix")
    if mix:
        tf, lim = mix["taskforge"], mix["limit"]
        ratio = tf["rps"] / max(lim["rps"], 1e-9)
        ok = ratio >= 0.25 and tf["errors"] == 0 and tf["p99_us"] < 20_000
        note = "" if results["database"] == "sqlite" else " (target is for SQLite)"
        out.append(f"{'PASS' if ok else 'FAIL'} mixed: {ratio:.1%} of limit (>= 25%), "
                   f"{tf['errors']} errors (0), p99 {fmt_ms(tf['p99_us'])} (< 20 ms){note}")
    phases = {}
    if results["workloads"]:
        phases["workloads"] = max(r["taskforge"]["peak_rss_kb"] for r in results["workloads"].values())
    if results.get("login_storm"):
        phases["login storm"] = results["login_storm"]["peak_rss_kb"]
    if results.get("deep"):
        phases["deep pages"] = results["deep"]["peak_rss_kb"]
    for phase, kb in phases.items():
        out.append(f"{'PASS' if kb < 64 * 1024 else 'FAIL'} peak RSS, {phase}: "
                   f"{kb / 1024:.1f} MB (< 64 MB)")
    storm = results.get("login_storm")
    if storm:
        r = storm["p99_ratio"]
        out.append(f"{'PASS' if r <= 3 else 'FAIL'} login storm: GET p99 x{r:.2f} of calm (<= 3)")
    deep = results.get("deep")
    if deep:
        for label, row in deep["sorts"].items():
            if row["available"]:
                out.append(f"{'PASS' if row['ratio'] <= 2 else 'FAIL'} page "
                           f"{results['config']['deep_page']:,} vs 1, sort {label}: "
                           f"x{row['ratio']:.2f} (<= 2)")
            else:
                out.append(f"N/A  deep page, sort {label}: sort not available")
    return out


def main() -> None:
    for binary in (APP_BIN, LIMIT_BIN):
        if not binary.exists():
            raise SystemExit(f"{binary} is missing: run bench/run (it builds both)")
    unknown = set(CFG["workloads"]) - set(WORKLOADS)
    if unknown:
        raise SystemExit(f"unknown workloads {sorted(unknown)}; known: {WORKLOADS}")
    harness = Harness()

    def on_signal(signum, _frame):
        raise SystemExit(f"interrupted by signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        harness.run()
        harness.results["machine"] = machine()
        text = report(harness.results)
        print("\n" + text)
        out_dir = BENCH / "results"
        out_dir.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        name = f"{stamp}-{harness.results['database']}"
        (out_dir / f"{name}.json").write_text(json.dumps(harness.results, indent=2))
        (out_dir / f"{name}.md").write_text(text + "\n")
        log(f"results written to bench/results/{name}.{{md,json}}")
    finally:
        harness.cleanup()


if __name__ == "__main__":
    main()
