#!/usr/bin/env python3
"""Instructions per request, build against build: a deterministic A/B.

wrk's requests/s on this shared 2-core machine move by 20% from one run to
the next, more than the 10% a feature may cost. This counts instead what the
server executes: each build runs under `valgrind --tool=callgrind` on a fresh
SQLite database seeded with BENCH_INS_TASKS tasks (2,000); after a warm-up
the counters are zeroed, a fixed, seeded sequence of requests in the mix's
proportions (50% get, 20% list, 15% create, 10% patch, 5% delete) is sent one
at a time, and the instructions executed are dumped. The same count for the
same requests is repeatable to a fraction of a percent, whatever else the
machine does. Counted per request type too (BENCH_INS_EACH=1).

    python3 bench/instructions.py A_BIN A_ROOT B_BIN B_ROOT

(ROOT: the checkout whose config/ the build reads.) Needs valgrind.
"""
from __future__ import annotations

import base64
import glob
import json
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import http.client

TASKS = int(os.environ.get("BENCH_INS_TASKS", "2000"))
REQUESTS = int(os.environ.get("BENCH_INS_REQUESTS", "400"))
EACH = os.environ.get("BENCH_INS_EACH", "0") == "1"
WARMUP = int(os.environ.get("BENCH_INS_WARMUP", "100"))
PASSWORD = "bench-password-1"
USER = "ins@example.com"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(conn, method, path, token, body=None):
    headers = {"Authorization": f"Bearer {token}"}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body)
    conn.request(method, path, body=data, headers=headers)
    resp = conn.getresponse()
    raw = resp.read()
    return resp.status, dict(resp.getheaders()), raw


def plan(rng: random.Random, kinds: list[str]) -> list[str]:
    return [kinds[rng.randrange(len(kinds))] for _ in range(REQUESTS)]


def run(binary: str, root: str, kinds: list[str], label: str) -> int:
    work = tempfile.mkdtemp(prefix="taskforge-ins-")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BENCH_", "LOCO_"))}
    env.update({
        "LOCO_ENV": "production", "RATE_LIMIT": "off", "PORT": str(port), "BINDING": "127.0.0.1",
        "JWT_SECRET": base64.b64encode(secrets.token_bytes(48)).decode(),
        "DATABASE_URL": f"sqlite://{work}/db.sqlite?mode=rwc",
        "QUEUE_URL": f"sqlite://{work}/queue.sqlite?mode=rwc", "ACCESS_TOKEN_TTL": "86400",
    })
    def cli(*args):
        subprocess.run([binary, *args], env=env, cwd=root, check=True, capture_output=True,
                       timeout=600)
    cli("db", "migrate")
    cli("task", "seed_tasks", f"user:{USER}", f"count:{TASKS}", f"password:{PASSWORD}")
    out = f"{work}/callgrind.out"
    proc = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}.%p", binary, "start"],
        env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                conn.request("GET", "/_ping")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit(f"{label}: the server did not come up")
            time.sleep(2)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        conn.request("POST", "/auth/login", body=json.dumps({"email": USER, "password": PASSWORD}),
                     headers={"Content-Type": "application/json"})
        token = json.loads(conn.getresponse().read())["access_token"]
        _, _, raw = call(conn, "GET", "/tasks?limit=100", token)
        ids = [t["id"] for t in json.loads(raw)["data"]]
        rng = random.Random(20261207)
        created: list[str] = []
        sequence = plan(rng, kinds)
        # Warm-up: the same kinds of requests first, so first-use costs
        # (each variant of a statement prepared once per connection, lazy
        # statics) are not counted.
        for kind in ["get", "list", "create", "patch", "delete"] + plan(rng, kinds)[:WARMUP]:
            one(conn, token, kind, ids, created, rng)
        subprocess.run(["callgrind_control", "-z", str(proc.pid)], check=True,
                       capture_output=True, timeout=300)
        for kind in sequence:
            one(conn, token, kind, ids, created, rng)
        subprocess.run(["callgrind_control", "-d", str(proc.pid)], check=True,
                       capture_output=True, timeout=300)
    finally:
        proc.terminate()
        proc.wait(timeout=300)
    # `callgrind_control -d` wrote the counts since the zeroing to the dump
    # numbered 1; the file written at exit holds what came after.
    dumps = [p for p in glob.glob(f"{out}.*") if p.endswith(".1")]
    if not dumps:
        raise SystemExit(f"{label}: no callgrind dump in {work}")
    with open(dumps[0]) as f:
        counted = re.findall(r"^(?:summary|totals):\s+(\d+)", f.read(), re.M)
    if os.environ.get("BENCH_INS_KEEP") == "1":
        print(f"{label}: kept {dumps[0]}", flush=True)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return int(counted[-1])


def one(conn, token, kind, ids, created, rng):
    if kind == "get":
        status, _, _ = call(conn, "GET", f"/tasks/{ids[rng.randrange(len(ids))]}", token)
    elif kind == "list":
        status, _, _ = call(conn, "GET", "/tasks", token)
    elif kind == "patch":
        body = rng.choice([{"priority": "high"}, {"status": "in_progress"},
                           {"title": f"Patched {rng.randrange(10**6)}"}])
        status, _, _ = call(conn, "PATCH", f"/tasks/{ids[rng.randrange(len(ids))]}", token, body)
    elif kind == "delete" and created:
        status, _, _ = call(conn, "DELETE", f"/tasks/{created.pop(0)}", token)
    else:
        status, headers, raw = call(conn, "POST", "/tasks", token,
                                    {"title": "Bench task", "description": "Created by the benchmark",
                                     "priority": "medium", "due_date": "2027-03-04"})
        created.append(json.loads(raw)["id"])
    if status >= 400:
        raise SystemExit(f"{kind} gave {status}")


def main() -> None:
    a_bin, a_root, b_bin, b_root = sys.argv[1:5]
    mixes = {"mix": ["get"] * 50 + ["list"] * 20 + ["create"] * 15 + ["patch"] * 10 + ["delete"] * 5}
    if EACH:
        for kind in ["get", "list", "create", "patch"]:
            mixes[kind] = [kind]
    only = os.environ.get("BENCH_INS_ONLY")
    if only:
        mixes = {only: mixes.get(only, [only])}
    for name, kinds in mixes.items():
        a = run(a_bin, a_root, kinds, f"A {name}")
        b = run(b_bin, b_root, kinds, f"B {name}")
        print(f"{name:<7} A {a / REQUESTS:>12,.0f} instr/req   B {b / REQUESTS:>12,.0f} instr/req   "
              f"B/A {b / a - 1:+.1%}", flush=True)


if __name__ == "__main__":
    main()
