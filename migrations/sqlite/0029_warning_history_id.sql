-- The grids' colour history gets an explicit id (SQLite's rowid until now), the order of entries recorded at the
-- same moment; PostgreSQL, which has no rowid, has the same column.
CREATE TABLE warning_history_new (
    id      INTEGER PRIMARY KEY,
    grid_id TEXT NOT NULL REFERENCES grids (id),
    color   TEXT NOT NULL CHECK (color IN ('green', 'yellow', 'red')),
    reasons TEXT NOT NULL,   -- JSON array of the reasons in words
    at      TEXT NOT NULL
) STRICT;
INSERT INTO warning_history_new (id, grid_id, color, reasons, at)
    SELECT rowid, grid_id, color, reasons, at FROM warning_history;
DROP TABLE warning_history;
ALTER TABLE warning_history_new RENAME TO warning_history;
CREATE INDEX warning_history_by_grid ON warning_history (grid_id, at);
