-- The whole schema on PostgreSQL: the same tables and columns as SQLite's migrations 0001–0029 end with (a test
-- compares the two). Whole numbers are BIGINT (what the server reads as i64), the flags SQLite keeps as 0/1 are
-- BOOLEAN, JSON stays TEXT as on SQLite, times stay RFC 3339 text or unix seconds. Where SQLite has an R*Tree of
-- report places, PostgreSQL has a GiST index on each report's point.

CREATE TABLE departments (
    code        TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    retired_at  TEXT,
    change_seq  BIGINT NOT NULL
);

CREATE TABLE categories (
    code                   TEXT PRIMARY KEY NOT NULL,
    name_zh                TEXT NOT NULL,
    name_en                TEXT NOT NULL,
    sort_order             BIGINT NOT NULL,
    demo                   BOOLEAN NOT NULL DEFAULT FALSE,
    change_seq             BIGINT NOT NULL DEFAULT 0,
    department             TEXT REFERENCES departments (code),
    respond_minutes        BIGINT,
    respond_urgent_minutes BIGINT,
    resolve_hours_1        BIGINT,
    resolve_hours_2        BIGINT,
    resolve_hours_3        BIGINT,
    retired_at             TEXT,
    acknowledge_hours      BIGINT
);
CREATE INDEX categories_by_change ON categories (change_seq);

CREATE TABLE stations (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL,
    lat         DOUBLE PRECISION NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon         DOUBLE PRECISION NOT NULL CHECK (lon BETWEEN -180 AND 180),
    hours       TEXT NOT NULL,
    amenities   TEXT NOT NULL DEFAULT '[]',
    demo        BOOLEAN NOT NULL DEFAULT FALSE,
    change_seq  BIGINT NOT NULL DEFAULT 0,
    retired_at  TEXT
);
CREATE INDEX stations_by_change ON stations (change_seq);

CREATE TABLE grids (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    polygon     TEXT NOT NULL,
    demo        BOOLEAN NOT NULL DEFAULT FALSE,
    community   TEXT NOT NULL DEFAULT '',
    street      TEXT NOT NULL DEFAULT '',
    more_rings  TEXT NOT NULL DEFAULT '[]',
    geometry    TEXT,
    retired_at  TEXT,
    change_seq  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('rider', 'grid_worker', 'station_staff', 'department_staff',
                                               'official', 'admin')),
    grid_id       TEXT REFERENCES grids (id),
    station_id    TEXT REFERENCES stations (id),
    department_id TEXT REFERENCES departments (code),
    street        TEXT,
    phone         TEXT,
    pass_secret   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    revoked_at    BIGINT,
    phone_lookup  TEXT,
    CHECK (role <> 'grid_worker' OR grid_id IS NOT NULL),
    CHECK (role <> 'station_staff' OR station_id IS NOT NULL),
    CHECK (role <> 'department_staff' OR department_id IS NOT NULL),
    CHECK (role = 'official' OR street IS NULL)
);
CREATE INDEX users_by_department ON users (department_id) WHERE department_id IS NOT NULL;
CREATE INDEX users_by_phone_lookup ON users (phone_lookup) WHERE phone_lookup IS NOT NULL;

CREATE TABLE enrollment_codes (
    code_hash   TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX enrollment_codes_by_user ON enrollment_codes (user_id);

CREATE TABLE tokens (
    token_hash  TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_name TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX tokens_by_user ON tokens (user_id);

-- One counter for the whole change feed. Every write that phones must hear about takes the next value inside its
-- own transaction, and every write transaction first takes the writers' lock (pg_advisory_xact_lock), so the
-- values follow commit order across every server instance and a reader paging with `change_seq > cursor` never
-- skips a change.
CREATE TABLE feed_counter (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL
);
INSERT INTO feed_counter (id, seq) VALUES (1, 0);

CREATE TABLE photos (
    sha256       TEXT PRIMARY KEY NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    bytes        BYTEA NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE TABLE photo_uploads (
    sha256  TEXT NOT NULL REFERENCES photos (sha256),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (sha256, user_id)
);

CREATE TABLE concern_topics (
    code       TEXT PRIMARY KEY NOT NULL,
    name_zh    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    position   BIGINT NOT NULL,
    retired_at TEXT,
    change_seq BIGINT NOT NULL DEFAULT 0
);
INSERT INTO concern_topics (code, name_zh, name_en, position) VALUES
    ('entry', '小区进门难', 'Getting into compounds', 1),
    ('charging', '充电', 'Charging', 2),
    ('parking', '停车', 'Parking', 3),
    ('rest', '休息', 'Rest', 4),
    ('rights', '权益保障', 'Rights and protection', 5),
    ('traffic', '交通', 'Traffic', 6),
    ('other', '其他', 'Other', 7);

CREATE TABLE reports (
    id                   TEXT PRIMARY KEY NOT NULL,
    reporter_id          TEXT NOT NULL REFERENCES users (id),
    fingerprint          TEXT NOT NULL,
    submitted            TEXT NOT NULL,
    category             TEXT NOT NULL REFERENCES categories (code),
    grid_id              TEXT REFERENCES grids (id),
    grid_by_nearest      BOOLEAN NOT NULL DEFAULT FALSE,
    status               TEXT NOT NULL,
    level                BIGINT NOT NULL CHECK (level BETWEEN 1 AND 3),
    version              BIGINT NOT NULL,
    received_at          TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    deadline             TEXT,
    timeline             TEXT NOT NULL,
    points_awarded       BIGINT NOT NULL DEFAULT 0,
    change_seq           BIGINT NOT NULL,
    duplicate_of         TEXT REFERENCES reports (id),
    lat                  DOUBLE PRECISION,
    lon                  DOUBLE PRECISION,
    possible_duplicates  TEXT,
    needs_reassignment   BOOLEAN NOT NULL DEFAULT FALSE,
    responded_at         TEXT,
    closed_at            TEXT,
    hotspot              BOOLEAN NOT NULL DEFAULT FALSE,
    satisfied            BIGINT NOT NULL DEFAULT 0,
    unsatisfied          BIGINT NOT NULL DEFAULT 0,
    reopened             BIGINT NOT NULL DEFAULT 0,
    department_id        TEXT REFERENCES departments (code),
    acknowledge_deadline TEXT,
    anonymized_at        TEXT,
    photos_removed_at    TEXT,
    concern_id           TEXT
);
CREATE INDEX reports_by_reporter ON reports (reporter_id, change_seq);
CREATE INDEX reports_by_grid ON reports (grid_id, change_seq);
CREATE INDEX reports_by_change ON reports (change_seq);
CREATE INDEX reports_by_duplicate_of ON reports (duplicate_of) WHERE duplicate_of IS NOT NULL;
CREATE INDEX reports_open_by_category ON reports (category, received_at, lat, lon)
    WHERE status IN ('received', 'accepted', 'in_progress');
CREATE INDEX reports_duplicates_by_reporter ON reports (reporter_id, duplicate_of) WHERE duplicate_of IS NOT NULL;
CREATE INDEX reports_open_by_deadline ON reports (deadline, grid_id)
    WHERE status IN ('received', 'accepted', 'in_progress');
CREATE INDEX reports_by_department ON reports (department_id, change_seq) WHERE department_id IS NOT NULL;
CREATE INDEX reports_awaiting_acknowledgement ON reports (acknowledge_deadline, grid_id)
    WHERE acknowledge_deadline IS NOT NULL AND status IN ('received', 'accepted', 'in_progress');
CREATE INDEX reports_figures ON reports
    (received_at, grid_id, category, status, deadline, responded_at, closed_at, satisfied, unsatisfied,
     acknowledge_deadline);
-- Reports near a place (SQLite: the R*Tree report_places).
CREATE INDEX reports_by_place ON reports USING gist (box(point(lat, lon), point(lat, lon)))
    WHERE lat IS NOT NULL AND lon IS NOT NULL;

CREATE TABLE report_photos (
    report_id TEXT NOT NULL REFERENCES reports (id),
    sha256    TEXT NOT NULL REFERENCES photos (sha256),
    PRIMARY KEY (report_id, sha256)
);
CREATE INDEX report_photos_by_photo ON report_photos (sha256);

CREATE TABLE checkins (
    id            TEXT PRIMARY KEY NOT NULL,
    station_id    TEXT NOT NULL REFERENCES stations (id),
    rider_id      TEXT NOT NULL REFERENCES users (id),
    staff_id      TEXT NOT NULL REFERENCES users (id),
    fingerprint   TEXT NOT NULL,
    scanned_at    TEXT NOT NULL,
    scanned_step  BIGINT NOT NULL,
    received_at   TEXT NOT NULL,
    same_visit_as TEXT REFERENCES checkins (id),
    change_seq    BIGINT NOT NULL
);
CREATE INDEX checkins_by_station ON checkins (station_id, change_seq);
CREATE INDEX checkins_by_rider ON checkins (rider_id, change_seq);
CREATE INDEX checkins_by_change ON checkins (change_seq);
CREATE UNIQUE INDEX checkins_one_visit_per_code ON checkins (rider_id, scanned_step) WHERE same_visit_as IS NULL;

CREATE TABLE task_actions (
    id          TEXT PRIMARY KEY NOT NULL,
    report_id   TEXT NOT NULL REFERENCES reports (id),
    actor_id    TEXT NOT NULL REFERENCES users (id),
    fingerprint TEXT NOT NULL,
    kind        TEXT NOT NULL,
    applied_at  TEXT NOT NULL
);
CREATE INDEX task_actions_by_report ON task_actions (report_id);

CREATE TABLE pass_failures (
    staff_id   TEXT NOT NULL REFERENCES users (id),
    station_id TEXT NOT NULL,
    at         BIGINT NOT NULL,
    typed      BOOLEAN NOT NULL
);
CREATE INDEX pass_failures_by_staff ON pass_failures (staff_id, at);

CREATE TABLE audit_log (
    id       BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    summary  TEXT NOT NULL
);

CREATE TABLE warning_history (
    id      BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    grid_id TEXT NOT NULL REFERENCES grids (id),
    color   TEXT NOT NULL CHECK (color IN ('green', 'yellow', 'red')),
    reasons TEXT NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX warning_history_by_grid ON warning_history (grid_id, at);

CREATE TABLE verdicts (
    id          TEXT PRIMARY KEY,
    report_id   TEXT NOT NULL REFERENCES reports (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    resolution  BIGINT NOT NULL,
    verdict     TEXT NOT NULL CHECK (verdict IN ('satisfied', 'unsatisfied')),
    comment     TEXT,
    fingerprint TEXT NOT NULL,
    at          TEXT NOT NULL,
    UNIQUE (report_id, user_id, resolution)
);
CREATE INDEX verdicts_by_time ON verdicts (at);

CREATE TABLE task_calls (
    report_id     TEXT NOT NULL REFERENCES reports (id),
    department_id TEXT NOT NULL REFERENCES departments (code),
    PRIMARY KEY (department_id, report_id)
);

CREATE TABLE backups (
    id      BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at      TEXT NOT NULL,
    file    TEXT NOT NULL,
    bytes   BIGINT NOT NULL,
    sha256  TEXT NOT NULL
);

CREATE TABLE server_epoch (
    id     BIGINT PRIMARY KEY CHECK (id = 1),
    epoch  TEXT NOT NULL
);
INSERT INTO server_epoch (id, epoch) VALUES (1, md5(random()::text || clock_timestamp()::text));

CREATE TABLE concerns (
    id             TEXT PRIMARY KEY NOT NULL,
    rider_id       TEXT NOT NULL REFERENCES users (id),
    raised_by      TEXT NOT NULL REFERENCES users (id),
    fingerprint    TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('difficulty', 'suggestion')),
    topic          TEXT NOT NULL REFERENCES concern_topics (code),
    text           TEXT NOT NULL,
    station_id     TEXT NOT NULL REFERENCES stations (id),
    photos         TEXT NOT NULL,
    lat            DOUBLE PRECISION,
    lon            DOUBLE PRECISION,
    status         TEXT NOT NULL CHECK (status IN ('received', 'accepted', 'resolved', 'adopted', 'declined')),
    version        BIGINT NOT NULL,
    received_at    TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    reply_deadline TEXT NOT NULL,
    replied_at     TEXT,
    closed_at      TEXT,
    timeline       TEXT NOT NULL,
    task_id        TEXT REFERENCES reports (id),
    department_id  TEXT,
    points_awarded BIGINT NOT NULL DEFAULT 0,
    reopened       BIGINT NOT NULL DEFAULT 0,
    satisfied      BIGINT NOT NULL DEFAULT 0,
    unsatisfied    BIGINT NOT NULL DEFAULT 0,
    change_seq     BIGINT NOT NULL
);
ALTER TABLE reports ADD FOREIGN KEY (concern_id) REFERENCES concerns (id);
CREATE INDEX concerns_by_rider ON concerns (rider_id, change_seq);
CREATE INDEX concerns_by_station ON concerns (station_id, change_seq);
CREATE INDEX concerns_by_change ON concerns (change_seq);
CREATE INDEX concerns_by_received ON concerns (received_at, station_id, topic);
CREATE INDEX concerns_by_department ON concerns (department_id, change_seq);

CREATE TABLE concern_photos (
    concern_id TEXT NOT NULL REFERENCES concerns (id),
    sha256     TEXT NOT NULL REFERENCES photos (sha256),
    PRIMARY KEY (concern_id, sha256)
);

CREATE TABLE concern_actions (
    id          TEXT PRIMARY KEY NOT NULL,
    concern_id  TEXT NOT NULL REFERENCES concerns (id),
    actor_id    TEXT NOT NULL REFERENCES users (id),
    fingerprint TEXT NOT NULL,
    kind        TEXT NOT NULL,
    applied_at  TEXT NOT NULL
);
CREATE INDEX concern_actions_by_concern ON concern_actions (concern_id);

CREATE TABLE concern_verdicts (
    id          TEXT PRIMARY KEY NOT NULL,
    concern_id  TEXT NOT NULL REFERENCES concerns (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    resolution  BIGINT NOT NULL,
    verdict     TEXT NOT NULL CHECK (verdict IN ('satisfied', 'unsatisfied')),
    comment     TEXT,
    fingerprint TEXT NOT NULL,
    at          TEXT NOT NULL,
    UNIQUE (concern_id, user_id, resolution)
);

CREATE TABLE points (
    user_id    TEXT NOT NULL REFERENCES users (id),
    report_id  TEXT NOT NULL,
    reason     TEXT NOT NULL,
    points     BIGINT NOT NULL,
    awarded_at TEXT NOT NULL,
    PRIMARY KEY (report_id, reason)
);
CREATE INDEX points_by_user ON points (user_id, awarded_at);
