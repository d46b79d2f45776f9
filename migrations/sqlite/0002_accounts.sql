-- Accounts: users of the four roles, their one-time enrollment codes and their device tokens.
-- Codes and tokens are stored only as SHA-256 hashes. Times are Unix seconds (UTC).
CREATE TABLE users (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('rider', 'grid_worker', 'station_staff', 'admin')),
    grid_id     TEXT REFERENCES grids (id),
    station_id  TEXT REFERENCES stations (id),
    phone       TEXT,            -- never leaves the server
    pass_secret TEXT NOT NULL,   -- hex; riders' station passes are computed from it
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER,
    CHECK (role <> 'grid_worker' OR grid_id IS NOT NULL),
    CHECK (role <> 'station_staff' OR station_id IS NOT NULL)
) STRICT;

CREATE TABLE enrollment_codes (
    code_hash   TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
) STRICT;
CREATE INDEX enrollment_codes_by_user ON enrollment_codes (user_id);

CREATE TABLE tokens (
    token_hash  TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_name TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
) STRICT;
CREATE INDEX tokens_by_user ON tokens (user_id);
