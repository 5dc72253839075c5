-- Tenants, users, credentials, the event log and platform bookkeeping.
CREATE TABLE tenants (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    default_region TEXT NOT NULL DEFAULT 'RU',
    default_currency TEXT NOT NULL DEFAULT 'RUB',
    meta_version INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE teams (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    head_user_id TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE users (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    team_id TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    locale TEXT NOT NULL DEFAULT 'ru',
    time_zone TEXT NOT NULL DEFAULT 'Europe/Moscow',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX users_email ON users (email);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    read_only INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX api_tokens_user ON api_tokens (tenant_id, user_id);

CREATE TABLE sessions (
    session_hash TEXT PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    remote_address TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (tenant_id, user_id);

CREATE TABLE login_failures (
    key TEXT NOT NULL,
    at INTEGER NOT NULL
) STRICT;
CREATE INDEX login_failures_key ON login_failures (key, at);

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}',
    remote_address TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, seq);

-- Every change to a record: history, revert, recycle bin and consumers read this by cursor.
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL,
    entity TEXT NOT NULL,
    record_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    action TEXT NOT NULL,
    actor_id TEXT,
    at INTEGER NOT NULL,
    changes TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX events_record ON events (tenant_id, entity, record_id, version);
CREATE INDEX events_tenant_seq ON events (tenant_id, seq);

CREATE TABLE idempotency_keys (
    tenant_id INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE custom_fields (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    entity TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    label TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '[]',
    required INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, entity, name)
) STRICT, WITHOUT ROWID;

-- Global search: one document per record; FTS5 rows share rowid with search_docs.
CREATE TABLE search_docs (
    doc_id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    entity TEXT NOT NULL,
    record_id TEXT NOT NULL,
    title TEXT NOT NULL,
    owner_id TEXT
) STRICT;
CREATE UNIQUE INDEX search_docs_record ON search_docs (tenant_id, entity, record_id);
CREATE VIRTUAL TABLE search_fts USING fts5(
    tenant_key, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
);
