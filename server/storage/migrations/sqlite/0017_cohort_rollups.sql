-- Cohorts without reading every order: customer_months holds, per customer, each calendar month
-- (UTC) in which it has a live completed order; cohort_rollups counts the customers of live
-- contacts per owner, cohort (their first such month) and active month, so the widget reads a
-- few rows per owner and a role that sees only its own or its team's contacts sums its owners'
-- rows. Kept with every order write, merge and contact owner change, delete and restore, in the
-- writing transaction; bulk loads recount them. '' stands for no owner.
CREATE TABLE customer_months (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL,
    month TEXT NOT NULL,
    PRIMARY KEY (tenant_id, contact_id, month)
) STRICT, WITHOUT ROWID;

CREATE TABLE cohort_rollups (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    owner_id TEXT NOT NULL,
    cohort TEXT NOT NULL,
    month TEXT NOT NULL,
    customers INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, owner_id, cohort, month)
) STRICT, WITHOUT ROWID;

INSERT INTO customer_months
SELECT DISTINCT tenant_id, contact_id, strftime('%Y-%m', ordered_at / 1000000, 'unixepoch')
FROM orders
WHERE deleted_at IS NULL AND status = 'completed' AND ordered_at IS NOT NULL
  AND contact_id IS NOT NULL;

INSERT INTO cohort_rollups
SELECT m.tenant_id, COALESCE(c.owner_id, ''), f.cohort, m.month, COUNT(*)
FROM customer_months m
JOIN (SELECT tenant_id, contact_id, MIN(month) AS cohort FROM customer_months
      GROUP BY tenant_id, contact_id) f
    ON f.tenant_id = m.tenant_id AND f.contact_id = m.contact_id
JOIN contacts c ON c.tenant_id = m.tenant_id AND c.id = m.contact_id AND c.deleted_at IS NULL
GROUP BY m.tenant_id, COALESCE(c.owner_id, ''), f.cohort, m.month;
