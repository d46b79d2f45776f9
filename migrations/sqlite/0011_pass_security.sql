-- A pass code is one visit wherever it is shown: check-ins are keyed on the step the code belongs to (not the
-- step of scanned_at), across all stations. Earlier rows that break this become second scans of the first.
UPDATE checkins SET same_visit_as = (
        SELECT f.id FROM checkins f
        WHERE f.rider_id = checkins.rider_id AND f.scanned_step = checkins.scanned_step AND f.rowid < checkins.rowid
        ORDER BY f.rowid LIMIT 1)
    WHERE same_visit_as IS NULL AND EXISTS (
        SELECT 1 FROM checkins f
        WHERE f.rider_id = checkins.rider_id AND f.scanned_step = checkins.scanned_step AND f.rowid < checkins.rowid);
DROP INDEX checkins_one_visit_per_window;
CREATE UNIQUE INDEX checkins_one_visit_per_code ON checkins (rider_id, scanned_step) WHERE same_visit_as IS NULL;

-- Passes that station staff sent and the server refused: counted to stop guessing, kept for the admin.
CREATE TABLE pass_failures (
    staff_id   TEXT NOT NULL REFERENCES users (id),
    station_id TEXT NOT NULL,
    at         INTEGER NOT NULL,    -- unix seconds
    typed      INTEGER NOT NULL     -- 1: a typed code, 0: a QR pass
) STRICT;
CREATE INDEX pass_failures_by_staff ON pass_failures (staff_id, at);
