-- Sales operational core: pipelines, deals, product lines, leads, activities, distribution,
-- products and price lists. Built-in columns of entities served by the record engine.

-- Pipelines and their ordered stages (kind open|won|lost).
CREATE TABLE pipelines (
    tenant_id BIGINT NOT NULL,
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    created_by TEXT,
    updated_by TEXT,
    deleted_at BIGINT,
    custom JSONB NOT NULL DEFAULT '{}',
    name TEXT,
    archived BIGINT,
    sort_order BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX pipelines_updated ON pipelines (tenant_id, updated_at, id);
CREATE INDEX pipelines_deleted ON pipelines (tenant_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX pipelines_sort ON pipelines (tenant_id, sort_order, id);

CREATE TABLE stages (
    tenant_id BIGINT NOT NULL,
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    created_by TEXT,
    updated_by TEXT,
    deleted_at BIGINT,
    custom JSONB NOT NULL DEFAULT '{}',
    pipeline_id TEXT,
    name TEXT,
    probability BIGINT,
    kind TEXT,
    position BIGINT,
    archived BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX stages_updated ON stages (tenant_id, updated_at, id);
CREATE INDEX stages_deleted ON stages (tenant_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX stages_pipeline ON stages (tenant_id, pipeline_id, position, id);

-- Deals: status mirrors the kind of the stage; money in minor units of `currency`.
CREATE TABLE deals (
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
    title TEXT,
    pipeline_id TEXT,
    stage_id TEXT,
    status TEXT,
    amount BIGINT,
    currency TEXT,
    amount_from_lines BIGINT,
    expected_close_date TEXT,
    probability BIGINT,
    contact_id TEXT,
    company_id TEXT,
    source TEXT,
    tags TEXT,
    loss_reason TEXT,
    description TEXT,
    stage_changed_at BIGINT,
    won_at BIGINT,
    lost_at BIGINT,
    closed_at BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX deals_updated ON deals (tenant_id, updated_at, id);
CREATE INDEX deals_deleted ON deals (tenant_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX deals_owner_id ON deals (tenant_id, owner_id, status, id);
CREATE INDEX deals_board ON deals (tenant_id, pipeline_id, stage_id, currency, amount, owner_id) WHERE deleted_at IS NULL;
CREATE INDEX deals_stage_cards ON deals (tenant_id, pipeline_id, stage_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX deals_contact_id ON deals (tenant_id, contact_id, id);
CREATE INDEX deals_company_id ON deals (tenant_id, company_id, id);
CREATE INDEX deals_status_closed ON deals (tenant_id, status, closed_at);

-- Product lines of a deal; amount/tax_amount/total are computed exactly per line.
CREATE TABLE deal_lines (
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
    deal_id TEXT,
    product_id TEXT,
    name TEXT,
    quantity DOUBLE PRECISION,
    unit TEXT,
    price_list_id TEXT,
    price BIGINT,
    currency TEXT,
    discount_percent DOUBLE PRECISION,
    tax_percent DOUBLE PRECISION,
    amount BIGINT,
    tax_amount BIGINT,
    total BIGINT,
    position BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX deal_lines_updated ON deal_lines (tenant_id, updated_at, id);
CREATE INDEX deal_lines_deleted ON deal_lines (tenant_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX deal_lines_deal ON deal_lines (tenant_id, deal_id, position, id);

-- Leads: first touches before conversion into contact, company and deal.
CREATE TABLE leads (
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
    company_name TEXT,
    email TEXT,
    phone TEXT,
    phone_e164 TEXT,
    message TEXT,
    source TEXT,
    channel TEXT,
    utm_source TEXT,
    utm_medium TEXT,
    utm_campaign TEXT,
    utm_content TEXT,
    utm_term TEXT,
    campaign TEXT,
    status TEXT,
    converted_contact_id TEXT,
    converted_company_id TEXT,
    converted_deal_id TEXT,
    converted_at BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX leads_updated ON leads (tenant_id, updated_at, id);
CREATE INDEX leads_deleted ON leads (tenant_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX leads_owner_id ON leads (tenant_id, owner_id, status, id);
CREATE INDEX leads_status ON leads (tenant_id, status, id);
CREATE INDEX leads_email ON leads (tenant_id, email, id);
CREATE INDEX leads_phone_e164 ON leads (tenant_id, phone_e164, id);
CREATE INDEX leads_converted_contact ON leads (tenant_id, converted_contact_id) WHERE converted_contact_id IS NOT NULL;
CREATE INDEX leads_converted_company ON leads (tenant_id, converted_company_id) WHERE converted_company_id IS NOT NULL;
CREATE INDEX leads_converted_deal ON leads (tenant_id, converted_deal_id) WHERE converted_deal_id IS NOT NULL;

-- Calls, meetings, emails, notes and tasks attached to any record.
CREATE TABLE activities (
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
    type TEXT,
    subject TEXT,
    body TEXT,
    related_entity TEXT,
    related_id TEXT,
    assignee_id TEXT,
    due_at BIGINT,
    reminder_at BIGINT,
    priority TEXT,
    done BIGINT,
    done_at BIGINT,
    direction TEXT,
    duration_seconds BIGINT,
    result TEXT,
    recording_url TEXT,
    starts_at BIGINT,
    ends_at BIGINT,
    place TEXT,
    participants TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX activities_updated ON activities (tenant_id, updated_at, id);
CREATE INDEX activities_deleted ON activities (tenant_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX activities_related ON activities (tenant_id, related_entity, related_id, created_at, id);
CREATE INDEX activities_assignee_due ON activities (tenant_id, assignee_id, done, due_at);
CREATE INDEX activities_assignee_starts ON activities (tenant_id, assignee_id, starts_at);
CREATE INDEX activities_owner_id ON activities (tenant_id, owner_id, id);

-- Rules that hand new leads and deals to reps; round-robin pointer in distribution_state.
CREATE TABLE distribution_rules (
    tenant_id BIGINT NOT NULL,
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    created_by TEXT,
    updated_by TEXT,
    deleted_at BIGINT,
    custom JSONB NOT NULL DEFAULT '{}',
    name TEXT,
    entity TEXT,
    conditions TEXT,
    strategy TEXT,
    team_id TEXT,
    user_ids TEXT,
    first_task_minutes BIGINT,
    active BIGINT,
    position BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX distribution_rules_updated ON distribution_rules (tenant_id, updated_at, id);
CREATE INDEX distribution_rules_deleted ON distribution_rules (tenant_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX distribution_rules_entity ON distribution_rules (tenant_id, entity, position);

-- Product catalogue, price lists and prices.
CREATE TABLE products (
    tenant_id BIGINT NOT NULL,
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    created_by TEXT,
    updated_by TEXT,
    deleted_at BIGINT,
    custom JSONB NOT NULL DEFAULT '{}',
    name TEXT,
    sku TEXT,
    unit TEXT,
    category TEXT,
    description TEXT,
    active BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX products_updated ON products (tenant_id, updated_at, id);
CREATE INDEX products_deleted ON products (tenant_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX products_name ON products (tenant_id, name, id);
CREATE UNIQUE INDEX products_sku ON products (tenant_id, sku) WHERE deleted_at IS NULL AND sku IS NOT NULL;

CREATE TABLE price_lists (
    tenant_id BIGINT NOT NULL,
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    created_by TEXT,
    updated_by TEXT,
    deleted_at BIGINT,
    custom JSONB NOT NULL DEFAULT '{}',
    name TEXT,
    currency TEXT,
    kind TEXT,
    active BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX price_lists_updated ON price_lists (tenant_id, updated_at, id);
CREATE INDEX price_lists_deleted ON price_lists (tenant_id, deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE prices (
    tenant_id BIGINT NOT NULL,
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    created_by TEXT,
    updated_by TEXT,
    deleted_at BIGINT,
    custom JSONB NOT NULL DEFAULT '{}',
    price_list_id TEXT,
    product_id TEXT,
    price BIGINT,
    currency TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX prices_updated ON prices (tenant_id, updated_at, id);
CREATE INDEX prices_deleted ON prices (tenant_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX prices_product ON prices (tenant_id, product_id);
CREATE UNIQUE INDEX prices_list_product ON prices (tenant_id, price_list_id, product_id) WHERE deleted_at IS NULL;

-- Round-robin pointer of each distribution rule, advanced in the assigning transaction.
CREATE TABLE distribution_state (
    tenant_id BIGINT NOT NULL,
    rule_id TEXT NOT NULL,
    last_user_id TEXT,
    assigned_count BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, rule_id)
);

-- Timelines read a record's events newest first.
CREATE INDEX events_record_at ON events (tenant_id, entity, record_id, at);
