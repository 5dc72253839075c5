-- Search lists the newest documents first. FTS5 walks a doclist in rowid order quickly but in
-- reverse slowly (it cannot use the doclist index to skip ahead), and every query ANDs the
-- tenant's doclist, which in a large tenant holds most documents. The index now keys each
-- document by the negated doc_id, so "newest first" is ascending rowid order.
CREATE VIRTUAL TABLE search_fts_ascending USING fts5(
    tenant_key, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
);
INSERT INTO search_fts_ascending (rowid, tenant_key, body)
SELECT -rowid, tenant_key, body FROM search_fts ORDER BY rowid DESC;
DROP TABLE search_fts;
ALTER TABLE search_fts_ascending RENAME TO search_fts;
INSERT INTO search_fts (search_fts) VALUES ('optimize');
