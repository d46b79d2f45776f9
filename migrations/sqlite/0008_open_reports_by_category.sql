-- The possible-duplicate lookup (src/server/reports.rs, run for every report the API serves) wants the open reports
-- of one category in a 7-day window. Through reports_by_category it read every report of that window, resolved ones
-- included (most of them, once a district has a history): with 1,000,000 reports a grid's full sync spent seconds
-- there (scripts/bench.sh, growth). Open reports only, by category and time, instead.
DROP INDEX reports_by_category;
CREATE INDEX reports_open_by_category ON reports (category, received_at)
    WHERE status IN ('received', 'accepted', 'in_progress');
