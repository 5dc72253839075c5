-- Data quality: matching keys and flags beside the values as typed (computed on every write by
-- the quality domain's hooks), likely duplicate pairs found by scans, and merges with their undo.

ALTER TABLE contacts ADD COLUMN email_key TEXT;
ALTER TABLE contacts ADD COLUMN name_latin TEXT;
ALTER TABLE contacts ADD COLUMN name_key TEXT;
ALTER TABLE contacts ADD COLUMN quality_flags TEXT;
CREATE INDEX contacts_email_key ON contacts (tenant_id, email_key) WHERE email_key IS NOT NULL;
CREATE INDEX contacts_name_key ON contacts (tenant_id, name_key) WHERE name_key IS NOT NULL;

ALTER TABLE companies ADD COLUMN email_key TEXT;
ALTER TABLE companies ADD COLUMN website_key TEXT;
ALTER TABLE companies ADD COLUMN inn_key TEXT;
ALTER TABLE companies ADD COLUMN name_key TEXT;
ALTER TABLE companies ADD COLUMN quality_flags TEXT;
CREATE INDEX companies_email_key ON companies (tenant_id, email_key) WHERE email_key IS NOT NULL;
CREATE INDEX companies_website_key ON companies (tenant_id, website_key) WHERE website_key IS NOT NULL;
CREATE INDEX companies_inn_key ON companies (tenant_id, inn_key) WHERE inn_key IS NOT NULL;
CREATE INDEX companies_name_key ON companies (tenant_id, name_key) WHERE name_key IS NOT NULL;
CREATE INDEX companies_phone_e164 ON companies (tenant_id, phone_e164) WHERE phone_e164 IS NOT NULL;

ALTER TABLE leads ADD COLUMN email_key TEXT;
ALTER TABLE leads ADD COLUMN name_latin TEXT;
ALTER TABLE leads ADD COLUMN name_key TEXT;
ALTER TABLE leads ADD COLUMN quality_flags TEXT;
ALTER TABLE leads ADD COLUMN duplicate_of_contact_id TEXT;
CREATE INDEX leads_email_key ON leads (tenant_id, email_key) WHERE email_key IS NOT NULL;
CREATE INDEX leads_name_key ON leads (tenant_id, name_key) WHERE name_key IS NOT NULL;
CREATE INDEX leads_duplicate_of_contact ON leads (tenant_id, duplicate_of_contact_id)
    WHERE duplicate_of_contact_id IS NOT NULL;

-- Pairs from the last scan of an entity (left_id < right_id); replaced by the next scan.
CREATE TABLE duplicate_pairs (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    entity TEXT NOT NULL,
    left_id TEXT NOT NULL,
    right_id TEXT NOT NULL,
    score REAL NOT NULL,
    reasons TEXT NOT NULL,
    scanned_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, entity, left_id, right_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX duplicate_pairs_score ON duplicate_pairs (tenant_id, entity, score);
CREATE INDEX duplicate_pairs_right ON duplicate_pairs (tenant_id, entity, right_id);

-- One row per merge: what the survivor's fields were and which references moved, for the undo.
CREATE TABLE merges (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    entity TEXT NOT NULL,
    survivor_id TEXT NOT NULL,
    other_id TEXT NOT NULL,
    changes TEXT NOT NULL,
    moved TEXT NOT NULL,
    created_by TEXT,
    created_at INTEGER NOT NULL,
    undone_by TEXT,
    undone_at INTEGER,
    PRIMARY KEY (tenant_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX merges_survivor ON merges (tenant_id, entity, survivor_id);
CREATE INDEX merges_other ON merges (tenant_id, entity, other_id);
