-- name: AcquireLease :execrows
-- Takes a free or expired lease, or renews our own, in one statement: the
-- NOT EXISTS lets the row through unless another holder's lease is still
-- running, and the upsert then writes it. At least one row affected (1
-- inserted, 2 updated, 1 unchanged under clientFoundRows) means we hold it;
-- 0 that another holder does. An upsert is right here, unlike for sessions: a
-- lease row carries nothing that could be brought back to life.
INSERT INTO sessiongen_leases (name, holder, expires_at)
SELECT sqlc.arg(name), sqlc.arg(holder), sqlc.arg(expires_at)
  FROM DUAL
 WHERE NOT EXISTS (
       SELECT 1 FROM sessiongen_leases l
        WHERE l.name = sqlc.arg(name)
          AND l.holder <> sqlc.arg(holder)
          AND l.expires_at > sqlc.arg(now))
ON DUPLICATE KEY UPDATE holder = VALUES(holder), expires_at = VALUES(expires_at);

-- name: ReleaseLease :exec
-- Gives up holder's lease; a lease held by someone else is left alone.
DELETE FROM sessiongen_leases
 WHERE name = sqlc.arg(name) AND holder = sqlc.arg(holder);
