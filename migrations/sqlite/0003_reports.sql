-- 随手拍 reports, their content-addressed photos, and the change feed's commit-order counter.

-- One counter for the whole change feed. Every write that phones must hear about takes the next value inside its
-- own transaction; SQLite runs one writer at a time, so the values follow commit order and a reader paging with
-- `change_seq > cursor` never skips a change.
CREATE TABLE feed_counter (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL
) STRICT;
INSERT INTO feed_counter (id, seq) VALUES (1, 0);

CREATE TABLE photos (
    sha256       TEXT PRIMARY KEY NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    bytes        BLOB NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;

-- Who uploaded which photo (the same bytes may come from several people).
CREATE TABLE photo_uploads (
    sha256  TEXT NOT NULL REFERENCES photos (sha256),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (sha256, user_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE reports (
    id              TEXT PRIMARY KEY NOT NULL,  -- made on the phone; unique forever
    reporter_id     TEXT NOT NULL REFERENCES users (id),
    fingerprint     TEXT NOT NULL,              -- SHA-256 of the canonical submitted content
    submitted       TEXT NOT NULL,              -- the canonical submitted content, JSON
    category        TEXT NOT NULL REFERENCES categories (code),
    grid_id         TEXT REFERENCES grids (id),
    grid_by_nearest INTEGER NOT NULL DEFAULT 0, -- outside every grid: routed to the nearest, for admins to check
    status          TEXT NOT NULL,
    level           INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
    version         INTEGER NOT NULL,
    received_at     TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    deadline        TEXT,
    timeline        TEXT NOT NULL,              -- JSON array of timeline entries
    points_awarded  INTEGER NOT NULL DEFAULT 0,
    change_seq      INTEGER NOT NULL
) STRICT;
CREATE INDEX reports_by_reporter ON reports (reporter_id, change_seq);
CREATE INDEX reports_by_grid ON reports (grid_id, change_seq);
CREATE INDEX reports_by_change ON reports (change_seq);

CREATE TABLE report_photos (
    report_id TEXT NOT NULL REFERENCES reports (id),
    sha256    TEXT NOT NULL REFERENCES photos (sha256),
    PRIMARY KEY (report_id, sha256)
) STRICT, WITHOUT ROWID;
CREATE INDEX report_photos_by_photo ON report_photos (sha256);

-- Reference data joins the feed: each row gets its own place in commit order.
ALTER TABLE categories ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stations ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
UPDATE categories SET change_seq = rowid;
UPDATE stations SET change_seq = (SELECT COUNT(*) FROM categories) + rowid;
UPDATE feed_counter SET seq = (SELECT COUNT(*) FROM categories) + (SELECT COUNT(*) FROM stations);
CREATE INDEX categories_by_change ON categories (change_seq);
CREATE INDEX stations_by_change ON stations (change_seq);
