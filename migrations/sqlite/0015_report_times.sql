-- When each task was first answered (its first action other than a note) and when it was closed (resolved or
-- rejected): the district's figures read the times to respond and to resolve from these columns instead of from
-- every timeline. Filled from the timelines already kept.
ALTER TABLE reports ADD COLUMN responded_at TEXT;
ALTER TABLE reports ADD COLUMN closed_at TEXT;
UPDATE reports SET responded_at = (
    SELECT min(json_extract(e.value, '$.at')) FROM json_each(reports.timeline) e
    WHERE CASE WHEN json_extract(e.value, '$.kind') IS NULL
               THEN json_extract(e.value, '$.status') <> 'received'
               ELSE json_extract(e.value, '$.kind') <> 'note' END
);
UPDATE reports SET closed_at = (
    SELECT max(json_extract(e.value, '$.at')) FROM json_each(reports.timeline) e
    WHERE json_extract(e.value, '$.status') IN ('resolved', 'rejected')
) WHERE status IN ('resolved', 'rejected');
