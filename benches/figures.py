#!/usr/bin/env python3
"""The district's figures at 1,000,000 reports (section 8 of BENCHMARKS.md, by scripts/bench.sh) — a year of a big district's reports
(spread over the 8 demo grids and 11 categories, a third still open, with answer and closing times) written straight
into a fresh database, then GET /stats and GET /warnings timed on the release server (median of 5), with SQLite's
query plan of the figures' statement (its period read from the covering index reports_figures alone, never a scan).
Writes BENCH_DIR/figures.json.

    python3 benches/figures.py BIN BENCH_DIR [REPORTS]
"""
import json, os, random, sqlite3, statistics, subprocess, sys, tempfile, time, urllib.request
from serving import start as start_server
from datetime import datetime, timedelta, timezone

bin_, out_dir = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
work = tempfile.mkdtemp(prefix="suishoupai-figures-bench-")
db = os.path.join(work, "figures.db")
port = int(os.environ.get("BENCH_PORT", "18131"))
base = f"http://127.0.0.1:{port}"


def serve():
    return start_server(bin_, port, db, work, stdout=subprocess.PIPE)


def code_of(stdout_text, role):
    for line in stdout_text.splitlines():
        parts = line.split()
        if parts and parts[0] == role:
            return parts[-1]
    raise SystemExit(f"no demo code for {role}")


# 1. The schema and demo data, from the server itself; then a million reports written straight in.
first = serve()
first.terminate()
out, _ = first.communicate()
con = sqlite3.connect(db)
grids = [r[0] for r in con.execute("SELECT id FROM grids")]
categories = [r[0] for r in con.execute("SELECT code FROM categories")]
reporter = con.execute("SELECT id FROM users WHERE role = 'rider' LIMIT 1").fetchone()[0]
rng = random.Random(2026)
now = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)
start = now - timedelta(days=365)
fmt = lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
t0 = time.time()
rows = []
for i in range(n):
    received = start + timedelta(seconds=rng.randrange(365 * 86400))
    status = rng.choice(["received", "accepted", "in_progress", "resolved", "resolved", "resolved", "rejected"])
    responded = received + timedelta(minutes=rng.randrange(1, 600)) if status != "received" else None
    closed = responded + timedelta(hours=rng.randrange(1, 200)) if status in ("resolved", "rejected") else None
    deadline = None if closed else received + timedelta(hours=rng.randrange(2, 200))
    lat, lon = 30.86 + rng.random() * 0.08, 104.17 + rng.random() * 0.16
    rows.append((f"bench-{i}", reporter, "f", "{}", rng.choice(categories), rng.choice(grids), status,
                 fmt(received), fmt(received), deadline and fmt(deadline), 1_000_000 + i,
                 responded and fmt(responded), closed and fmt(closed), lat, lon))
    if len(rows) == 50_000:
        con.executemany("""INSERT INTO reports (id, reporter_id, fingerprint, submitted, category, grid_id, status,
            level, version, received_at, updated_at, deadline, timeline, change_seq, responded_at, closed_at, lat, lon)
            VALUES (?, ?, ?, ?, ?, ?, ?, 1, 1, ?, ?, ?, '[]', ?, ?, ?, ?, ?)""", rows)
        rows.clear()
con.commit()
con.execute("ANALYZE")
con.commit()
written_s = time.time() - t0
# The figures' statement as src/server/figures.rs writes it (by 街道, for November).
plan = [r[3] for r in con.execute(
    "EXPLAIN QUERY PLAN SELECT g.street AS key, r.status, coalesce(r.deadline < ?3, 0) AS overdue, "
    "(julianday(r.responded_at) - julianday(r.received_at)) * 1440.0 AS respond, "
    "(julianday(r.closed_at) - julianday(r.received_at)) * 1440.0 AS resolve, r.satisfied, r.unsatisfied "
    "FROM reports r LEFT JOIN grids g ON g.id = r.grid_id WHERE r.received_at >= ?1 AND r.received_at < ?2",
    ("2026-10-31T16:00:00.000Z", "2026-11-30T16:00:00.000Z", "2026-11-30T12:00:00.000Z"))]
con.close()

# 2. The release server over it: an admin's figures for a month, a quarter and the year, and the warnings.
server = serve()
try:
    # The demo codes of this start (the first start's lapsed).
    text = open(os.path.join(work, "demo-codes.txt")).read()
    code = code_of(text, "admin")
    req = urllib.request.Request(base + "/api/v1/enroll", data=json.dumps({"code": code}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    token = json.load(urllib.request.urlopen(req))["token"]

    def timed(path):
        times = []
        for _ in range(5):
            r = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
            t = time.perf_counter()
            body = urllib.request.urlopen(r).read()
            times.append((time.perf_counter() - t) * 1000)
        return statistics.median(times), len(body)

    results = {}
    for name, path in [
        ("month by street", "/api/v1/stats?from=2026-11-01&to=2026-11-30&by=street"),
        ("month by grid", "/api/v1/stats?from=2026-11-01&to=2026-11-30&by=grid"),
        ("quarter by category", "/api/v1/stats?from=2026-09-01&to=2026-11-30&by=category"),
        ("year by street", "/api/v1/stats?from=2025-12-01&to=2026-11-30&by=street"),
        ("warnings", "/api/v1/warnings"),
    ]:
        ms, size = timed(path)
        results[name] = {"median_ms": round(ms, 1), "bytes": size}
finally:
    server.terminate()
    server.wait()

report = {"reports": n, "written_s": round(written_s, 1), "plan": plan, "requests": results}
os.makedirs(out_dir, exist_ok=True)
with open(os.path.join(out_dir, "figures.json"), "w") as f:
    json.dump(report, f, ensure_ascii=False, indent=1)
print(json.dumps(report, ensure_ascii=False, indent=1))
