-- Customer figures summed per contact owner, so the RFM and CLV widgets read a few rows per
-- owner instead of every customer, and a role that sees only its own or its team's contacts sums
-- its owners' rows. Only customers whose contact is live count. '' stands for no owner.
--
-- rfm_segment_rollups: customer_metrics per owner and segment; the row with currency '' counts
-- the customers, one row per currency counts those with revenue in it and sums that revenue. Kept by the metrics upkeep (per order
-- write and the full rescoring) and the contacts' after-write hook (owner change, delete,
-- restore), in the writing transaction.
CREATE TABLE rfm_segment_rollups (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    owner_id TEXT NOT NULL,
    segment TEXT NOT NULL,
    currency TEXT NOT NULL,
    customers INTEGER NOT NULL,
    revenue_minor INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, owner_id, segment, currency)
) STRICT, WITHOUT ROWID;

-- clv_owner_rollups: clv_customers per owner, written with every refit and kept by the
-- contacts' after-write hook.
CREATE TABLE clv_owner_rollups (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    owner_id TEXT NOT NULL,
    customers INTEGER NOT NULL,
    clv_minor INTEGER NOT NULL,
    expected_purchases REAL NOT NULL,
    PRIMARY KEY (tenant_id, owner_id)
) STRICT, WITHOUT ROWID;

INSERT INTO rfm_segment_rollups
SELECT m.tenant_id, COALESCE(c.owner_id, ''), m.segment, '', COUNT(*), 0
FROM customer_metrics m
JOIN contacts c ON c.tenant_id = m.tenant_id AND c.id = m.contact_id AND c.deleted_at IS NULL
GROUP BY m.tenant_id, COALESCE(c.owner_id, ''), m.segment;

INSERT INTO rfm_segment_rollups
SELECT m.tenant_id, COALESCE(c.owner_id, ''), m.segment, j.key, COUNT(*), SUM(j.value)
FROM customer_metrics m
JOIN contacts c ON c.tenant_id = m.tenant_id AND c.id = m.contact_id AND c.deleted_at IS NULL,
     json_each(m.revenue) j
WHERE j.type = 'integer' AND j.key <> ''
GROUP BY m.tenant_id, COALESCE(c.owner_id, ''), m.segment, j.key;

-- The CLV widget's top customers, read in this order until the limit.
CREATE INDEX clv_customers_top ON clv_customers (tenant_id, clv_minor DESC, contact_id);

INSERT INTO clv_owner_rollups
SELECT k.tenant_id, COALESCE(c.owner_id, ''), COUNT(*), SUM(k.clv_minor),
       SUM(k.expected_purchases)
FROM clv_customers k
JOIN contacts c ON c.tenant_id = k.tenant_id AND c.id = k.contact_id AND c.deleted_at IS NULL
GROUP BY k.tenant_id, COALESCE(c.owner_id, '');
