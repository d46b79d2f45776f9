-- The district's figures read a period's reports from this index alone — every column they use is in it — so a
-- year of a big district's reports is one pass over the index with no lookup in the table per report. It starts
-- with received_at, so it also serves every other read of a period (the export) and replaces the index on
-- received_at alone.
CREATE INDEX reports_figures ON reports (received_at, grid_id, category, status, deadline, responded_at, closed_at);
DROP INDEX reports_by_received;
