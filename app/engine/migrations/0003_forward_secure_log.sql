-- The access log's forward-secure MACs (accesslog.py): each entry's MAC under a key that
-- evolves at every entry; the head keeps only the next key. Entries written before this
-- migration keep a NULL mac and are checked for their links only.
ALTER TABLE access_log ADD COLUMN mac TEXT;
ALTER TABLE access_log_head ADD COLUMN next_key BLOB;
