-- Sales and marketing analytics: plans per rep or team, campaign costs, saved reports, and the
-- indexes the analytics queries (funnel, forecast, plan vs fact, sources) read by.

-- A sales target for one month: for a user (owner_id) or a team (team_id), in one currency.
CREATE TABLE sales_plans (
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
    period TEXT,
    team_id TEXT,
    amount BIGINT,
    currency TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX sales_plans_updated ON sales_plans (tenant_id, updated_at, id);
CREATE INDEX sales_plans_deleted ON sales_plans (tenant_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX sales_plans_period ON sales_plans (tenant_id, period, owner_id, team_id);

-- Marketing spend per source (and campaign) and month, for lead cost and ROI.
CREATE TABLE campaign_costs (
    tenant_id BIGINT NOT NULL,
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    created_by TEXT,
    updated_by TEXT,
    deleted_at BIGINT,
    custom JSONB NOT NULL DEFAULT '{}',
    source TEXT,
    campaign TEXT,
    period TEXT,
    amount BIGINT,
    currency TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX campaign_costs_updated ON campaign_costs (tenant_id, updated_at, id);
CREATE INDEX campaign_costs_deleted ON campaign_costs (tenant_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX campaign_costs_period ON campaign_costs (tenant_id, period, source, campaign);

-- Saved report-builder definitions; shared_team_id lets a team run its owner's report.
CREATE TABLE reports (
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
    definition TEXT,
    shared_team_id TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX reports_updated ON reports (tenant_id, updated_at, id);
CREATE INDEX reports_deleted ON reports (tenant_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX reports_owner_id ON reports (tenant_id, owner_id, id);
CREATE INDEX reports_shared_team ON reports (tenant_id, shared_team_id) WHERE shared_team_id IS NOT NULL;

-- Funnel and velocity read a pipeline's deals by creation time; forecast reads open deals by
-- expected close date and won deals by won_at; sources reads leads by source and creation time.
CREATE INDEX deals_pipeline_created ON deals (tenant_id, pipeline_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX deals_status_expected ON deals (tenant_id, status, expected_close_date) WHERE deleted_at IS NULL;
CREATE INDEX deals_won_at ON deals (tenant_id, won_at, owner_id) WHERE status = 'won' AND deleted_at IS NULL;
CREATE INDEX leads_source_created ON leads (tenant_id, source, created_at) WHERE deleted_at IS NULL;
