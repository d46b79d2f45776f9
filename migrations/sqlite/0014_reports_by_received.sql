-- Reports by when they were received: the district's exports and figures read a period of days.
CREATE INDEX reports_by_received ON reports (received_at);
