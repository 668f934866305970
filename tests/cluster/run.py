#!/usr/bin/env python3
"""Three taskforge instances (web + worker + scheduler each) on one fresh PostgreSQL
database and one Redis database, behind nginx round robin; checks that what one instance
does holds on all of them. Every request of the checks goes through nginx. See README.md.

Exit status: 0 every check passed, 1 a check failed, 2 the harness could not run."""
import base64
import collections
import contextlib
import email
import email.policy
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
TF_BIN = os.environ.get("TF_BIN", str(REPO / "target/debug/taskforge-cli"))
ADMIN_DATABASE_URL = os.environ.get(
    "CLUSTER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# Not database 5: .ci/docker-checks empties that one.
REDIS_URL = os.environ.get("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/6")
INSTANCES = 3
# Cron with seconds: a pass every 2 s keeps check 5's wait short, and all three
# schedulers fire on the same second, so their passes race for the same notices.
SCHEDULE_PERIOD = 2
AUTH_PER_IP = 30
PASSWORD = "cluster horse battery 42"
RUN = secrets.token_hex(3)  # keeps this run's emails and titles apart from any other's


class HarnessError(Exception):
    """The cluster could not be set up: no check result would mean anything."""


class Cluster:
    """The run's processes, each in its own process group with its own log file."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="taskforge-cluster-"))
        self.dir.chmod(0o755)  # nginx's workers run as nobody and must enter it
        self.procs = []  # (name, Popen, the signal that stops it gracefully)

    def log(self, name):
        return self.dir / f"{name}.log"

    def spawn(self, name, argv, env, stop_signal=signal.SIGTERM):
        with open(self.log(name), "wb") as out:
            proc = subprocess.Popen(argv, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        self.procs.append((name, proc, stop_signal))

    def exited(self):
        return [f"{name} exited with {proc.returncode}"
                for name, proc, _ in self.procs if proc.poll() is not None]

    def wait_until_ready(self, ports, timeout=120):
        pending, deadline = set(ports), time.monotonic() + timeout
        while pending:
            if self.exited():
                raise HarnessError("; ".join(self.exited()))
            if time.monotonic() > deadline:
                raise HarnessError(f"no 200 to GET /_ping on ports {sorted(pending)}")
            pending = {port for port in pending if ping(port) != 200}
            time.sleep(0.3)

    def stop(self, timeout=15):
        for _, proc, stop_signal in self.procs:
            signal_group(proc, stop_signal)
        deadline = time.monotonic() + timeout
        for name, proc, _ in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"{name} did not stop within {timeout}s of its stop signal", flush=True)
            signal_group(proc, signal.SIGKILL)  # also a scheduler's pass still running
            proc.wait()

    def print_log_tails(self, lines=15):
        for path in sorted(self.dir.glob("*.log")):
            if tail := path.read_text(errors="replace").splitlines()[-lines:]:
                print(f"--- {path.name} (last {len(tail)} lines)", *tail, sep="\n")


def signal_group(proc, sig):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def free_ports(count):
    socks = [socket.create_server(("127.0.0.1", 0)) for _ in range(count)]
    ports = [s.getsockname()[1] for s in socks]  # all bound at once: no port twice
    for s in socks:
        s.close()
    return ports


def ping(port):
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/_ping")
        return conn.getresponse().status
    except OSError:
        return None


def nginx_binary():
    if found := shutil.which("nginx", path="/usr/sbin:/usr/bin:" + os.environ.get("PATH", "")):
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "nginx-light"]
    if subprocess.run(install, env=env).returncode != 0:  # stale package lists
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(install, env=env, check=True)
    return shutil.which("nginx", path="/usr/sbin:/usr/bin")


def start_nginx(cluster, nginx, port, web_ports):
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in web_ports)
    conf = cluster.dir / "nginx.conf"
    conf.write_text((HERE / "nginx.conf.in").read_text().replace("@DIR@", str(cluster.dir))
                    .replace("@SERVERS@", servers).replace("@PORT@", str(port)))
    cluster.spawn("nginx", [nginx, "-p", str(cluster.dir), "-c", str(conf),
                            "-e", str(cluster.log("nginx-error"))], None, signal.SIGQUIT)


def psql(sql, check=True):
    subprocess.run(["psql", ADMIN_DATABASE_URL, "-v", "ON_ERROR_STOP=1", "-qc", sql],
                   check=check, stdin=subprocess.DEVNULL, timeout=60)


def flush_redis():
    """Empties REDIS_URL's database: an earlier run's jobs (or limiter keys) would
    otherwise be taken up by this run."""
    url = urlsplit(REDIS_URL)
    with socket.create_connection((url.hostname, url.port or 6379), timeout=5) as conn:
        conn.sendall(f"SELECT {url.path.strip('/') or 0}\r\nFLUSHDB\r\n".encode())
        reply = b""
        while reply.count(b"\r\n") < 2 and (chunk := conn.recv(256)):
            reply += chunk
    if reply != b"+OK\r\n+OK\r\n":
        raise HarnessError(f"Redis SELECT + FLUSHDB at {REDIS_URL}: {reply!r}")


def app_env(database_url, smtp_port):
    # From scratch: an inherited variable (RATE_LIMIT=off, RUST_LOG, an empty PORT, ...)
    # would change what is checked. Only LOCO_CONFIG_FOLDER passes: it lets a binary
    # older than the working tree run with the config it was built for.
    folder = {k: v for k, v in os.environ.items() if k == "LOCO_CONFIG_FOLDER"}
    return folder | {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LOCO_ENV": "production",
        "JWT_SECRET": base64.b64encode(secrets.token_bytes(48)).decode(),
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "BINDING": "127.0.0.1",
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "SMTP_SECURE": "false",
        "MAIL_FROM": "taskforge <noreply@example.com>",
        "REMINDER_SCHEDULE": f"*/{SCHEDULE_PERIOD} * * * * *",
        "RATE_LIMIT_TRUSTED_PROXIES": "1",  # nginx appends the client to X-Forwarded-For
        "RATE_LIMIT_AUTH_PER_IP": str(AUTH_PER_IP),
        "LOG_LEVEL": "warn", "ACCESS_TOKEN_TTL": "900",
        "DB_AUTO_MIGRATE": "false",  # migrated once, before the start (docs/deploy.md)
        # 9 processes and 3 passes at once stay well under PostgreSQL's 100 connections.
        "DB_MAX_CONNECTIONS": "5",
    }


def start_instances(cluster, env, web_ports):
    with open(cluster.log("migrate"), "wb") as out:
        migrate = subprocess.run([TF_BIN, "db", "migrate"], cwd=REPO, env=env, timeout=300,
                                 stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    if migrate.returncode != 0:
        raise HarnessError(f"db migrate exited with {migrate.returncode}")
    for n, port in enumerate(web_ports, 1):
        cluster.spawn(f"web-{n}", [TF_BIN, "start", "--no-banner"], {**env, "PORT": str(port)})
        cluster.spawn(f"worker-{n}", [TF_BIN, "start", "--worker", "--no-banner"], env)
        # The scheduler stops on SIGINT only (docs/deploy.md, "Processes").
        cluster.spawn(f"scheduler-{n}", [TF_BIN, "scheduler"], env, signal.SIGINT)


class SmtpSink(socketserver.ThreadingTCPServer):
    """Accepts every message; keeps (recipient, subject) per envelope recipient."""
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SmtpSession)
        self.lock, self.received = threading.Lock(), []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def record(self, recipients, data):
        subject = str(email.message_from_bytes(data, policy=email.policy.default)["Subject"])
        with self.lock:
            self.received += [(r, subject) for r in recipients]

    def messages(self):
        with self.lock:
            return list(self.received)


class SmtpSession(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 sink ESMTP")
        recipients = []
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                self.server.record(recipients, self.read_data())
                recipients = []
            elif verb == b"RCPT":
                recipients.append(re.search(rb"<([^>]*)>", line)[1].decode().lower())
            elif verb in (b"MAIL", b"RSET"):
                recipients = []
            elif verb == b"QUIT":
                return self.reply("221 bye")
            self.reply("250 OK")  # and to EHLO, HELO, NOOP, ...

    def read_data(self):
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)  # dot-unstuffing
        return b"".join(lines)


class Reply(collections.namedtuple("Reply", "status headers body instance")):
    def __repr__(self):
        return f"{self.status}@{self.instance}"


class Api:
    """The API through nginx; each reply names the instance that answered it."""

    def __init__(self, port, web_ports):
        self.port = port
        self.names = {f"127.0.0.1:{p}": f"web-{n}" for n, p in enumerate(web_ports, 1)}

    def call(self, method, path, body=None, token=None, headers=None):
        headers = dict(headers or {})
        if body is not None:
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, None if body is None else json.dumps(body), headers)
            resp = conn.getresponse()
            raw = resp.read()
        finally:
            conn.close()
        headers = {k.lower(): v for k, v in resp.getheaders()}
        parsed = json.loads(raw) if raw and "json" in headers.get("content-type", "") else raw
        return Reply(resp.status, headers, parsed, self.names.get(headers.get("x-upstream")))

    def me(self, token):
        return self.call("GET", "/auth/me", token=token)

    def refresh(self, refresh_token):
        return self.call("POST", "/auth/refresh", {"refresh_token": refresh_token})

    def notifications(self, token):
        return self.call("GET", "/notifications?limit=100", token=token).body["data"]

    def new_user(self, label):
        """Registers a user of this run and logs in: (email, session)."""
        address = f"{label}-{RUN}@example.com"
        created = self.call("POST", "/auth/register",
                            {"name": label, "email": address, "password": PASSWORD})
        session = self.call("POST", "/auth/login", {"email": address, "password": PASSWORD})
        if created.status != 201 or session.status != 200:
            raise HarnessError(f"register {created!r}, login {session!r} for {address}")
        return address, session.body

    @staticmethod
    def concurrently(calls):
        """Runs the calls at one moment (behind a barrier), a thread each."""
        barrier = threading.Barrier(len(calls))

        def run(call):
            barrier.wait()
            return call()
        with ThreadPoolExecutor(len(calls)) as pool:
            return list(pool.map(run, calls))


class Check:
    def __init__(self, name):
        self.name, self.problems, self.notes = name, [], []

    def expect(self, ok, problem):
        if not ok:
            self.problems.append(problem)
        return ok

    def expect_everywhere(self, what, replies, status):
        """Every reply has `status`, and the replies came from every instance."""
        self.expect(all(r.status == status for r in replies),
                    f"{what}: want {status} from each, got {replies}")
        self.expect(len({r.instance for r in replies}) == INSTANCES,
                    f"{what}: did not reach all {INSTANCES} instances: {replies}")


def check_logout_everywhere(check, api):
    _, session = api.new_user("logout")
    token = session["access_token"]
    check.expect_everywhere("before logout, GET /auth/me",
                            [api.me(token) for _ in range(INSTANCES)], 200)
    logout = api.call("POST", "/auth/logout", token=token)
    check.expect(logout.status == 204, f"POST /auth/logout: {logout!r}")
    after = [api.me(token) for _ in range(2 * INSTANCES)]
    check.expect_everywhere("after logout, GET /auth/me with the old token", after, 401)
    check.notes.append(f"old token after logout: {after}")


def check_refresh_reuse_everywhere(check, api):
    _, first = api.new_user("refresh")
    rotated = api.refresh(first["refresh_token"])
    if not check.expect(rotated.status == 200, f"first refresh: {rotated!r}"):
        return
    second = rotated.body
    access = second["access_token"]
    check.expect_everywhere("the new access token, before the reuse",
                            [api.me(access) for _ in range(INSTANCES)], 200)
    reuse = api.refresh(first["refresh_token"])
    check.expect(reuse.status == 401, f"reuse of the rotated refresh token: {reuse!r}")
    after = [api.me(access) for _ in range(2 * INSTANCES)]
    check.expect_everywhere("after the reuse, the new access token", after, 401)
    late = api.refresh(second["refresh_token"])
    check.expect(late.status == 401, f"after the reuse, the new refresh token: {late!r}")
    check.notes.append(f"reuse {reuse!r}; new access token {after}; new refresh token {late!r}")


def check_idempotent_create_everywhere(check, api, token):
    body = {"title": f"idempotent {RUN}", "priority": "high", "description": "made once",
            "due_date": "2027-06-01T12:00:00Z"}
    key = {"Idempotency-Key": f"cluster-{RUN}"}
    replies = [api.call("POST", "/tasks", body, token, key) for _ in range(2 * INSTANCES)]
    check.expect_everywhere("POST /tasks with one Idempotency-Key", replies, 201)
    ids = {r.body.get("id") for r in replies if isinstance(r.body, dict)}
    check.expect(len(ids) == 1, f"task ids: {ids}")
    replayed = [r.headers.get("idempotent-replayed") for r in replies]
    check.expect(replayed[0] != "true" and replayed[1:] == ["true"] * (len(replies) - 1),
                 f"Idempotent-Replayed of each: {replayed}")
    listing = api.call("GET", "/tasks?limit=100", token=token)
    found = [t["id"] for t in listing.body["data"]] if listing.status == 200 else listing
    check.expect(found == list(ids), f"the user's tasks: {found}, want just {ids}")
    check.notes.append(f"{replies}, one task")


def check_if_match_race(check, api, token):
    task = api.call("POST", "/tasks", {"title": f"contended {RUN}"}, token)
    if not check.expect(task.status == 201, f"POST /tasks: {task!r}"):
        return
    path = f"/tasks/{task.body['id']}"
    etag = api.call("GET", path, token=token).headers["etag"]
    priorities = ["low", "medium", "high", "urgent"]
    bodies = [{"title": f"writer {i} {RUN}", "priority": priorities[i % 4]} for i in range(12)]
    replies = api.concurrently(
        [lambda b=b: api.call("PATCH", path, b, token, {"If-Match": etag}) for b in bodies])
    statuses = collections.Counter(r.status for r in replies)
    check.expect(statuses == {200: 1, 412: len(bodies) - 1},
                 f"want one 200 and {len(bodies) - 1} 412, got {replies}")
    check.expect(len({r.instance for r in replies}) == INSTANCES, f"instances: {replies}")
    winners = [b for b, r in zip(bodies, replies) if r.status == 200]
    if len(winners) == 1:
        final = api.call("GET", path, token=token).body
        got = {k: final.get(k) for k in winners[0]}
        check.expect(got == winners[0], f"final task {got}, the winner sent {winners[0]}")
    check.notes.append(f"{dict(statuses)} over {sorted({r.instance for r in replies})}")


def start_notice_tasks(api, count=5):
    """Tasks whose reminder and overdue notice fall due during the run:
    (email, token, {task id: title}, the last due instant).

    The lead is in whole minutes and 0 turns reminders off, so with the smallest lead (1)
    a task due 20-28 s ahead is already inside its lead: the first pass sends its
    reminder (the claim needs the task not yet due), and the first pass after the due
    instant its overdue notice. Checks 1-4 run in the meantime."""
    address, session = api.new_user("notices")
    token = session["access_token"]
    me = api.call("PATCH", "/auth/me", {"timezone": "UTC", "reminder_lead_minutes": 1}, token)
    if me.status != 200:
        raise HarnessError(f"PATCH /auth/me: {me!r} {me.body}")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    tasks, due = {}, now
    for i in range(count):
        title, due = f"notice {i} {RUN}", now + timedelta(seconds=20 + 2 * i)
        body = {"title": title, "due_date": due.strftime("%Y-%m-%dT%H:%M:%SZ")}
        created = api.call("POST", "/tasks", body, token)
        if created.status != 201:
            raise HarnessError(f"POST /tasks: {created!r} {created.body}")
        tasks[created.body["id"]] = title
    return address, token, tasks, due


def notice_of(subject):
    """(kind, title) of an email, by src/mailers/notifications/notice/subject.t."""
    if m := re.fullmatch(r"Reminder: (.*) is due .*", subject):
        return "reminder", m[1]
    if m := re.fullmatch(r"Overdue: (.*)", subject):
        return "overdue", m[1]
    return "unexpected", subject


def mailed_notices(sink, address):
    return collections.Counter(notice_of(s) for r, s in sink.messages() if r == address)


def claims_per_scheduler(cluster):
    """What each scheduler's passes claimed, from their `reminder pass: ...` output:
    shows that all three competed."""
    claims = {}
    for n in range(1, INSTANCES + 1):
        log = cluster.log(f"scheduler-{n}").read_text(errors="replace")
        found = re.findall(r"reminder pass: (\d+) reminders, (\d+) overdue", log)
        claims[f"scheduler-{n}"] = sum(int(r) + int(o) for r, o in found)
    return claims


def check_notices_once(check, api, sink, cluster, notices):
    address, token, tasks, last_due = notices
    want = 2 * len(tasks)
    deadline = last_due + timedelta(seconds=40)
    while datetime.now(timezone.utc) < deadline:
        mails = sum(mailed_notices(sink, address).values())
        if mails >= want and len(api.notifications(token)) >= want:
            break
        time.sleep(1)
    # A duplicate would come from a later pass or another worker: give them the time.
    time.sleep(3 * SCHEDULE_PERIOD + 2)
    inbox = api.notifications(token)
    kinds = collections.Counter((n["task_id"], n["kind"]) for n in inbox)
    mails = mailed_notices(sink, address)
    for task_id, title in tasks.items():
        for kind in ("reminder", "overdue"):
            check.expect(kinds[task_id, kind] == 1,
                         f"{title}: {kinds[task_id, kind]} {kind} notifications")
            check.expect(mails[kind, title] == 1, f"{title}: {mails[kind, title]} {kind} emails")
    check.expect(len(inbox) == want, f"{len(inbox)} notifications in the inbox, want {want}")
    everything = sink.messages()
    check.expect(len(everything) == want, f"{len(everything)} emails, want {want}: {everything}")
    check.notes.append(f"{len(inbox)} notifications and {len(everything)} emails for "
                       f"{len(tasks)} tasks; claimed by {claims_per_scheduler(cluster)}")


def check_auth_limit_shared(check, api, attempts=40):
    # An email each, so the per IP + email limit (10 per 15 min) is not what refuses.
    logins = [lambda i=i: api.call("POST", "/auth/login",
                                   {"email": f"nobody-{i}-{RUN}@example.com",
                                    "password": "not the password 1"})
              for i in range(attempts)]
    # All at once: the limit refills one every 2 s, so a slow sequence would earn more.
    replies = api.concurrently(logins)
    passed = [r for r in replies if r.status != 429]
    check.expect(all(r.status in (401, 429) for r in replies), f"statuses: {replies}")
    check.expect(len(passed) <= AUTH_PER_IP, f"more than the limit of {AUTH_PER_IP} got through")
    per_instance = sorted(collections.Counter(r.instance for r in passed).items())
    check.notes.append(f"{len(passed)} of {attempts} not refused; per instance {per_instance}")


def run_check(name, fn, *args):
    check = Check(name)
    try:
        fn(check, *args)
    except Exception as e:  # one check's crash must not hide the others
        check.problems.append(f"raised {e!r}")
    print(f"{'FAIL' if check.problems else 'PASS'} {check.name}", flush=True)
    for line in check.problems + check.notes:
        print(f"     {line}", flush=True)
    return not check.problems


def check_processes_up(check, cluster):
    check.problems += cluster.exited()


def run_checks(cluster, api, sink):
    notices = start_notice_tasks(api)
    token = api.new_user("tasks")[1]["access_token"]
    return all([
        run_check("1. logout takes effect on every instance", check_logout_everywhere, api),
        run_check("2. refresh-token reuse ends the login everywhere",
                  check_refresh_reuse_everywhere, api),
        run_check("3. an idempotent create replays on every instance",
                  check_idempotent_create_everywhere, api, token),
        run_check("4. concurrent If-Match writes on all instances: one wins",
                  check_if_match_race, api, token),
        run_check("5. each reminder and overdue notice once, with three schedulers",
                  check_notices_once, api, sink, cluster, notices),
        # Last: it spends this client's login allowance.
        run_check("6. the auth rate limit holds across instances", check_auth_limit_shared, api),
        run_check("every process stayed up", check_processes_up, cluster),
    ])


def main():
    started = time.monotonic()
    if not os.access(TF_BIN, os.X_OK):
        print(f"TF_BIN={TF_BIN} is not an executable: build it, or set TF_BIN")
        return 2
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # cleans up as Ctrl-C does
    cluster, sink, database = Cluster(), SmtpSink(), f"taskforge_cluster_{os.getpid()}"
    ok = False
    try:
        nginx = nginx_binary()  # first: it may have to be installed
        flush_redis()
        psql(f'CREATE DATABASE "{database}"')
        *web_ports, balancer = free_ports(INSTANCES + 1)
        database_url = urlsplit(ADMIN_DATABASE_URL)._replace(path=f"/{database}").geturl()
        start_instances(cluster, app_env(database_url, sink.server_address[1]), web_ports)
        cluster.wait_until_ready(web_ports)
        start_nginx(cluster, nginx, balancer, web_ports)
        cluster.wait_until_ready([balancer])
        print(f"cluster up after {time.monotonic() - started:.0f}s: web {web_ports}, "
              f"nginx {balancer}, logs in {cluster.dir}", flush=True)
        ok = run_checks(cluster, Api(balancer, web_ports), sink)
        return 0 if ok else 1
    except (HarnessError, subprocess.SubprocessError, OSError) as e:
        print(f"HARNESS ERROR: {e}", flush=True)
        return 2
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        return 130
    finally:
        cluster.stop()
        sink.shutdown()
        psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', check=False)
        with contextlib.suppress(OSError, HarnessError):  # already reported if Redis is down
            flush_redis()
        if ok:
            shutil.rmtree(cluster.dir)
        else:
            cluster.print_log_tails()
            print(f"logs kept in {cluster.dir}")
        print(f"total {time.monotonic() - started:.0f}s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
