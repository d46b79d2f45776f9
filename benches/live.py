#!/usr/bin/env python3
"""Section 9 of BENCHMARKS.md, the server's side of live changes: 1,000 grid workers of one grid each hold an event
stream (`GET /api/v1/changes/stream`) on the release server. Measured from /proc: the server's resident memory and
CPU with no stream, with 1,000 streams open at rest (10 s), and while reports of that grid fan out to all 1,000 —
each report's 201 to each stream's `change` event (p50, p95, max over every stream and report) and the CPU per report.
Writes BENCH_DIR/live-streams.json.

    python3 benches/live.py BIN BENCH_DIR
"""
import asyncio, json, os, resource, statistics, subprocess, sys, tempfile, time, urllib.request, uuid
from serving import start as start_server
from datetime import datetime, timedelta, timezone

bin_, out_dir = sys.argv[1], sys.argv[2]
STREAMS = int(os.environ.get("LIVE_STREAMS", "1000"))
REPORTS = int(os.environ.get("LIVE_REPORTS", "20"))
port = int(os.environ.get("BENCH_PORT", "18141"))
base = f"http://127.0.0.1:{port}"
work = tempfile.mkdtemp(prefix="suishoupai-live-bench-")
db = os.path.join(work, "live.db")
# One socket per stream, here and in the server (which inherits the limit).
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
if hard < STREAMS + 200:
    sys.exit(f"{STREAMS} streams need more open files than the limit {hard}")
TICK = os.sysconf("SC_CLK_TCK")


def serve():
    return start_server(bin_, port, db, work, "--requests-per-minute", "100000")


def post(path, body, token=None, method="POST"):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers=headers, method=method)
    with urllib.request.urlopen(req) as res:
        return res.status, json.load(res)


def usage(pid):
    """(resident MB, CPU seconds so far) of the server."""
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:")) / 1024
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return rss, (int(fields[11]) + int(fields[12])) / TICK


def pct(values, p):
    s = sorted(values)
    return s[max(0, -(-len(s) * p // 100) - 1)]


# The schema and demo data from the server itself; then the workers, each enrolled for a token.
first = serve()
first.terminate()
first.wait()
codes = []
for i in range(STREAMS):
    out = subprocess.run([bin_, "user", "add", "--db", db, "--role", "grid_worker", "--name", f"网格员{i}",
                          "--grid", "demo-grid-07", "--json"], check=True, capture_output=True, text=True).stdout
    codes.append(json.loads(out)["code"])
rider_code = json.loads(subprocess.run([bin_, "user", "add", "--db", db, "--role", "rider", "--name", "骑手",
                                        "--json"], check=True, capture_output=True, text=True).stdout)["code"]
server = serve()
tokens = [post("/api/v1/enroll", {"code": c})[1]["token"] for c in codes]
rider = post("/api/v1/enroll", {"code": rider_code})[1]["token"]


async def main():
    idle_rss, _ = usage(server.pid)
    heard = [[] for _ in range(STREAMS)]  # per stream: monotonic times of `change` events
    ready = asyncio.Event()
    opened = 0

    async def hold(k):
        nonlocal opened
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write((f"GET /api/v1/changes/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                      f"Authorization: Bearer {tokens[k]}\r\n\r\n").encode())
        await writer.drain()
        told_ready = False
        buffer = b""
        while True:
            data = await reader.read(4096)
            if not data:
                return
            buffer += data
            while b"\n\n" in buffer:
                block, buffer = buffer.split(b"\n\n", 1)
                if b"event: ready" in block and not told_ready:
                    told_ready = True
                    opened += 1
                    if opened == STREAMS:
                        ready.set()
                elif b"event: change" in block:
                    heard[k].append(time.monotonic())

    tasks = [asyncio.create_task(hold(k)) for k in range(STREAMS)]
    t0 = time.monotonic()
    await asyncio.wait_for(ready.wait(), 120)
    open_s = time.monotonic() - t0
    await asyncio.sleep(2)
    rest_rss0, rest_cpu0 = usage(server.pid)
    await asyncio.sleep(10)
    rest_rss, rest_cpu1 = usage(server.pid)

    loop = asyncio.get_running_loop()
    latencies = []
    per_report_cpu = []
    per_report_all = []
    for n in range(REPORTS):
        before = [len(h) for h in heard]
        _, cpu0 = usage(server.pid)
        captured = (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
        body = {"category": "manhole_cover", "urgent": True, "description": f"井盖没了 {n}", "lat": 30.885,
                "lon": 104.255, "accuracy_m": 8, "photos": [], "captured_at": captured}
        status, _ = await loop.run_in_executor(None, lambda: post(f"/api/v1/reports/{uuid.uuid4()}", body, rider, "PUT"))
        sent = time.monotonic()
        assert status == 201
        deadline = sent + 30
        while any(len(h) <= b for h, b in zip(heard, before)) and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        got = [h[b] - sent for h, b in zip(heard, before) if len(h) > b]
        if len(got) < STREAMS:
            sys.exit(f"report {n}: only {len(got)} of {STREAMS} streams heard of it")
        latencies += [max(0.0, g) * 1000 for g in got]
        per_report_all.append(max(got) * 1000)
        await asyncio.sleep(0.5)  # let the last looks finish before reading the CPU
        _, cpu1 = usage(server.pid)
        per_report_cpu.append((cpu1 - cpu0) * 1000)
    fan_rss, _ = usage(server.pid)
    for t in tasks:
        t.cancel()
    return {
        "streams": STREAMS,
        "reports": REPORTS,
        "open_s": open_s,
        "rss_mb": {"no_streams": idle_rss, "streams_open": rest_rss0, "after_10s_at_rest": rest_rss,
                   "after_fan_out": fan_rss},
        "rest_cpu_percent": (rest_cpu1 - rest_cpu0) / 10 * 100,
        "event_ms": {"p50": pct(latencies, 50), "p95": pct(latencies, 95), "max": max(latencies)},
        "all_streams_told_ms": {"p50": pct(per_report_all, 50), "max": max(per_report_all)},
        "cpu_ms_per_report": {"median": statistics.median(per_report_cpu), "max": max(per_report_cpu)},
    }


try:
    result = asyncio.run(main())
finally:
    server.terminate()
    server.wait()
print(json.dumps(result, indent=2))
with open(os.path.join(out_dir, "live-streams.json"), "w") as f:
    json.dump(result, f, indent=2)
