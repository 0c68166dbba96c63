-- Street map and vehicle details (issue 15, parts 6 and 8).

-- What the camera's vendor said of the vehicle (app/engine/vehicles.py): make, colour and body
-- type as text, NULL where it said nothing. We recognise no vehicles ourselves.
ALTER TABLE reads ADD COLUMN vehicle_make TEXT;
ALTER TABLE reads ADD COLUMN vehicle_color TEXT;
ALTER TABLE reads ADD COLUMN vehicle_body TEXT;

-- The city's street centre-lines as its GIS exported them (GeoJSON or GeoPackage), imported
-- once so the map draws offline (app/engine/streets/). One layer at a time: a new import
-- replaces the old one in the same transaction. Set-up data, no ALPR data.
CREATE TABLE street_layer (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    source_file TEXT    NOT NULL,                       -- the file's name, as imported
    sha256      TEXT    NOT NULL,                       -- of the file's bytes
    format      TEXT    NOT NULL CHECK (format IN ('geojson', 'gpkg')),
    segments    INTEGER NOT NULL,
    imported_at INTEGER NOT NULL,
    imported_by TEXT    NOT NULL
);

-- One centre-line: WGS84 points as JSON [[lon, lat], ...] (GeoJSON's order), at least two.
CREATE TABLE street_segments (
    id     INTEGER PRIMARY KEY,
    name   TEXT,
    points TEXT    NOT NULL
)
