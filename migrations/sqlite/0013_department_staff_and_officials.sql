-- Two more roles: department staff (部门联处), who belong to a department, and officials, who read the district's
-- figures (the whole district, or one 街道). SQLite cannot change a CHECK constraint in place, so the table is
-- rebuilt: kept aside, dropped, made anew, filled again. The migration runs inside a transaction, where foreign
-- keys cannot be switched off; so their checks wait for the commit (by then every reference finds its user again),
-- and the codes and tokens that dropping the old table deletes by its ON DELETE CASCADE are kept aside and put back.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE users_kept AS SELECT * FROM users;
CREATE TEMP TABLE codes_kept AS SELECT * FROM enrollment_codes;
CREATE TEMP TABLE tokens_kept AS SELECT * FROM tokens;
DROP TABLE users;
CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('rider', 'grid_worker', 'station_staff', 'department_staff',
                                               'official', 'admin')),
    grid_id       TEXT REFERENCES grids (id),
    station_id    TEXT REFERENCES stations (id),
    department_id TEXT REFERENCES departments (code),
    street        TEXT,            -- an official limited to one 街道; NULL: the whole district
    phone         TEXT,            -- never leaves the server
    pass_secret   TEXT NOT NULL,   -- hex; riders' station passes are computed from it
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER,
    CHECK (role <> 'grid_worker' OR grid_id IS NOT NULL),
    CHECK (role <> 'station_staff' OR station_id IS NOT NULL),
    CHECK (role <> 'department_staff' OR department_id IS NOT NULL),
    CHECK (role = 'official' OR street IS NULL)
) STRICT;
INSERT INTO users (id, name, role, grid_id, station_id, phone, pass_secret, created_at, revoked_at)
    SELECT id, name, role, grid_id, station_id, phone, pass_secret, created_at, revoked_at FROM users_kept;
CREATE INDEX users_by_department ON users (department_id) WHERE department_id IS NOT NULL;
INSERT INTO enrollment_codes SELECT * FROM codes_kept WHERE true
    ON CONFLICT DO NOTHING;
INSERT INTO tokens SELECT * FROM tokens_kept WHERE true
    ON CONFLICT DO NOTHING;
DROP TABLE users_kept;
DROP TABLE codes_kept;
DROP TABLE tokens_kept;
