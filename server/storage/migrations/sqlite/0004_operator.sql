-- Service operator credentials (cloud mode): they manage tenants, never tenant data.
CREATE TABLE operator_tokens (
    token_hash TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
