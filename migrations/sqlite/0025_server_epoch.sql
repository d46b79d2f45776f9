-- Which life of the database this is: a restore from a backup starts a new one. Phones see it in the change feed
-- and send again what they had delivered (the restored database may lack what came after the backup).
CREATE TABLE server_epoch (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    epoch  TEXT NOT NULL
) STRICT;
INSERT INTO server_epoch (id, epoch) VALUES (1, lower(hex(randomblob(8))));
