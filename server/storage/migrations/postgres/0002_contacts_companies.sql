-- Contacts and companies: built-in columns of the record engine's first entities.

CREATE TABLE contacts (
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
    first_name TEXT,
    last_name TEXT,
    middle_name TEXT,
    position TEXT,
    email TEXT,
    phone TEXT,
    phone_e164 TEXT,
    company_id TEXT,
    birthday TEXT,
    source TEXT,
    notes TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX contacts_updated ON contacts (tenant_id, updated_at, id);
CREATE INDEX contacts_deleted ON contacts (tenant_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX contacts_last_name ON contacts (tenant_id, last_name, id);
CREATE INDEX contacts_email ON contacts (tenant_id, email, id);
CREATE INDEX contacts_phone_e164 ON contacts (tenant_id, phone_e164, id);
CREATE INDEX contacts_company_id ON contacts (tenant_id, company_id, id);
CREATE INDEX contacts_owner_id ON contacts (tenant_id, owner_id, id);

CREATE TABLE companies (
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
    name TEXT,
    inn TEXT,
    website TEXT,
    phone TEXT,
    phone_e164 TEXT,
    email TEXT,
    address TEXT,
    industry TEXT,
    notes TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX companies_updated ON companies (tenant_id, updated_at, id);
CREATE INDEX companies_deleted ON companies (tenant_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX companies_name ON companies (tenant_id, name, id);
CREATE INDEX companies_inn ON companies (tenant_id, inn, id);
CREATE INDEX companies_owner_id ON companies (tenant_id, owner_id, id);
