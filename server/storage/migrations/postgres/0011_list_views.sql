-- Saved list views (records::ListViewEntity): filters, sort and columns of one entity's list,
-- private to their owner or shared with the owner's team.

CREATE TABLE list_views (
    tenant_id BIGINT NOT NULL,
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    created_by TEXT,
    updated_by TEXT,
    deleted_at BIGINT,
    owner_id TEXT,
    custom JSONB NOT NULL DEFAULT '{}',
    entity TEXT,
    name TEXT,
    filters TEXT,
    sort TEXT,
    columns TEXT,
    visibility TEXT,
    is_default BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX list_views_updated ON list_views (tenant_id, updated_at, id);
CREATE INDEX list_views_deleted ON list_views (tenant_id, deleted_at) WHERE deleted_at IS NOT NULL;
-- The list's own views: a user's and those shared with the user's team.
CREATE INDEX list_views_owner ON list_views (tenant_id, owner_id, entity);
