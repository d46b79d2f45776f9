-- Every change of a grid's 红黄绿 colour, with its reasons: the dashboard shows a grid moving red → yellow → green
-- (降级转化) over months from these rows.
CREATE TABLE warning_history (
    grid_id TEXT NOT NULL REFERENCES grids (id),
    color   TEXT NOT NULL CHECK (color IN ('green', 'yellow', 'red')),
    reasons TEXT NOT NULL,   -- JSON array of the reasons in words
    at      TEXT NOT NULL
) STRICT;
CREATE INDEX warning_history_by_grid ON warning_history (grid_id, at);
