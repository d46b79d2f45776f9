-- The change feed shows a rider the originals of their reports rejected as duplicates. Finding them through the
-- rider's reports read every one of those rows on every pull (most riders have none); a partial index holds just
-- the duplicates, by reporter.
CREATE INDEX reports_duplicates_by_reporter ON reports (reporter_id, duplicate_of) WHERE duplicate_of IS NOT NULL;
