-- Similar search looks up skeletons among the distinct plates instead of among the reads
-- (issue 17): a two-year city has about one distinct plate for every eight reads, so the
-- reads' skeleton column and its index were the largest thing a first sync wrote that no other
-- search needs (about 0.5 GB at 20 million reads, and a tenth of the first sync's time).
-- The skeleton is a virtual column of plate_index, computed by SQLite from the plate with the
-- confusion groups of plates.py (0ODQ, 1IL, 8B, 5S, 2Z, 6G, each to its first character), so
-- whoever writes a plate cannot write a wrong skeleton; tests/test_search.py holds the two to
-- the same mapping. Dropping the column rewrites the reads table (store.py asks for the room).
-- (IF EXISTS: a first sync cut short may have dropped it, see 0019)
DROP INDEX IF EXISTS reads_skel;
ALTER TABLE reads DROP COLUMN plate_skel;
ALTER TABLE plate_index ADD COLUMN skel TEXT GENERATED ALWAYS AS (
    replace(replace(replace(replace(replace(replace(replace(replace(replace(
        plate, 'O', '0'), 'D', '0'), 'Q', '0'), 'I', '1'), 'L', '1'), 'B', '8'), 'S', '5'),
        'Z', '2'), 'G', '6')) VIRTUAL;
CREATE INDEX plate_index_skel ON plate_index(skel);
