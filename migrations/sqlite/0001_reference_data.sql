-- Reference data every phone keeps a copy of: report categories, 暖心驿站 stations, 网格 grids.
CREATE TABLE categories (
    code        TEXT PRIMARY KEY NOT NULL,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    sort_order  INTEGER NOT NULL,
    demo        INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE stations (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL,
    lat         REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon         REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    hours       TEXT NOT NULL,
    amenities   TEXT NOT NULL DEFAULT '[]', -- JSON array of amenity codes
    demo        INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE grids (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    polygon     TEXT NOT NULL, -- JSON array of {"lat", "lon"}
    demo        INTEGER NOT NULL DEFAULT 0
) STRICT;
