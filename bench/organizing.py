#!/usr/bin/env python3
"""Organizing at scale (issue 16): pages of one list, one label and one
list's top level in manual order, against an unfiltered first page.

Seeds a fresh database (SQLite, or PostgreSQL when DATABASE_URL is a
postgres:// URL, as bench/run does) with BENCH_ORG_TASKS tasks (1,000,000)
spread over BENCH_ORG_LISTS lists (50), BENCH_ORG_LABELLED (10,000) of them
carrying the label `seeded`; starts the release build exactly as an operator
does; walks each listing's cursor to page BENCH_ORG_PAGE (100) and then times
page 1 and that page, BENCH_ORG_REPEAT (60) times each, interleaved, one
request at a time on a kept-alive connection. Prints each median against the
unfiltered first page (the target: within 3x) and the query plan of each
page as the server builds it (`taskforge-cli task explain_listing`).

Run after a release build: `python3 bench/organizing.py` (BENCH_BIN picks
another binary). Results go to bench/results/<time>-organizing-<db>.json.
"""
from __future__ import annotations

import http.client
import json
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402  (the shared set-up: database, seeding, servers)
from harness import CFG, PASSWORD, env_int, fmt_ms, get_json, log, login  # noqa: E402

ORG = {
    "tasks": env_int("BENCH_ORG_TASKS", 1_000_000),
    "lists": env_int("BENCH_ORG_LISTS", 50),
    "labelled": env_int("BENCH_ORG_LABELLED", 10_000),
    "page": env_int("BENCH_ORG_PAGE", 100),
    "repeat": env_int("BENCH_ORG_REPEAT", 60),
}
USER = "bench-organizing@example.com"
TARGET = 3.0


def walk(conn, headers, base: str, pages: int) -> str:
    """The URL of page `pages` of `base`, following next_cursor."""
    url = base
    for _ in range(pages - 1):
        status, body = get_json(conn, url, headers)
        if status != 200 or not body.get("next_cursor"):
            raise SystemExit(f"GET {url} gave {status}: {str(body)[:300]}")
        sep = "&" if "?" in base else "?"
        url = f"{base}{sep}cursor={urllib.parse.quote(body['next_cursor'])}"
    return url


def main() -> None:
    h = harness.Harness()
    try:
        run(h)
    finally:
        h.cleanup()


def run(h: harness.Harness) -> None:
    CFG["port"] = CFG["port"] or harness.free_port()
    h.db_url = h.database_url()
    database = h.results["database"]
    log(f"work directory {h.work}; database {database}")
    h.cli("db", "migrate", timeout=300)
    log(f"seeding {ORG['tasks']:,} tasks over {ORG['lists']} lists, "
        f"{ORG['labelled']:,} labelled")
    started = time.monotonic()
    h.cli("task", "seed_tasks", f"user:{USER}", f"count:{ORG['tasks']}",
          f"lists:{ORG['lists']}", f"labelled:{ORG['labelled']}", f"password:{PASSWORD}",
          timeout=3600)
    seed_seconds = time.monotonic() - started
    log(f"seeded in {seed_seconds:.0f} s")
    if database == "postgres":
        # What autovacuum would do soon after a bulk load: fresh statistics.
        h.psql_db("ANALYZE")
    h.app = h.spawn([str(harness.APP_BIN), "start"], h.app_env(), "taskforge.log")
    h.wait_ready(CFG["port"], h.app, "taskforge")
    token = login(CFG["port"], USER)
    conn = http.client.HTTPConnection("127.0.0.1", CFG["port"], timeout=60)
    headers = {"Authorization": f"Bearer {token}"}
    status, lists = get_json(conn, "/lists?limit=100", headers)
    if status != 200:
        raise SystemExit(f"GET /lists gave {status}")
    list_id = next(l["id"] for l in lists["data"] if l["name"] == "Seed list 2")
    queries = {
        "unfiltered": "/tasks",
        "list_id": f"/tasks?list_id={list_id}",
        "labels": "/tasks?labels=seeded",
        "list_id, parent_id=none, sort=position":
            f"/tasks?list_id={list_id}&parent_id=none&sort=position",
    }
    urls = {}
    for name, base in queries.items():
        urls[name] = (base, walk(conn, headers, base, ORG["page"]))
    samples = {name: ([], []) for name in queries}
    for _ in range(ORG["repeat"]):
        for name, (first, deep) in urls.items():
            for url, out in ((first, samples[name][0]), (deep, samples[name][1])):
                t0 = time.perf_counter()
                status, body = get_json(conn, url, headers)
                out.append((time.perf_counter() - t0) * 1e6)
                if status != 200 or len(body["data"]) != 20:
                    raise SystemExit(f"GET {url} gave {status} with {len(body['data'])} rows")
    conn.close()
    reference = statistics.median(samples["unfiltered"][0])
    rows, ok = [], True
    for name, (first, deep) in samples.items():
        row = {"query": name, "page1_median_us": statistics.median(first),
               "deep_median_us": statistics.median(deep)}
        row["page1_ratio"] = row["page1_median_us"] / reference
        row["deep_ratio"] = row["deep_median_us"] / reference
        if name != "unfiltered":
            ok &= row["page1_ratio"] <= TARGET and row["deep_ratio"] <= TARGET
        rows.append(row)
        log(f"{name:<40} page 1 {fmt_ms(row['page1_median_us']):>9} (x{row['page1_ratio']:.2f})"
            f"   page {ORG['page']} {fmt_ms(row['deep_median_us']):>9} (x{row['deep_ratio']:.2f})")
    plans = {}
    for name, (first, deep) in urls.items():
        for label, url in (("page 1", first), (f"page {ORG['page']}", deep)):
            query = urllib.parse.urlsplit(url).query
            out = h.cli("task", "explain_listing", f"user:{USER}", f"query:{query}")
            plan = [line for line in out.splitlines() if not line.startswith("SELECT")]
            plans[f"{name}, {label}"] = plan
            log(f"plan of {name}, {label}:\n    " + "\n    ".join(plan))
    verdict = "PASS" if ok else "FAIL"
    log(f"{verdict}: every filtered page within {TARGET:.0f}x of the unfiltered first page")
    results = {"config": ORG, "database": database, "seed_seconds": seed_seconds,
               "pages": rows, "plans": plans, "verdict": verdict}
    out_dir = harness.BENCH / "results"
    out_dir.mkdir(exist_ok=True)
    path = out_dir / f"{time.strftime('%Y%m%d-%H%M%S')}-organizing-{database}.json"
    path.write_text(json.dumps(results, indent=2))
    log(f"results in {path}")


if __name__ == "__main__":
    main()
