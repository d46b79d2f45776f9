-- The concerns forwarded to a department reach its staff through the change feed, read by this index.
CREATE INDEX concerns_by_department ON concerns (department_id, change_seq);
