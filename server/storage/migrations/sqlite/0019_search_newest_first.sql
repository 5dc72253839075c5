-- Search lists the newest documents first. FTS5 walks a doclist in rowid order quickly but in
-- reverse slowly (it cannot use the doclist index to skip ahead), and every query ANDs the
-- tenant's doclist, which in a large tenant holds most documents. The index now keys each
-- document by the negated doc_id, so "newest first" is ascending rowid order.
-- Rebuilt through a plain table rather than ALTER TABLE ... RENAME, which opens the temporary
-- database on the connection and so fixes its temp_store setting for the process.
CREATE TABLE search_fts_rebuild (doc_id INTEGER PRIMARY KEY, tenant_key TEXT, body TEXT);
INSERT INTO search_fts_rebuild (doc_id, tenant_key, body)
SELECT rowid, tenant_key, body FROM search_fts;
DROP TABLE search_fts;
CREATE VIRTUAL TABLE search_fts USING fts5(
    tenant_key, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
);
INSERT INTO search_fts (rowid, tenant_key, body)
SELECT -doc_id, tenant_key, body FROM search_fts_rebuild ORDER BY doc_id DESC;
DROP TABLE search_fts_rebuild;
INSERT INTO search_fts (search_fts) VALUES ('optimize');
