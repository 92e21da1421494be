-- name: AcquireLease :execrows
-- Takes a free or expired lease, or renews our own, in one statement: the
-- NOT EXISTS lets the row through unless another holder's lease is still
-- running, and the upsert then writes it. One row affected means we hold it.
-- (The gate is not in a DO UPDATE ... WHERE because sqlc leaves parameters
-- there unrewritten.) An upsert is right here, unlike for sessions: a lease
-- row carries no data that could be brought back to life.
INSERT INTO sessiongen_leases (name, holder, expires_at)
SELECT CAST(sqlc.arg(name) AS TEXT), CAST(sqlc.arg(holder) AS TEXT), CAST(sqlc.arg(expires_at) AS INTEGER)
WHERE NOT EXISTS (
    SELECT 1 FROM sessiongen_leases AS l
    WHERE l.name = sqlc.arg(name)
      AND l.holder <> sqlc.arg(holder)
      AND l.expires_at > sqlc.arg(now)
)
ON CONFLICT (name) DO UPDATE
SET holder = excluded.holder, expires_at = excluded.expires_at;

-- name: ReleaseLease :exec
DELETE FROM sessiongen_leases
WHERE name = sqlc.arg(name) AND holder = sqlc.arg(holder);
