-- Purchases (orders) and what analytics keeps per customer: metrics with RFM scores, CLV fits.

CREATE TABLE orders (
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
    contact_id TEXT,
    ordered_at BIGINT,
    amount BIGINT,
    currency TEXT,
    channel TEXT,
    store TEXT,
    deal_id TEXT,
    external_id TEXT,
    status TEXT,
    lines TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX orders_updated ON orders (tenant_id, updated_at, id);
CREATE INDEX orders_deleted ON orders (tenant_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX orders_contact ON orders (tenant_id, contact_id, ordered_at);
CREATE INDEX orders_deal ON orders (tenant_id, deal_id) WHERE deal_id IS NOT NULL;
-- Re-imports find what they already wrote; deleted orders keep their external id reserved.
CREATE UNIQUE INDEX orders_external ON orders (tenant_id, external_id) WHERE external_id IS NOT NULL;

-- The contact's segment from the last RFM scoring, so contact lists filter by it.
ALTER TABLE contacts ADD COLUMN rfm_segment TEXT;
CREATE INDEX contacts_rfm_segment ON contacts (tenant_id, rfm_segment) WHERE rfm_segment IS NOT NULL;

-- One row per contact with at least one completed order; revenue is per currency (JSON object of
-- minor units) and, for scoring, in the tenant's default currency.
CREATE TABLE customer_metrics (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL,
    first_order_at BIGINT NOT NULL,
    last_order_at BIGINT NOT NULL,
    last_order_day BIGINT NOT NULL,
    orders_count BIGINT NOT NULL,
    purchase_days BIGINT NOT NULL,
    orders_last_year BIGINT NOT NULL,
    revenue TEXT NOT NULL,
    monetary_minor BIGINT NOT NULL,
    r_score BIGINT NOT NULL,
    f_score BIGINT NOT NULL,
    m_score BIGINT NOT NULL,
    segment TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, contact_id)
);
CREATE INDEX customer_metrics_segment ON customer_metrics (tenant_id, segment);

-- The last CLV fit of a tenant and its per-customer results.
CREATE TABLE clv_fits (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    params TEXT NOT NULL,
    fitted_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id)
);

CREATE TABLE clv_customers (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL,
    p_alive DOUBLE PRECISION NOT NULL,
    expected_purchases DOUBLE PRECISION NOT NULL,
    expected_spend_minor BIGINT NOT NULL,
    clv_minor BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, contact_id)
);
CREATE INDEX clv_customers_value ON clv_customers (tenant_id, clv_minor);
