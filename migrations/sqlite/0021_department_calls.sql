-- 部门联处 · 吹哨报到: the department called to a task and, until it answers (报到), by when it must. A missed
-- 报到 is overdue like a missed deadline: the figures read it from their covering index, the warnings from the
-- partial index of tasks waiting for a department. The 清单 may set the hours a department has to answer.
ALTER TABLE reports ADD COLUMN department_id TEXT REFERENCES departments (code);
ALTER TABLE reports ADD COLUMN acknowledge_deadline TEXT;
ALTER TABLE categories ADD COLUMN acknowledge_hours INTEGER;

-- The tasks called to a department, for its staff's feed and list.
CREATE INDEX reports_by_department ON reports (department_id, change_seq) WHERE department_id IS NOT NULL;
CREATE INDEX reports_awaiting_acknowledgement ON reports (acknowledge_deadline, grid_id)
    WHERE acknowledge_deadline IS NOT NULL AND status IN ('received', 'accepted', 'in_progress');

DROP INDEX reports_figures;
CREATE INDEX reports_figures ON reports
    (received_at, grid_id, category, status, deadline, responded_at, closed_at, satisfied, unsatisfied,
     acknowledge_deadline);

-- Every department ever called to a task: its staff see the task (and get it in their feed) from the call on,
-- also after handing it back.
CREATE TABLE task_calls (
    report_id     TEXT NOT NULL REFERENCES reports (id),
    department_id TEXT NOT NULL REFERENCES departments (code),
    PRIMARY KEY (department_id, report_id)
) STRICT, WITHOUT ROWID;
