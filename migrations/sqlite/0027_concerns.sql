-- Riders' own concerns (青亲暖新): difficulties (困难诉求) and suggestions (金点子), raised from the phone or at a
-- station's counter, answered by the station's staff and fed back to the rider.

-- The topics a concern may have: the district's list (`suishoupai import concern-topics`; these seven until it
-- loads its own).
CREATE TABLE concern_topics (
    code     TEXT PRIMARY KEY NOT NULL,
    name_zh  TEXT NOT NULL,
    name_en  TEXT NOT NULL,
    position   INTEGER NOT NULL,
    retired_at TEXT,
    change_seq INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO concern_topics (code, name_zh, name_en, position) VALUES
    ('entry', '小区进门难', 'Getting into compounds', 1),
    ('charging', '充电', 'Charging', 2),
    ('parking', '停车', 'Parking', 3),
    ('rest', '休息', 'Rest', 4),
    ('rights', '权益保障', 'Rights and protection', 5),
    ('traffic', '交通', 'Traffic', 6),
    ('other', '其他', 'Other', 7);

CREATE TABLE concerns (
    id             TEXT PRIMARY KEY NOT NULL,   -- made on the phone; unique forever
    rider_id       TEXT NOT NULL REFERENCES users (id),
    raised_by      TEXT NOT NULL REFERENCES users (id), -- the rider, or the staff at the counter
    fingerprint    TEXT NOT NULL,               -- SHA-256 of the canonical submitted content
    kind           TEXT NOT NULL CHECK (kind IN ('difficulty', 'suggestion')),
    topic          TEXT NOT NULL REFERENCES concern_topics (code),
    text           TEXT NOT NULL,
    station_id     TEXT NOT NULL REFERENCES stations (id),
    photos         TEXT NOT NULL,               -- JSON array of SHA-256 hashes
    lat            REAL,
    lon            REAL,
    status         TEXT NOT NULL CHECK (status IN ('received', 'accepted', 'resolved', 'adopted', 'declined')),
    version        INTEGER NOT NULL,
    received_at    TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    reply_deadline TEXT NOT NULL,
    replied_at     TEXT,                        -- the first answer that reached the rider
    closed_at      TEXT,
    timeline       TEXT NOT NULL,               -- JSON array of steps
    task_id        TEXT REFERENCES reports (id), -- forwarded to a grid: the task it became
    department_id  TEXT,
    points_awarded INTEGER NOT NULL DEFAULT 0,
    reopened       INTEGER NOT NULL DEFAULT 0,  -- reopened by its rider's 不满意 (once at most)
    satisfied      INTEGER NOT NULL DEFAULT 0,  -- its rider's verdicts over its resolutions
    unsatisfied    INTEGER NOT NULL DEFAULT 0,
    change_seq     INTEGER NOT NULL
) STRICT;
CREATE INDEX concerns_by_rider ON concerns (rider_id, change_seq);
CREATE INDEX concerns_by_station ON concerns (station_id, change_seq);
CREATE INDEX concerns_by_change ON concerns (change_seq);
CREATE INDEX concerns_by_received ON concerns (received_at, station_id, topic);

CREATE TABLE concern_photos (
    concern_id TEXT NOT NULL REFERENCES concerns (id),
    sha256     TEXT NOT NULL REFERENCES photos (sha256),
    PRIMARY KEY (concern_id, sha256)
) STRICT, WITHOUT ROWID;

CREATE TABLE concern_actions (
    id          TEXT PRIMARY KEY NOT NULL,      -- made on the staff's phone; unique forever
    concern_id  TEXT NOT NULL REFERENCES concerns (id),
    actor_id    TEXT NOT NULL REFERENCES users (id),
    fingerprint TEXT NOT NULL,
    kind        TEXT NOT NULL,
    applied_at  TEXT NOT NULL
) STRICT;
CREATE INDEX concern_actions_by_concern ON concern_actions (concern_id);

-- The rider's verdict (满意 / 不满意) on each closing of their concern, as for reports.
CREATE TABLE concern_verdicts (
    id          TEXT PRIMARY KEY NOT NULL,
    concern_id  TEXT NOT NULL REFERENCES concerns (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    resolution  INTEGER NOT NULL,
    verdict     TEXT NOT NULL CHECK (verdict IN ('satisfied', 'unsatisfied')),
    comment     TEXT,
    fingerprint TEXT NOT NULL,
    at          TEXT NOT NULL,
    UNIQUE (concern_id, user_id, resolution)
) STRICT;

-- A task made from a concern names it: the link runs both ways.
ALTER TABLE reports ADD COLUMN concern_id TEXT REFERENCES concerns (id);

-- 新星奖 points now also reward adopted suggestions: `report_id` holds the report's or the concern's id (both are
-- UUIDs made on phones), so the column no longer refers to reports alone.
CREATE TABLE points_new (
    user_id    TEXT NOT NULL REFERENCES users (id),
    report_id  TEXT NOT NULL,
    reason     TEXT NOT NULL,
    points     INTEGER NOT NULL,
    awarded_at TEXT NOT NULL,
    PRIMARY KEY (report_id, reason)
) STRICT;
INSERT INTO points_new SELECT user_id, report_id, reason, points, awarded_at FROM points;
DROP TABLE points;
ALTER TABLE points_new RENAME TO points;
CREATE INDEX points_by_user ON points (user_id, awarded_at);
