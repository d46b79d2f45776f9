-- Open tasks by deadline: the overdue ones (红黄绿, the figures) are a range of this index, not a scan of every
-- report ever received.
CREATE INDEX reports_open_by_deadline ON reports (deadline, grid_id)
    WHERE status IN ('received', 'accepted', 'in_progress');
