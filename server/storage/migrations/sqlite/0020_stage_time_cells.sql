-- deal_stage_time_cells: deal_stage_times counted per pipeline, stage and cell of time, so the
-- velocity of a whole pipeline reads the cells and then only the rows of the cells around the
-- median (analytics/sales/stage_time_cells.hpp). kind 'f': a finished row (no open span), by its
-- time: hour-wide cells (bucket 0..17519) below 730 days, day-wide (17520..20439) below 3,650
-- days, 30 days wide beyond, -1 below zero. kind 'o': an open row, by the day of its effective start
-- (open_at minus its finished time), so its cell covers a day of times at any request time.
-- kind 'u': neither. offset_micros sums each row's value minus its cell's base. Rows that drop to
-- zero deals stay until the next recount; readers skip them.
CREATE TABLE deal_stage_time_cells (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    pipeline_id TEXT NOT NULL,
    stage_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    deals INTEGER NOT NULL,
    offset_micros INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, pipeline_id, stage_id, kind, bucket)
) STRICT, WITHOUT ROWID;

-- The rows of the cells around a median, by finished time and by effective start. open_at and
-- closed_micros are index columns so the rows are read from the index alone (SQLite checks a
-- partial index's WHERE columns in the table row unless the index holds them).
CREATE INDEX deal_stage_times_finished
    ON deal_stage_times (tenant_id, stage_id, pipeline_id, closed_micros, open_at)
    WHERE open_at IS NULL;
CREATE INDEX deal_stage_times_open_start
    ON deal_stage_times (tenant_id, stage_id, pipeline_id, (open_at - COALESCE(closed_micros, 0)),
                         open_at, closed_micros)
    WHERE open_at IS NOT NULL;

-- The same recount as analytics::RebuildStageTimeCells, for databases that already hold deals.
INSERT INTO deal_stage_time_cells (tenant_id, pipeline_id, stage_id, kind, bucket, deals, offset_micros)
SELECT tenant_id, pipeline_id, stage_id, kind, bucket, COUNT(*),
       CAST(SUM(v - CASE kind WHEN 'o' THEN bucket * 86400000000 WHEN 'u' THEN 0 ELSE
                    CASE WHEN bucket < 0 THEN 0
                         WHEN bucket < 17520 THEN bucket * 3600000000
                         WHEN bucket < 20440 THEN 63072000000000 + (bucket - 17520) * 86400000000
                         ELSE 315360000000000 + (bucket - 20440) * 2592000000000 END END) AS BIGINT)
FROM (SELECT tenant_id, pipeline_id, stage_id, kind, v,
             CASE kind WHEN 'o' THEN v / 86400000000 WHEN 'u' THEN 0 ELSE
                 CASE WHEN v < 0 THEN -1
                      WHEN v < 63072000000000 THEN v / 3600000000
                      WHEN v < 315360000000000 THEN 17520 + (v - 63072000000000) / 86400000000
                      ELSE 20440 + (v - 315360000000000) / 2592000000000 END END AS bucket
      FROM (SELECT tenant_id, pipeline_id, stage_id,
                   CASE WHEN open_at IS NOT NULL THEN 'o' WHEN closed_micros IS NOT NULL THEN 'f'
                        ELSE 'u' END AS kind,
                   CASE WHEN open_at IS NOT NULL THEN open_at - COALESCE(closed_micros, 0)
                        ELSE COALESCE(closed_micros, 0) END AS v
            FROM deal_stage_times) t) b
GROUP BY tenant_id, pipeline_id, stage_id, kind, bucket;
