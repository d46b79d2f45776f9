-- Finding possible duplicates: recent reports of one category.
CREATE INDEX reports_by_category ON reports (category, received_at);
