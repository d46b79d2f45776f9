-- Possible duplicates are found once, when a report is received, and kept (JSON array of ids; NULL for reports
-- received before this migration, whose list is still found when they are read). The lookup narrows the open
-- reports of a category and week to a box around the place through an index that holds the coordinates, instead
-- of parsing each report's JSON (scripts/bench.sh: catch-up pulls and a grid's full sync spent their time there).
ALTER TABLE reports ADD COLUMN lat REAL;
ALTER TABLE reports ADD COLUMN lon REAL;
ALTER TABLE reports ADD COLUMN possible_duplicates TEXT;
UPDATE reports SET lat = json_extract(submitted, '$.lat'), lon = json_extract(submitted, '$.lon');
DROP INDEX reports_open_by_category;
CREATE INDEX reports_open_by_category ON reports (category, received_at, lat, lon)
    WHERE status IN ('received', 'accepted', 'in_progress');

-- The change feed reads every check-in after a cursor for admins: in commit order, through an index.
CREATE INDEX checkins_by_change ON checkins (change_seq);
