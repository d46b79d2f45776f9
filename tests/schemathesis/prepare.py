"""Prepares a running 随手拍 server for schemathesis: one enrolled account per role and a little real data.

Usage: prepare.py BASE_URL SERVER_BIN DB OUT_DIR
Writes OUT_DIR/tokens (role=token lines) and OUT_DIR/schemathesis.toml, which names a stored photo and a report
so the operations that read them reach their real logic instead of only 404s.
"""
import hashlib
import struct
import zlib
import json
import subprocess
import sys
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

base, server_bin, db, out = sys.argv[1:5]


def call(method, path, token=None, body=None, content_type="application/json"):
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", content_type)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as res:
        text = res.read().decode()
        return json.loads(text) if text else None


def enrolled(role, name, *extra):
    made = subprocess.run(
        [server_bin, "user", "add", "--db", db, "--role", role, "--name", name, "--json", *extra],
        check=True, capture_output=True, text=True,
    )
    code = json.loads(made.stdout)["code"]
    return call("POST", "/api/v1/enroll", body={"code": code, "device_name": "schemathesis"})["token"]


tokens = {
    "rider": enrolled("rider", "接口测试骑手"),
    "grid_worker": enrolled("grid_worker", "接口测试网格员", "--grid", "demo-grid-01"),
    "station_staff": enrolled("station_staff", "接口测试驿站", "--station", "demo-station-01"),
    "department_staff": enrolled("department_staff", "接口测试部门", "--department", "chengguan"),
    "official": enrolled("official", "接口测试领导", "--street", "大同街道"),
    # The district console's API: every generated file is checked, and applied when it happens to be valid.
    "admin": enrolled("admin", "接口测试管理员"),
}

def png(width, height):
    """A real PNG (the server decodes every photo): a grey gradient."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes((x * 7 + y * 3) % 256 for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


photo = png(32, 32)
sha = hashlib.sha256(photo).hexdigest()
call("PUT", f"/api/v1/photos/{sha}", tokens["rider"], photo, "image/png")
report_id = str(uuid.uuid4())
captured = (datetime.now(timezone.utc) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
call("PUT", f"/api/v1/reports/{report_id}", tokens["rider"], {
    "category": "road_damage", "description": "接口测试：路面坑洼", "lat": 30.885, "lon": 104.255,
    "photos": [sha], "captured_at": captured,
})

with open(f"{out}/tokens", "w") as f:
    for role, token in tokens.items():
        f.write(f"{role}={token}\n")
with open(f"{out}/schemathesis.toml", "w") as f:
    f.write(f"""# Written by tests/schemathesis/prepare.py for one run.
[[operations]]
include-path = "/api/v1/photos/{{sha256}}"
parameters = {{ "sha256" = "{sha}" }}

[[operations]]
include-name = "GET /api/v1/reports/{{id}}"
parameters = {{ "id" = "{report_id}" }}
""")
