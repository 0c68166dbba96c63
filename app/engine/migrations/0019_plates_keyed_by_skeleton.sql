-- The distinct plates keyed by (skeleton, plate) in one B-tree (issue 17). Since 0017 they
-- were two: the table keyed by plate and an index on its skeleton, so a new plate went into
-- two B-trees at random pages. A day's sync of 50,000 new plates into 20 million reads wrote
-- nearly every page of both, and in the encrypted store each page costs a decrypt and an
-- encrypt: the day's inserts wrote 46 MB less to the WAL and took 1.55 s instead of 1.66 s
-- once the plates were kept by the key similar search uses. Uniqueness of the pair
-- is uniqueness of the plate, the skeleton being a function of it. A generated column cannot be
-- in a primary key, so the skeleton is written by whoever adds a plate, always with the SQL
-- plates.skeleton_sql makes (the sync, the rebuild after a bulk load, the reads' triggers
-- below); tests/test_search.py holds each of them to plates.skeleton. No CHECK repeats it: evaluating
-- the nine replace() calls again cost 0.9 us a plate, 10 s of a first sync of 11 million new
-- plates. Partial search and wildcards with three literals in a row go through the trigram
-- index, which keeps its own copy of each plate; other wildcards look up the range of
-- skeletons the pattern's leading literals give (search.py).
-- A first sync cut short keeps the SQL of the reads' triggers and indexes it dropped in
-- sync_state (sync_apply.drop_read_indexes), to be rebuilt at the next sync: the triggers may
-- be gone, and the old triggers' SQL and that of 0017's reads_skel must not come back.
DROP TRIGGER IF EXISTS reads_plate_index;
DROP TRIGGER IF EXISTS reads_plate_index_update;
UPDATE sync_state SET value = (SELECT json_group_array(json(j.value)) FROM json_each(sync_state.value) AS j
    WHERE j.value ->> 0 NOT IN ('reads_plate_index', 'reads_plate_index_update', 'reads_skel'))
    WHERE key = 'bulk.indexes';
CREATE TABLE plate_skeletons (
    skel  TEXT NOT NULL,
    plate TEXT NOT NULL,
    PRIMARY KEY (skel, plate)
) WITHOUT ROWID;
INSERT INTO plate_skeletons(skel, plate) SELECT skel, plate FROM plate_index ORDER BY skel, plate;
DROP TABLE plate_index;
ALTER TABLE plate_skeletons RENAME TO plate_index;
CREATE TRIGGER plate_index_trigrams AFTER INSERT ON plate_index BEGIN
    INSERT INTO plate_trigrams(plate) VALUES (new.plate); END;
CREATE TRIGGER reads_plate_index AFTER INSERT ON reads BEGIN
    INSERT INTO plate_index(skel, plate) VALUES (replace(replace(replace(replace(replace(
        replace(replace(replace(replace(new.plate, 'O', '0'), 'D', '0'), 'Q', '0'), 'I', '1'), 'L', '1'),
        'B', '8'), 'S', '5'), 'Z', '2'), 'G', '6'), new.plate) ON CONFLICT DO NOTHING; END;
CREATE TRIGGER reads_plate_index_update AFTER UPDATE OF plate ON reads BEGIN
    INSERT INTO plate_index(skel, plate) VALUES (replace(replace(replace(replace(replace(
        replace(replace(replace(replace(new.plate, 'O', '0'), 'D', '0'), 'Q', '0'), 'I', '1'), 'L', '1'),
        'B', '8'), 'S', '5'), 'Z', '2'), 'G', '6'), new.plate) ON CONFLICT DO NOTHING; END
