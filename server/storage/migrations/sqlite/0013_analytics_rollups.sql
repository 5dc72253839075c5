-- Analytics roll-ups: live deals and leads counted and summed per calendar month (UTC) and per
-- every key an analytics filter narrows by, kept by the after-write hooks in the writing
-- transaction, so win/loss, forecast, plan vs fact and sources read a few thousand rows instead
-- of every deal and lead. Keyed by owner, so a role that sees only its own or its team's records
-- and the owner/team filters sum owners' rows. '' stands for a missing key value.
--
-- A deal is in up to two rows of deal_period_rollups, one per basis that applies to it:
--   closed    won or lost deals, by the month of closed_at      (win/loss)
--   won       won deals, by the month of won_at                 (forecast actuals, plan vs fact,
--                                                                sources revenue)
--   expected  open deals, by the month of expected_close_date   (forecast pipeline)
-- `amounts` counts the deals with an amount (a currency whose deals all lack one shows no sum);
-- weighted_minor is the sum of amount * probability (percent), as the forecast weights it.
-- Month '*' rows add up all months (and records without a date): figures without a date range
-- read those few rows instead of every month's.
CREATE TABLE deal_period_rollups (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    basis TEXT NOT NULL,
    month TEXT NOT NULL,
    pipeline_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    loss_reason TEXT NOT NULL,
    currency TEXT NOT NULL,
    deals INTEGER NOT NULL,
    amounts INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,
    weighted_minor INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, basis, month, pipeline_id, owner_id, source, status, loss_reason,
                 currency)
) STRICT, WITHOUT ROWID;

-- Leads by the month of created_at, with how many of them are converted.
CREATE TABLE lead_period_rollups (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    month TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    source TEXT NOT NULL,
    campaign TEXT NOT NULL,
    leads INTEGER NOT NULL,
    converted INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, month, owner_id, source, campaign)
) STRICT, WITHOUT ROWID;

-- The same recount as analytics::RebuildPeriodRollups, for databases that already hold deals.
INSERT INTO deal_period_rollups
SELECT tenant_id, basis, month, COALESCE(pipeline_id, ''), COALESCE(owner_id, ''),
       COALESCE(source, ''), status, COALESCE(loss_reason, ''), COALESCE(currency, ''), COUNT(*),
       COUNT(amount), COALESCE(SUM(amount), 0), COALESCE(SUM(amount * COALESCE(probability, 0)), 0)
FROM (SELECT d.*, 'closed' AS basis,
             COALESCE(strftime('%Y-%m', closed_at / 1000000, 'unixepoch'), '') AS month
      FROM deals d WHERE deleted_at IS NULL AND status IN ('won', 'lost')
      UNION ALL
      SELECT d.*, 'won', COALESCE(strftime('%Y-%m', won_at / 1000000, 'unixepoch'), '')
      FROM deals d WHERE deleted_at IS NULL AND status = 'won'
      UNION ALL
      SELECT d.*, 'expected', COALESCE(substr(expected_close_date, 1, 7), '')
      FROM deals d WHERE deleted_at IS NULL AND status = 'open')
GROUP BY tenant_id, basis, month, COALESCE(pipeline_id, ''), COALESCE(owner_id, ''),
         COALESCE(source, ''), status, COALESCE(loss_reason, ''), COALESCE(currency, '');

INSERT INTO lead_period_rollups
SELECT tenant_id, strftime('%Y-%m', created_at / 1000000, 'unixepoch'), COALESCE(owner_id, ''),
       COALESCE(source, ''), COALESCE(campaign, ''), COUNT(*),
       SUM(CASE WHEN status = 'converted' THEN 1 ELSE 0 END)
FROM leads WHERE deleted_at IS NULL
GROUP BY 1, 2, 3, 4, 5;

INSERT INTO deal_period_rollups
SELECT tenant_id, basis, '*', pipeline_id, owner_id, source, status, loss_reason, currency,
       SUM(deals), SUM(amounts), SUM(amount_minor), SUM(weighted_minor)
FROM deal_period_rollups
GROUP BY tenant_id, basis, pipeline_id, owner_id, source, status, loss_reason, currency;

INSERT INTO lead_period_rollups
SELECT tenant_id, '*', owner_id, source, campaign, SUM(leads), SUM(converted)
FROM lead_period_rollups
GROUP BY tenant_id, owner_id, source, campaign;

-- The customer metrics recount reads every live completed order's customer, time, currency and
-- amount: from this index alone, in customer order, instead of one random row read per order.
-- status and deleted_at are columns too, although the WHERE fixes them: SQLite 3.40 reads a
-- partial index's WHERE columns from the table row otherwise.
CREATE INDEX orders_customer_metrics
    ON orders (tenant_id, contact_id, ordered_at, currency, amount, status, deleted_at)
    WHERE deleted_at IS NULL AND status = 'completed';

-- Co-purchase counts behind the next best offer, kept with every order write: the lines each
-- customer bought per product ("id:<product_id>", else "sku:<sku>"), and per ordered pair of
-- products the customers who bought both (a product paired with itself: its buyers). Filled by
-- `voronka analytics rebuild-rollups`, which reads every order's lines.
CREATE TABLE customer_products (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL,
    product_key TEXT NOT NULL,
    lines INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, contact_id, product_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE product_copurchases (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    product_key TEXT NOT NULL,
    other_key TEXT NOT NULL,
    customers INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, product_key, other_key)
) STRICT, WITHOUT ROWID;

-- How an offered product is shown: the id, SKU and name of its last line written.
CREATE TABLE product_labels (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    product_key TEXT NOT NULL,
    product_id TEXT,
    sku TEXT,
    name TEXT,
    PRIMARY KEY (tenant_id, product_key)
) STRICT, WITHOUT ROWID;
