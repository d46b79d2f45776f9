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
import urllib.error
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

def added(role, name, *extra):
    """A user made for an operation to act on (never one whose token a run uses)."""
    made = subprocess.run(
        [server_bin, "user", "add", "--db", db, "--role", role, "--name", name, "--json", *extra],
        check=True, capture_output=True, text=True,
    )
    return json.loads(made.stdout)["user_id"]


# The console's revoke and move act on these, so those operations reach their logic instead of 404s.
to_revoke = added("rider", "接口测试待停用")
to_move = added("grid_worker", "接口测试待调动", "--grid", "demo-grid-02")


def png(width, height):
    """A real PNG (the server decodes every photo): a grey gradient."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes((x * 7 + y * 3) % 256 for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


photo = png(32, 32)
sha = hashlib.sha256(photo).hexdigest()
# Everyone who may upload photos has this one, so HEAD /photos answers 200 for them (404 for the others).
for role, token in tokens.items():
    try:
        call("PUT", f"/api/v1/photos/{sha}", token, photo, "image/png")
    except urllib.error.HTTPError as e:
        if e.code != 403:
            raise
report_id = str(uuid.uuid4())
captured = (datetime.now(timezone.utc) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
call("PUT", f"/api/v1/reports/{report_id}", tokens["rider"], {
    "category": "road_damage", "description": "接口测试：路面坑洼", "lat": 30.885, "lon": 104.255,
    "photos": [sha], "captured_at": captured,
})

concern_id = str(uuid.uuid4())
call("PUT", f"/api/v1/concerns/{concern_id}", tokens["rider"], {
    "kind": "difficulty", "topic": "entry", "text": "接口测试：小区不让骑手进门", "station_id": "demo-station-01",
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

# The reports joined to one are for those who handle it: its rider reporter gets 403.
[[operations]]
include-name = "GET /api/v1/reports/{{id}}/joined"
parameters = {{ "id" = "{report_id}" }}
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "429"]

[[operations]]
include-name = "GET /api/v1/concerns/{{id}}"
parameters = {{ "id" = "{concern_id}" }}

[[operations]]
include-name = "GET /api/v1/warnings/history"
parameters = {{ "grid_id" = "demo-grid-06" }}

[[operations]]
include-name = "POST /api/v1/admin/users/{{id}}/revoke"
parameters = {{ "id" = "{to_revoke}" }}

[[operations]]
include-name = "POST /api/v1/admin/users/{{id}}/move"
parameters = {{ "id" = "{to_move}" }}

# Erasing one's account ends the token every later operation of the run uses (tested in tests/all/personal_data.rs).
[[operations]]
include-name = "DELETE /api/v1/me"
enabled = false

# The live change stream never ends by itself (a response body read to its end would take 15 minutes); its
# statuses, events and visibility are tested in tests/all/live_changes.rs.
[[operations]]
include-name = "GET /api/v1/changes/stream"
enabled = false

# positive_data_acceptance ("a schema-valid request is accepted") is widened for these operations only, each for
# a rule no JSON Schema in the document can carry; every other check runs on them unchanged.
# A photo's bytes must decode as an image and hash to the path: generated bytes are 415 (not an image) or 422.
[[operations]]
include-name = "PUT /api/v1/photos/{{sha256}}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "415", "422", "429"]

# A report's category is one of the district's current list (it changes with each import), its photos were
# uploaded before, and fields depend on each other (a position or an address, both coordinates, a photo or a
# description, taken not in the future): 422 with the field named.
[[operations]]
include-name = "PUT /api/v1/reports/{{id}}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

# An action must be allowed in the task's current status and level (422 action_not_allowed), and a reason or
# note is required by some kinds only.
[[operations]]
include-name = "PUT /api/v1/task-actions/{{id}}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

# A verdict is only on a resolved report (422 not_resolved) of one's own (404 otherwise), one per resolution (409).
[[operations]]
include-name = "PUT /api/v1/verdicts/{{id}}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

# A concern's topic is one of the district's list and its station one in service; a rider sends no pass and staff
# must (422); an action must be allowed in the concern's status and for its kind (422 action_not_allowed), against
# its current version (409), by the staff of its station (403).
[[operations]]
include-name = "PUT /api/v1/concerns/{{id}}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

[[operations]]
include-name = "PUT /api/v1/concern-actions/{{id}}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

# A verdict is only on a closed concern (422 not_resolved) of one's own (404 otherwise), one per closing (409).
[[operations]]
include-name = "PUT /api/v1/concern-verdicts/{{id}}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

[[operations]]
include-name = "GET /api/v1/stats/concerns"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

# A pass is valid only if a rider's secret computes it for now (422 invalid_pass).
[[operations]]
include-name = "PUT /api/v1/checkins/{{id}}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

# A period's end is not before its start and at most 3,660 days after it.
[[operations]]
include-name = "GET /api/v1/export/reports"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

[[operations]]
include-name = "GET /api/v1/stats"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

[[operations]]
include-name = "GET /api/v1/stats/trend"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

# The district's files are checked whole (geometry, references between files, duplicates): 422 file_refused;
# a grid or station must be in service; reissue names exactly one place.
[[operations]]
include-path-regex = "^/api/v1/admin/"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]
""")
