-- The scheduled backups that were written whole (serve --backup-dir): the console and /health show the newest.
CREATE TABLE backups (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    file    TEXT NOT NULL,
    bytes   INTEGER NOT NULL,
    sha256  TEXT NOT NULL
) STRICT;
