-- Check-ins at 暖心驿站, confirmed from a rider's pass read by the station's staff.
CREATE TABLE checkins (
    id            TEXT PRIMARY KEY NOT NULL,   -- made on the staff's phone; unique forever
    station_id    TEXT NOT NULL REFERENCES stations (id),
    rider_id      TEXT NOT NULL REFERENCES users (id),
    staff_id      TEXT NOT NULL REFERENCES users (id),
    fingerprint   TEXT NOT NULL,               -- SHA-256 of the submitted content
    scanned_at    TEXT NOT NULL,
    scanned_step  INTEGER NOT NULL,            -- the pass window of scanned_at
    received_at   TEXT NOT NULL,
    same_visit_as TEXT REFERENCES checkins (id),
    change_seq    INTEGER NOT NULL
) STRICT;
-- A rider counts once per station and window.
CREATE UNIQUE INDEX checkins_one_visit_per_window ON checkins (rider_id, station_id, scanned_step)
    WHERE same_visit_as IS NULL;
CREATE INDEX checkins_by_station ON checkins (station_id, change_seq);
CREATE INDEX checkins_by_rider ON checkins (rider_id, change_seq);
