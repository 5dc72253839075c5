-- A list page is chosen from its sort keys alone before its rows are read. With owner_id and
-- deleted_at in the list indexes, a team- or own-scoped page skips the rows of other owners
-- inside the index instead of reading each of them from the table.
DROP INDEX contacts_updated;
CREATE INDEX contacts_updated ON contacts (tenant_id, updated_at, id, owner_id, deleted_at);
DROP INDEX contacts_last_name;
CREATE INDEX contacts_last_name ON contacts (tenant_id, last_name, id, owner_id, deleted_at);
DROP INDEX contacts_last_name_updated;
CREATE INDEX contacts_last_name_updated ON contacts (
    tenant_id, last_name, updated_at, id, owner_id, deleted_at
);
-- Contacts of one source, newest first (a list view's filter on a column with few values).
CREATE INDEX contacts_source_updated ON contacts (
    tenant_id, source, updated_at, id, owner_id, deleted_at
);

DROP INDEX companies_updated;
CREATE INDEX companies_updated ON companies (tenant_id, updated_at, id, owner_id, deleted_at);
DROP INDEX companies_name;
CREATE INDEX companies_name ON companies (tenant_id, name, id, owner_id, deleted_at);

DROP INDEX deals_updated;
CREATE INDEX deals_updated ON deals (tenant_id, updated_at, id, owner_id, deleted_at);
DROP INDEX leads_updated;
CREATE INDEX leads_updated ON leads (tenant_id, updated_at, id, owner_id, deleted_at);
DROP INDEX activities_updated;
CREATE INDEX activities_updated ON activities (tenant_id, updated_at, id, owner_id, deleted_at);

-- The members of a team, for the team scope of every owned entity.
CREATE INDEX users_team ON users (tenant_id, team_id, id);
