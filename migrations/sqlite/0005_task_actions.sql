-- What grid workers did with tasks (each action once, by its id) and the 新星奖 points it earned reporters.
CREATE TABLE task_actions (
    id          TEXT PRIMARY KEY NOT NULL,   -- made on the worker's phone; unique forever
    report_id   TEXT NOT NULL REFERENCES reports (id),
    actor_id    TEXT NOT NULL REFERENCES users (id),
    fingerprint TEXT NOT NULL,
    kind        TEXT NOT NULL,
    applied_at  TEXT NOT NULL
) STRICT;
CREATE INDEX task_actions_by_report ON task_actions (report_id);

CREATE TABLE points (
    user_id    TEXT NOT NULL REFERENCES users (id),
    report_id  TEXT NOT NULL REFERENCES reports (id),
    reason     TEXT NOT NULL,
    points     INTEGER NOT NULL,
    awarded_at TEXT NOT NULL,
    PRIMARY KEY (report_id, reason)          -- each reason at most once per report
) STRICT;
CREATE INDEX points_by_user ON points (user_id, awarded_at);
