-- Retention: closed reports older than the retention period keep their figures but no longer name who reported
-- them (they point at the placeholder user `anonymous`, made by the first run that needs it).
-- Which reports have been made anonymous, for the retention job to skip.
ALTER TABLE reports ADD COLUMN anonymized_at TEXT;
-- Photos go after their own period: reports whose photos were removed.
ALTER TABLE reports ADD COLUMN photos_removed_at TEXT;
