-- An API token's own rate limit in requests per minute; NULL: the server's --rate-limit.
ALTER TABLE api_tokens ADD COLUMN rate_limit BIGINT CHECK (rate_limit IS NULL OR rate_limit > 0);

-- Row-level security on tenant_id: a second guard behind the repository filters. Every
-- transaction states its tenant in voronka.tenant_id (or voronka.system = 'on' for the few
-- cross-tenant paths: sign-in, credential lookup, operator, migrations); a transaction that
-- states neither sees no tenant rows and cannot write any. FORCE applies the policies to the
-- tables' owner too, which is the role the server connects as. Superusers and BYPASSRLS roles
-- are never subject to them: the server must connect as an ordinary role.
--
-- The settings are read in sub-selects so that PostgreSQL evaluates them once per statement
-- (an InitPlan), not once per row.

CREATE FUNCTION voronka_protect_tenant_table(target regclass, key_column text DEFAULT 'tenant_id')
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', target);
    EXECUTE format(
        'CREATE POLICY tenant_isolation ON %s USING (%2$I = (SELECT NULLIF(current_setting(''voronka.tenant_id'', true), '''')::bigint) OR (SELECT current_setting(''voronka.system'', true) = ''on'')) WITH CHECK (%2$I = (SELECT NULLIF(current_setting(''voronka.tenant_id'', true), '''')::bigint) OR (SELECT current_setting(''voronka.system'', true) = ''on''))',
        target, key_column);
END
$$;

-- Every table with a tenant_id column, and the tenants table itself by its id. A later
-- migration that adds a tenant-owned table calls voronka_protect_tenant_table('its_name').
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT c.oid::regclass AS name
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
        WHERE c.relkind = 'r' AND n.nspname = current_schema()
    LOOP
        PERFORM voronka_protect_tenant_table(t.name);
    END LOOP;
END
$$;
SELECT voronka_protect_tenant_table('tenants', 'id');
