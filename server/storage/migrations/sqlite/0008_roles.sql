-- Custom roles: per-tenant permission rules; users.role holds a built-in name or a role id.
CREATE TABLE roles (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    rules TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX roles_name ON roles (tenant_id, name_key);
CREATE INDEX users_role ON users (tenant_id, role);

-- Bumped with every role change so that cached permissions are rebuilt on the next request.
ALTER TABLE tenants ADD COLUMN roles_version INTEGER NOT NULL DEFAULT 0;
