#!/usr/bin/env python3
"""taskforge durability test: kill -9 must lose nothing that was acknowledged.

Clients write tasks while the server is SIGKILLed and restarted at random
moments; then the survivors are checked against every acknowledged answer.
Variables and checks: tests/durability/README.md.
"""
import base64
import http.client
import itertools
import json
import os
import random
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "durable horse battery 42"
PRIORITIES = ("low", "medium", "high", "urgent")
REQUEST_TIMEOUT = 5.0
# An operation unanswered this long means the server is not coming back.
UNANSWERED_LIMIT = 60.0
REPLAY_SAMPLE = 50


class Abandoned(Exception):
    """The run cannot go on (the server did not start or stopped answering)."""


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: dict | str
    attempts: int


class Findings:
    """Wrong answers seen during the run; every thread appends (atomic in CPython)."""

    def __init__(self) -> None:
        self.server_errors, self.bad_create_retries, self.unexpected = [], [], []


class Connection:
    """One thread's keep-alive connection, replaced after every error."""

    def __init__(self, port: int, findings: Findings, token: str | None = None) -> None:
        self.port, self.findings, self.token = port, findings, token
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: dict | None = None,
                headers: dict | None = None) -> Answer:
        """Sends until an answer arrives. A failure without an answer (refused
        or reset by a kill) leaves the outcome unknown, so the very same
        request goes again: creates carry their key, patches are idempotent,
        and the caller reads a repeated delete's 404."""
        deadline = time.monotonic() + UNANSWERED_LIMIT
        attempts = 0
        while True:
            attempts += 1
            try:
                answer = self._send_once(method, path, body, headers or {}, attempts)
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if time.monotonic() > deadline:
                    raise Abandoned(f"{method} {path} unanswered for {UNANSWERED_LIMIT:.0f} s")
                time.sleep(min(0.05 * attempts, 0.25))
                continue
            if answer.status >= 500:
                self.findings.server_errors.append(f"{method} {path}: {answer.status} {answer.body}")
            return answer

    def _send_once(self, method, path, body, headers, attempts) -> Answer:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        headers = dict(headers)
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if body is not None:
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, None if body is None else json.dumps(body), headers)
        response = self.conn.getresponse()
        raw = response.read()
        # Not JSON (an answer from outside the app): kept as text for the report.
        body = json.loads(raw) if raw[:1] in (b"{", b"[") else raw.decode(errors="replace")
        return Answer(response.status, response.headers, body, attempts)


class Server:
    """The taskforge process: started in its own session, stopped only by SIGKILL."""

    def __init__(self, binary: Path, env: dict, port: int, log_path: Path) -> None:
        self.binary, self.env, self.port, self.log_path = binary, env, port, log_path
        self.log_file = open(log_path, "ab")
        self.proc: subprocess.Popen | None = None

    def migrate(self) -> None:
        done = subprocess.run([self.binary, "db", "migrate"], cwd=ROOT, env=self.env,
                              stdout=self.log_file, stderr=subprocess.STDOUT, timeout=120)
        if done.returncode != 0:
            raise Abandoned(f"db migrate exited with {done.returncode}:\n{self.log_tail()}")

    def start(self) -> None:
        self.proc = subprocess.Popen([self.binary, "start", "--no-banner"], cwd=ROOT, env=self.env,
                                     stdout=self.log_file, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Abandoned(f"server exited with {self.proc.returncode} on start:\n{self.log_tail()}")
            if self._answers_ping():
                return
            time.sleep(0.05)
        raise Abandoned(f"server not ready after 60 s:\n{self.log_tail()}")

    def kill(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        # The restart binds the same port: wait until the kernel let it go.
        deadline = time.monotonic() + 10
        while self._port_in_use():
            if time.monotonic() > deadline:
                raise Abandoned(f"port {self.port} still in use 10 s after the kill")
            time.sleep(0.02)

    def _answers_ping(self) -> bool:
        try:
            with closing(http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)) as conn:
                conn.request("GET", "/_ping")
                response = conn.getresponse()
                return response.status == 200 and json.loads(response.read()) == {"ok": True}
        except (OSError, http.client.HTTPException, ValueError):
            return False

    def _port_in_use(self) -> bool:
        with closing(socket.socket()) as sock:
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def log_tail(self) -> str:
        self.log_file.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-20:])


class Client(threading.Thread):
    """One user working on its own tasks one operation at a time, so the last
    acknowledged write of each task is well defined."""

    def __init__(self, index: int, port: int, token: str, seed: int,
                 stop: threading.Event, findings: Findings) -> None:
        super().__init__(name=f"client-{index}", daemon=True)
        self.index, self.stop, self.findings = index, stop, findings
        self.conn = Connection(port, findings, token)
        self.rng = random.Random(seed)
        self.serial = itertools.count()  # keys and patch versions
        self.creates: dict[str, tuple[dict, str]] = {}  # key -> (body, acknowledged id)
        self.live: dict[str, dict] = {}  # id -> the fields its last acknowledged write set
        self.deleted: set[str] = set()
        self.counts: Counter = Counter()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.do_one_operation()
        except BaseException as err:  # re-raised by the main thread
            self.error = err

    def do_one_operation(self) -> None:
        roll = self.rng.random()
        if not self.live or roll < 0.5:
            self.create()
        elif roll < 0.8:
            self.patch(self.rng.choice(list(self.live)))
        else:
            self.delete(self.rng.choice(list(self.live)))

    def create(self) -> None:
        key = f"c{self.index}-{next(self.serial):06d}"
        # The title embeds the key, so a duplicate made by a retry is visible.
        body = {"title": f"durability {key}", "priority": self.rng.choice(PRIORITIES),
                "description": "created"}
        answer = self.send(f"create {key}", "POST", "/tasks", body, {"Idempotency-Key": key})
        if answer is None:
            return
        # After a lost answer the retry's task is the acknowledged one: a
        # replay when the lost attempt had committed, else a first create.
        task_id = answer.body["id"]
        if answer.attempts > 1:
            self.counts["retried creates"] += 1
            self.counts["replayed"] += answer.headers.get("Idempotent-Replayed") == "true"
        self.creates[key] = (body, task_id)
        self.live[task_id] = dict(body)
        self.counts["creates"] += 1

    def patch(self, task_id: str) -> None:
        body = {"priority": self.rng.choice(PRIORITIES), "description": f"v{next(self.serial)}"}
        if self.send(f"patch {task_id}", "PATCH", f"/tasks/{task_id}", body):
            self.live[task_id].update(body)
            self.counts["patches"] += 1

    def delete(self, task_id: str) -> None:
        if self.send(f"delete {task_id}", "DELETE", f"/tasks/{task_id}"):
            del self.live[task_id]
            self.deleted.add(task_id)
            self.counts["deletes"] += 1

    def send(self, what: str, method: str, path: str, body: dict | None = None,
             headers: dict | None = None) -> Answer | None:
        """The answer, or None (and a finding) when it is not the expected one."""
        answer = self.conn.request(method, path, body, headers)
        self.counts["retries"] += answer.attempts - 1
        retried = answer.attempts > 1
        # A delete's 404 after a lost answer: the attempt before it deleted.
        expected = {"POST": (201,), "PATCH": (200,), "DELETE": (204, 404) if retried else (204,)}[method]
        if answer.status in expected:
            return answer
        kind = self.findings.bad_create_retries if method == "POST" and retried else self.findings.unexpected
        kind.append(f"{what} (attempt {answer.attempts}): {answer.status} {answer.body}")
        return None


def signed_in_token(port: int, findings: Findings, index: int) -> str:
    conn = Connection(port, findings)
    login = {"email": f"durability-{index}@example.com", "password": PASSWORD}
    for path, body, status in (("/auth/register", {"name": f"client {index}"} | login, 201),
                               ("/auth/login", login, 200)):
        answer = conn.request("POST", path, body)
        if answer.status != status:
            raise Abandoned(f"{path} {login['email']}: {answer.status} {answer.body}")
    return answer.body["access_token"]


def listed_tasks(conn: Connection) -> list[dict]:
    tasks, cursor = [], None
    while True:
        query = {"limit": 100} | ({"cursor": cursor} if cursor else {})
        answer = conn.request("GET", "/tasks?" + urllib.parse.urlencode(query))
        if answer.status != 200:
            raise Abandoned(f"listing: {answer.status} {answer.body}")
        tasks += answer.body["data"]
        cursor = answer.body["next_cursor"]
        if not cursor:
            return tasks


def acked_writes_missing(client: Client, listed: list[dict]) -> list[str]:
    by_id = {task["id"]: task for task in listed}
    problems = []
    for task_id, expected in client.live.items():
        found = by_id.get(task_id)
        if found is None:
            problems.append(f"{task_id} ({expected['title']}) is missing")
        elif any(found.get(name) != value for name, value in expected.items()):
            actual = {name: found.get(name) for name in expected}
            problems.append(f"{task_id}: acknowledged {expected}, found {actual}")
    return problems


def acked_deletes_present(client: Client, listed: list[dict]) -> list[str]:
    return [f"{task['id']} ({task['title']}) was deleted" for task in listed if task["id"] in client.deleted]


def keys_not_one_task(client: Client, listed: list[dict]) -> list[str]:
    per_title = Counter(task["title"] for task in listed)
    problems = []
    for key, (body, task_id) in client.creates.items():
        expected = 0 if task_id in client.deleted else 1
        found = per_title.pop(body["title"], 0)
        if found != expected:
            problems.append(f"key {key}: {found} task(s), expected {expected}")
    problems += [f"{count} task(s) titled {title!r} from no acknowledged create"
                 for title, count in per_title.items()]
    return problems


def replays_not_first_answer(clients: list[Client], rng: random.Random) -> list[str]:
    """Replays a sample of acknowledged creates, deleted ones included: a
    retry gets the stored first answer, whatever happened since."""
    creates = [(client, key, body, task_id) for client in clients
               for key, (body, task_id) in client.creates.items()]
    problems = []
    for client, key, body, task_id in rng.sample(creates, min(REPLAY_SAMPLE, len(creates))):
        answer = client.conn.request("POST", "/tasks", body, {"Idempotency-Key": key})
        got = (answer.status, (answer.body or {}).get("id"), answer.headers.get("Idempotent-Replayed"))
        if got != (201, task_id, "true"):
            problems.append(f"key {key}: expected (201, {task_id}, 'true'), got {got}")
    return problems


def integrity_problems(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as db:
        rows = db.execute("PRAGMA integrity_check").fetchall()
    return [] if rows == [("ok",)] else [row[0] for row in rows]


def report(name: str, problems: list[str] | None) -> bool:
    if problems is None:
        print(f"SKIP  {name}")
        return True
    print(f"{'FAIL' if problems else 'PASS'}  {name}" + (f": {len(problems)} problem(s)" if problems else ""))
    for problem in problems[:10]:
        print(f"        {problem}")
    return not problems


@contextmanager
def fresh_database(work: Path, keep: bool):
    """Yields (DATABASE_URL, SQLite file or None): a new SQLite file, or a
    new database on the PostgreSQL server DATABASE_URL names."""
    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith(("postgres://", "postgresql://")):
        path = work / "db.sqlite"
        yield f"sqlite://{path}?mode=rwc", path
        return
    url = urllib.parse.urlsplit(given)
    if url.hostname not in (None, "", "localhost", "127.0.0.1", "::1"):
        raise Abandoned(f"refusing a non-local database host {url.hostname!r}")
    name = f"taskforge_durability_{os.getpid()}"

    def psql(sql: str) -> None:
        subprocess.run(["psql", given, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True, timeout=60)

    psql(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(url._replace(path=f"/{name}")), None
    finally:
        if keep:
            print(f"kept database {name}")
        else:
            psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, work: Path, port: int) -> dict:
    # A Redis queue or SMTP from the caller's environment would make the run
    # depend on services outside it.
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SMTP_HOST")}
    env.update({
        "LOCO_ENV": "production",
        # One secret for every restart, so the clients' tokens stay valid.
        "JWT_SECRET": base64.b64encode(secrets.token_bytes(48)).decode(),
        "DATABASE_URL": database_url,
        "QUEUE_URL": f"sqlite://{work / 'queue.sqlite'}?mode=rwc",
        "PORT": str(port),
        "BINDING": "127.0.0.1",
        "RATE_LIMIT": "off",
        "ACCESS_TOKEN_TTL": "86400",
        "LOG_LEVEL": "warn",
    })
    return env


def exercise(server: Server, clients: list[Client], stop: threading.Event, cycles: int,
             rng: random.Random) -> None:
    """Kills and restarts the server `cycles` times under the clients' load."""
    for client in clients:
        client.start()
    for _ in range(cycles):
        time.sleep(rng.uniform(0.3, 1.5))
        server.kill()
        server.start()
    stop.set()
    for client in clients:
        client.join(UNANSWERED_LIMIT + REQUEST_TIMEOUT)
        if client.is_alive():
            raise Abandoned(f"{client.name} did not finish its last operation")
        if client.error:
            raise client.error
    # The clients' last answers came after the last cycle's kill: one more,
    # so that everything checked has survived one.
    server.kill()
    server.start()


def run(work: Path, keep: bool) -> bool:
    binary = Path(os.environ.get("TF_BIN") or ROOT / "target" / "debug" / "taskforge-cli")
    cycles = int(os.environ.get("DURABILITY_CYCLES") or 20)
    client_count = int(os.environ.get("DURABILITY_CLIENTS") or 4)
    seed = int(os.environ.get("DURABILITY_SEED") or random.randrange(2**32))
    if not binary.is_file():
        raise Abandoned(f"no server binary at {binary} (set TF_BIN)")
    rng = random.Random(seed)
    findings = Findings()
    started = time.monotonic()
    with fresh_database(work, keep) as (database_url, sqlite_path):
        print(f"{'sqlite' if sqlite_path else 'postgres'}, {cycles} cycles, {client_count} clients, "
              f"seed {seed} (DURABILITY_SEED), work dir {work}")
        port = free_port()
        server = Server(binary, server_env(database_url, work, port), port, work / "server.log")
        try:
            server.migrate()
            server.start()
            stop = threading.Event()
            tokens = [signed_in_token(port, findings, i) for i in range(client_count)]
            clients = [Client(i, port, token, rng.randrange(2**32), stop, findings)
                       for i, token in enumerate(tokens)]
            exercise(server, clients, stop, cycles, rng)
            replay_problems = replays_not_first_answer(clients, rng)
            listings = [(client, listed_tasks(client.conn)) for client in clients]
        finally:
            server.kill()
        totals = sum((client.counts for client in clients), Counter())
        print(f"cycles={cycles} acked creates={totals['creates']} patches={totals['patches']} "
              f"deletes={totals['deletes']} retries={totals['retries']} "
              f"retried creates={totals['retried creates']} (replayed {totals['replayed']}) "
              f"elapsed={time.monotonic() - started:.1f}s seed={seed}")

        def per_client(check) -> list[str]:
            return [problem for client, listed in listings for problem in check(client, listed)]

        results = [
            report("1 every acknowledged write is present, with its last acknowledged fields",
                   per_client(acked_writes_missing)),
            report("2 nothing acknowledged-deleted is present", per_client(acked_deletes_present)),
            report("3 one task per idempotency key", per_client(keys_not_one_task)),
            report(f"4a creates retried after a lost answer got 201 ({totals['retried creates']} retried)",
                   findings.bad_create_retries),
            report(f"4b a replay of {min(REPLAY_SAMPLE, totals['creates'])} acknowledged creates "
                   "returns the first answer", replay_problems),
            report("5 PRAGMA integrity_check is ok",
                   integrity_problems(sqlite_path) if sqlite_path else None),
            report("no 5xx answers", findings.server_errors),
            report("every other answer as expected (201, 200, 204, or 404 after a lost answer)",
                   findings.unexpected),
        ]
    return all(results)


def main() -> int:
    keep = os.environ.get("DURABILITY_KEEP", "0") not in ("", "0")
    work = Path(tempfile.mkdtemp(prefix="taskforge-durability-"))
    try:
        passed = run(work, keep)
    except Abandoned as err:
        print(f"FAIL  run abandoned: {err}")
        passed = False
    finally:
        if keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
