-- The district's own reference data, loaded from its files: grids under 社区 and 街道 (retired, never deleted),
-- the departments 部门联处 calls on, the 两张清单's department and deadlines per category, and an audit log of
-- every import.
ALTER TABLE grids ADD COLUMN community TEXT NOT NULL DEFAULT '';
ALTER TABLE grids ADD COLUMN street TEXT NOT NULL DEFAULT '';
-- Further rings (holes, further parts) as JSON: [[{"lat","lon"}…]…].
ALTER TABLE grids ADD COLUMN more_rings TEXT NOT NULL DEFAULT '[]';
-- The GeoJSON geometry exactly as imported (exported again as is); NULL for grids seeded before imports.
ALTER TABLE grids ADD COLUMN geometry TEXT;
ALTER TABLE grids ADD COLUMN retired_at TEXT;
ALTER TABLE grids ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;

ALTER TABLE stations ADD COLUMN retired_at TEXT;

CREATE TABLE departments (
    code        TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    retired_at  TEXT,
    change_seq  INTEGER NOT NULL
) STRICT;

-- NULL: the server's defaults (serve --respond-minutes …).
ALTER TABLE categories ADD COLUMN department TEXT REFERENCES departments (code);
ALTER TABLE categories ADD COLUMN respond_minutes INTEGER;
ALTER TABLE categories ADD COLUMN respond_urgent_minutes INTEGER;
ALTER TABLE categories ADD COLUMN resolve_hours_1 INTEGER;
ALTER TABLE categories ADD COLUMN resolve_hours_2 INTEGER;
ALTER TABLE categories ADD COLUMN resolve_hours_3 INTEGER;
ALTER TABLE categories ADD COLUMN retired_at TEXT;

-- Open tasks of a grid that was retired: they stay with it until someone reassigns them.
ALTER TABLE reports ADD COLUMN needs_reassignment INTEGER NOT NULL DEFAULT 0;

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,   -- a user id, or "command line"
    action   TEXT NOT NULL,   -- e.g. "import grids"
    summary  TEXT NOT NULL    -- JSON: {"added": […], "updated": […], "retired": […], "unchanged": N}
) STRICT;
