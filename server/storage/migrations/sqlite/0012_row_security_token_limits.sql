-- An API token's own rate limit in requests per minute; NULL: the server's --rate-limit.
-- (Row-level security on tenant_id, the other half of this migration, exists on PostgreSQL
-- only: an embedded SQLite database serves one process and relies on the repository filters.)
ALTER TABLE api_tokens ADD COLUMN rate_limit INTEGER CHECK (rate_limit IS NULL OR rate_limit > 0);
