#!/usr/bin/env python3
"""Section 7 of BENCHMARKS.md: loading a district from files with the release binary — 1,000 grids (GeoJSON, every
pair checked for overlap), the same file again (nothing changes), and 5,000 people (CSV, a code each) with their
onboarding sheets — each on a fresh database with the demo data, median of 3. Writes BENCH_DIR/district.json.

    python3 benches/district.py BIN BENCH_DIR
"""
import json, os, statistics, subprocess, sys, tempfile, time

bin_, out_dir = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp(prefix="suishoupai-district-bench-")

def grids_file(n=1000, per_row=40, size=0.004):
    features = []
    for i in range(n):
        r, c = divmod(i, per_row)
        s, w = 30.80 + r * size, 104.10 + c * size
        ring = [[w, s], [w + size, s], [w + size, s + size], [w, s + size], [w, s]]
        ring = [[round(x, 6), round(y, 6)] for x, y in ring]
        features.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                         "properties": {"id": f"g-{i:04d}", "name": f"网格{i}", "community": f"社区{i // 10}",
                                        "street": f"街道{i // 100}"}})
    path = os.path.join(work, "grids.geojson")
    with open(path, "w") as f:
        json.dump({"type": "FeatureCollection", "features": features}, f, ensure_ascii=False)
    return path, os.path.getsize(path)

def users_file(n=5000):
    rows = ["role,name,grid,station,department,phone"]
    for i in range(n):
        if i % 50 == 0:
            rows.append(f"grid_worker,网格员{i},g-{i // 5:04d},,,")
        elif i % 100 == 1:
            rows.append(f"station_staff,驿站{i},,demo-station-{i % 22 + 1:02d},,")
        else:
            rows.append(f"rider,骑手{i},,,,139{i:08d}")
    path = os.path.join(work, "users.csv")
    with open(path, "w") as f:
        f.write("\n".join(rows) + "\n")
    return path

def fresh_db(k):
    db = os.path.join(work, f"d{k}.db")
    # The demo data, as `serve --demo` imports it, without starting a server.
    for kind, name in [("departments", "departments.csv"), ("categories", "categories.csv"),
                       ("grids", "grids.geojson"), ("stations", "stations.csv")]:
        subprocess.run([bin_, "import", kind, os.path.join("demo", name), "--db", db], check=True,
                       stdout=subprocess.DEVNULL)
    return db

def timed(args):
    t0 = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed: {done.stderr}")
    return elapsed, done.stdout

grids, grids_bytes = grids_file()
users = users_file()
runs = {"grids": [], "grids_again": [], "users": []}
for k in range(3):
    db = fresh_db(k)
    s, out = timed([bin_, "import", "grids", grids, "--db", db, "--json"])
    runs["grids"].append(s)
    changes = json.loads(out)
    s, out = timed([bin_, "import", "grids", grids, "--db", db, "--json"])
    runs["grids_again"].append(s)
    again = json.loads(out)
    s, out = timed([bin_, "import", "users", users, "--db", db, "--json", "--sheet", os.path.join(work, "sheet.html")])
    runs["users"].append(s)
    created = json.loads(out)["created"]
result = {
    "grids": 1000, "grids_file_bytes": grids_bytes, "added": len(changes["added"]), "retired": len(changes["retired"]),
    "again_unchanged": again["unchanged"], "users": created,
    "sheet_bytes": os.path.getsize(os.path.join(work, "sheet.html")),
    **{f"{k}_s": statistics.median(v) for k, v in runs.items()},
    "runs": runs,
}
with open(os.path.join(out_dir, "district.json"), "w") as f:
    json.dump(result, f, indent=2)
print(json.dumps(result))
