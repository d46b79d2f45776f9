-- A report rejected as a duplicate names the report it duplicates; its reporter may then follow that one.
ALTER TABLE reports ADD COLUMN duplicate_of TEXT REFERENCES reports (id);
CREATE INDEX reports_by_duplicate_of ON reports (duplicate_of) WHERE duplicate_of IS NOT NULL;
