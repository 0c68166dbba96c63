-- A two-year city on one workstation (issue 17). Sync brings every read's metadata; images come
-- for the prefetch window and hits, and otherwise from the city server when someone views a
-- read. The images table stays what it was (inside the encrypted file) and becomes a cache with
-- a size budget: viewed_at orders it for eviction, least recently viewed first (image_cache.py).
ALTER TABLE images ADD COLUMN viewed_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX images_lru ON images(viewed_at, size);

-- Distinct plates and their three-character pieces, so a partial search of 3+ characters looks
-- up the plates holding one piece instead of scanning every plate of two years (search.py).
-- Kept by triggers, whoever writes reads (a body ends on its END line: migrations split at ';'
-- and a newline). A plate whose reads are gone stays (harmless: the search finds no read of it).
CREATE TABLE plate_index (plate TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE plate_grams (
    gram  TEXT NOT NULL,
    plate TEXT NOT NULL,
    PRIMARY KEY (gram, plate)
) WITHOUT ROWID;
CREATE TABLE plate_gram_pos (n INTEGER PRIMARY KEY);
INSERT INTO plate_gram_pos(n) VALUES (1), (2), (3), (4), (5), (6), (7), (8);

CREATE TRIGGER plate_index_grams AFTER INSERT ON plate_index BEGIN
    INSERT OR IGNORE INTO plate_grams(gram, plate)
        SELECT substr(new.plate, n, 3), new.plate FROM plate_gram_pos WHERE n + 2 <= length(new.plate); END;
CREATE TRIGGER reads_plate_index AFTER INSERT ON reads BEGIN
    INSERT OR IGNORE INTO plate_index(plate) VALUES (new.plate); END;
CREATE TRIGGER reads_plate_index_update AFTER UPDATE OF plate ON reads BEGIN
    INSERT OR IGNORE INTO plate_index(plate) VALUES (new.plate); END;
INSERT INTO plate_index(plate) SELECT DISTINCT plate FROM reads;
