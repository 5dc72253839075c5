-- Stage history behind the funnel and velocity, kept by the deals' after-write hook in the
-- writing transaction, so neither widget reads the event log's JSON per request. '' stands for a
-- missing key value; owner_id is a column so a role's read scope and the owner/team filters apply.
--
-- deal_stage_times: per live deal and stage it moved to (a stage_id change in its events), the
-- time spent there: closed_micros sums its finished spans (NULL: none), open_at is the start of
-- the deal's last span when the deal is open and that span is in this stage (NULL otherwise), so
-- a request adds (now - open_at). Read by the velocity.
CREATE TABLE deal_stage_times (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    deal_id TEXT NOT NULL,
    stage_id TEXT NOT NULL,
    pipeline_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    closed_micros BIGINT,
    open_at BIGINT,
    PRIMARY KEY (tenant_id, deal_id, stage_id)
);

-- The velocity reads one pipeline's stages with the filter keys from this index alone.
CREATE INDEX deal_stage_times_stage ON deal_stage_times (
    tenant_id, stage_id, pipeline_id, owner_id, source, created_at
) INCLUDE (closed_micros, open_at);

-- deal_funnel_rollups: live deals counted per month of created_at (UTC), filter keys, current
-- stage and the set of stages the deal has been in (its current one and every stage_id change,
-- sorted ids joined by ','). The funnel turns a set into reached stages with the stages'
-- positions and kinds at request time, so reordering stages needs no recount. Month '*' rows add
-- up all months.
CREATE TABLE deal_funnel_rollups (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    month TEXT NOT NULL,
    pipeline_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    source TEXT NOT NULL,
    stage_id TEXT NOT NULL,
    visited TEXT NOT NULL,
    deals BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, month, pipeline_id, owner_id, source, stage_id, visited)
);

SELECT voronka_protect_tenant_table('deal_stage_times');
SELECT voronka_protect_tenant_table('deal_funnel_rollups');

-- The same recount as analytics::RebuildStageRollups, for databases that already hold deals.
INSERT INTO deal_stage_times
SELECT d.tenant_id, d.id, sp.stage_id, COALESCE(d.pipeline_id, ''), COALESCE(d.owner_id, ''),
       COALESCE(d.source, ''), d.created_at, CAST(SUM(sp.next_at - sp.at) AS BIGINT),
       MAX(CASE WHEN sp.next_at IS NULL AND d.status = 'open' THEN sp.at END)
FROM (SELECT tenant_id, record_id, at, (changes::jsonb -> 'stage_id' ->> 'to') AS stage_id,
             LEAD(at) OVER (PARTITION BY tenant_id, entity, record_id ORDER BY version) AS next_at
      FROM events
      WHERE entity = 'deals' AND (changes::jsonb -> 'stage_id' ->> 'to') IS NOT NULL) sp
JOIN deals d ON d.tenant_id = sp.tenant_id AND d.id = sp.record_id
WHERE d.deleted_at IS NULL
GROUP BY d.tenant_id, d.id, sp.stage_id;

INSERT INTO deal_funnel_rollups
SELECT tenant_id, month, pipeline_id, owner_id, source, stage_id, visited, COUNT(*)
FROM (SELECT d.tenant_id,
             to_char(TIMESTAMP 'epoch' + d.created_at * INTERVAL '1 microsecond', 'YYYY-MM')
                 AS month,
             COALESCE(d.pipeline_id, '') AS pipeline_id, COALESCE(d.owner_id, '') AS owner_id,
             COALESCE(d.source, '') AS source, COALESCE(d.stage_id, '') AS stage_id,
             COALESCE((SELECT string_agg(v.s, ',' ORDER BY v.s COLLATE "C") FROM (
                 SELECT t.stage_id AS s FROM deal_stage_times t
                 WHERE t.tenant_id = d.tenant_id AND t.deal_id = d.id
                 UNION SELECT d.stage_id WHERE d.stage_id IS NOT NULL) v), '') AS visited
      FROM deals d WHERE d.deleted_at IS NULL) x
GROUP BY tenant_id, month, pipeline_id, owner_id, source, stage_id, visited;

INSERT INTO deal_funnel_rollups
SELECT tenant_id, '*', pipeline_id, owner_id, source, stage_id, visited, SUM(deals)
FROM deal_funnel_rollups
GROUP BY tenant_id, pipeline_id, owner_id, source, stage_id, visited;
