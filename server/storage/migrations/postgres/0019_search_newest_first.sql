-- SQLite only: its FTS5 index now keys documents by the negated doc_id (see the SQLite
-- migration). PostgreSQL reads search_docs by its B-tree on doc_id in either direction.
SELECT 1;
