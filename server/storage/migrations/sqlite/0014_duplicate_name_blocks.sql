-- The on-entry duplicate check reads up to a hundred namesakes per create from the name-key
-- index; with the columns it compares (and owner_id, deleted_at for scope and liveness) in the
-- index they come from one index range instead of one table row each.
DROP INDEX contacts_name_key;
CREATE INDEX contacts_name_key ON contacts (
    tenant_id, name_key, id, first_name, middle_name, last_name, email, phone, phone_e164,
    birthday, owner_id, deleted_at
) WHERE name_key IS NOT NULL;

DROP INDEX leads_name_key;
CREATE INDEX leads_name_key ON leads (
    tenant_id, name_key, id, first_name, last_name, company_name, email, phone, phone_e164,
    owner_id, deleted_at
) WHERE name_key IS NOT NULL;

DROP INDEX companies_name_key;
CREATE INDEX companies_name_key ON companies (
    tenant_id, name_key, id, name, inn, website, email, phone, phone_e164, address, website_key,
    owner_id, deleted_at
) WHERE name_key IS NOT NULL;
