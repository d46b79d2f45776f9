-- Where reports are, as an R*Tree (a box per report: its point): whether a place is a recurring hotspot asks for
-- the reports of any status around it in 30 days, and by time alone that read every report of the month (the
-- storm benchmark, spread over the district: the PUT slowed with every round). Kept by triggers, so every writer
-- of reports keeps it without knowing.
CREATE VIRTUAL TABLE report_places USING rtree(id, min_lat, max_lat, min_lon, max_lon);
INSERT INTO report_places SELECT rowid, lat, lat, lon, lon FROM reports WHERE lat IS NOT NULL AND lon IS NOT NULL;
CREATE TRIGGER report_places_insert AFTER INSERT ON reports
    WHEN NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL
BEGIN
    INSERT INTO report_places VALUES (NEW.rowid, NEW.lat, NEW.lat, NEW.lon, NEW.lon);
END;
CREATE TRIGGER report_places_update AFTER UPDATE OF lat, lon ON reports
BEGIN
    DELETE FROM report_places WHERE id = OLD.rowid;
    INSERT INTO report_places SELECT NEW.rowid, NEW.lat, NEW.lat, NEW.lon, NEW.lon
        WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL;
END;
CREATE TRIGGER report_places_delete AFTER DELETE ON reports
BEGIN
    DELETE FROM report_places WHERE id = OLD.rowid;
END;
