-- The reporter's verdict on a resolved report (满意 / 不满意): one per person per resolution (`resolution` counts
-- the report's resolutions: 1, then 2 after a reopening). A report keeps its counts for the figures, which read
-- them from the figures' covering index, and how often a verdict reopened it (once at most).
CREATE TABLE verdicts (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    resolution INTEGER NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('satisfied', 'unsatisfied')),
    comment TEXT,
    fingerprint TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (report_id, user_id, resolution)
);
CREATE INDEX verdicts_by_time ON verdicts (at);

ALTER TABLE reports ADD COLUMN satisfied INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN unsatisfied INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN reopened INTEGER NOT NULL DEFAULT 0;

DROP INDEX reports_figures;
CREATE INDEX reports_figures ON reports
    (received_at, grid_id, category, status, deadline, responded_at, closed_at, satisfied, unsatisfied);
