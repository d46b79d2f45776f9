#!/usr/bin/env python3
"""Section 10 of BENCHMARKS.md, a storm of reports: 64 riders on the release server each send reports while
pulling their feed, in rounds of 960 reports — all at one spot (a flooded underpass: every report after the first
joins its group) and, on a fresh server, spread over the district (each a hazard of its own). Per round: the PUT's
median and 95th percentile with all 64 sending, then the median of 50 sent by one rider alone, the round's time,
the server's resident memory after it (/proc). After the last round:
the size of the last report's JSON and of the grid worker's full pull. Writes BENCH_DIR/storm.json.

    python3 benches/storm.py BIN BENCH_DIR
"""
import json, os, random, subprocess, sys, tempfile, threading, time, urllib.request, uuid
from serving import start as start_server
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

bin_, out_dir = sys.argv[1], sys.argv[2]
CLIENTS = int(os.environ.get("STORM_CLIENTS", "64"))
ROUNDS = int(os.environ.get("STORM_ROUNDS", "6"))
PER_ROUND = int(os.environ.get("STORM_PER_ROUND", "960"))
PULL_EVERY = int(os.environ.get("STORM_PULL_EVERY", "5"))  # a rider pulls their feed after every this many reports
PROBE = 50  # after each round, this many reports from one rider alone
port = int(os.environ.get("BENCH_PORT", "18151"))
base = f"http://127.0.0.1:{port}"


def call(method, path, token=None, body=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    with urllib.request.urlopen(req) as res:
        return res.status, res.read()


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:")) / 1024


def pct(values, p):
    s = sorted(values)
    return s[max(0, -(-len(s) * p // 100) - 1)]


def add_user(db, role, name, *extra):
    out = subprocess.run([bin_, "user", "add", "--db", db, "--role", role, "--name", name, "--json", *extra],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["code"]


def serve(db, work):
    return start_server(bin_, port, db, work, "--requests-per-minute", "1000000")


def full_pull(token):
    """Every page of the caller's feed: ((reports, open ones), bytes)."""
    cursor, n, open_, size = None, 0, 0, 0
    while True:
        path = "/api/v1/changes?limit=500" + (f"&cursor={cursor}" if cursor else "")
        _, raw = call("GET", path, token)
        size += len(raw)
        page = json.loads(raw)
        reports = [c for c in page["changes"] if c["kind"] == "report"]
        n += len(reports)
        open_ += sum(1 for c in reports if c["data"]["status"] in ("received", "accepted", "in_progress"))
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return (n, open_), size


def scenario(place):
    work = tempfile.mkdtemp(prefix="suishoupai-storm-bench-")
    db = os.path.join(work, "storm.db")
    first = serve(db, work)  # the schema and the demo data
    first.terminate()
    first.wait()
    codes = [add_user(db, "rider", f"骑手{i}") for i in range(CLIENTS)]
    worker_code = add_user(db, "grid_worker", "网格员", "--grid", "demo-grid-07")
    server = serve(db, work)
    try:
        tokens = [json.loads(call("POST", "/api/v1/enroll", body={"code": c})[1])["token"] for c in codes]
        worker = json.loads(call("POST", "/api/v1/enroll", body={"code": worker_code})[1])["token"]
        cursors = [None] * CLIENTS
        rounds, last_id = [], None
        lock = threading.Lock()

        def rider(k, count, latencies):
            nonlocal last_id
            for n in range(count):
                lat, lon = place()
                captured = (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
                body = {"category": "manhole_cover", "urgent": False,
                        "description": f"积水 {k}-{n}", "lat": lat, "lon": lon, "accuracy_m": 8, "photos": [],
                        "captured_at": captured}
                rid = str(uuid.uuid4())
                t0 = time.perf_counter()
                status, _ = call("PUT", f"/api/v1/reports/{rid}", tokens[k], body)
                ms = (time.perf_counter() - t0) * 1000
                assert status == 201, status
                with lock:
                    latencies.append(ms)
                    last_id = rid
                if (n + 1) % PULL_EVERY == 0:
                    path = "/api/v1/changes?limit=500" + (f"&cursor={cursors[k]}" if cursors[k] else "")
                    _, raw = call("GET", path, tokens[k])
                    cursors[k] = json.loads(raw)["next_cursor"]

        for r in range(ROUNDS):
            latencies = []
            each = PER_ROUND // CLIENTS
            t0 = time.perf_counter()
            with ThreadPoolExecutor(CLIENTS) as pool:
                for f in [pool.submit(rider, k, each, latencies) for k in range(CLIENTS)]:
                    f.result()
            seconds = time.perf_counter() - t0
            # Then one rider alone: the PUT without the others' queue in front of it.
            alone = []
            rider(0, PROBE, alone)
            rounds.append({"reports": len(latencies), "put_ms_p50": pct(latencies, 50),
                           "put_ms_p95": pct(latencies, 95), "alone_ms_p50": pct(alone, 50), "seconds": seconds,
                           "rss_mb": rss_mb(server.pid)})
            print(f"  round {r + 1}: {rounds[-1]}", file=sys.stderr)
        _, raw = call("GET", f"/api/v1/reports/{last_id}", worker)
        changes, pull_bytes = full_pull(worker)
        return {"rounds": rounds, "last_report_bytes": len(raw), "worker_pull_reports": changes[0],
                "worker_open_tasks": changes[1], "worker_pull_bytes": pull_bytes}
    finally:
        server.terminate()
        server.wait()


one_spot = scenario(lambda: (30.885, 104.255))
rng = random.Random(7)
# Spread: anywhere in a 4 km square of the district (demo-grid-07 and its neighbours), each its own hazard.
spread = scenario(lambda: (30.88 + rng.random() * 0.036, 104.25 + rng.random() * 0.036))
result = {"clients": CLIENTS, "per_round": PER_ROUND, "one_spot": one_spot, "spread": spread}
with open(os.path.join(out_dir, "storm.json"), "w") as f:
    json.dump(result, f, indent=1)
print(json.dumps(result, indent=1))
