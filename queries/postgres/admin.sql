-- name: ListSessions :many
-- Keyset page in key order: the primary key index serves it from after_key on,
-- so deep pages cost the same as the first.
SELECT * FROM sessiongen_sessions
 WHERE key > sqlc.arg(after_key)::bytea
 ORDER BY key
 LIMIT sqlc.arg(page_size)::int;

-- name: CountSessions :one
-- Live and expired (awaiting cleanup) sessions at now, in one scan.
SELECT count(*) FILTER (WHERE idle_expires_at > sqlc.arg(now)::timestamptz
                          AND absolute_expires_at > sqlc.arg(now)::timestamptz) AS live,
       count(*) FILTER (WHERE idle_expires_at <= sqlc.arg(now)::timestamptz
                           OR absolute_expires_at <= sqlc.arg(now)::timestamptz) AS expired
  FROM sessiongen_sessions;

-- name: DeleteExpiredSessions :one
-- Deletes up to batch_size sessions whose idle expiry lies in [from_expiry,
-- now], earliest first, walking the idle_expires_at index from the cursor.
-- The idle expiry never exceeds the absolute one, so this also catches
-- absolutely expired sessions. The caller passes last_expiry back as the next
-- from_expiry: the range is inclusive, so rows tied with the previous batch's
-- last expiry that did not fit are picked up next time.
--
-- The batch is deleted by physical row id (a TID scan), not by joining back on
-- the key: the join costs a random primary-key probe per row, and at batches in
-- the thousands the planner turns it into a hash join over a sequential scan of
-- the whole table (docs/bench/cleanup.md: 4-10x slower). It is just as safe: a
-- row that a concurrent Save or Touch updated after the pick has a new row id,
-- so PostgreSQL's recheck skips it, and the expiry is re-checked on the row
-- that is deleted.
WITH deleted AS (
    DELETE FROM sessiongen_sessions
     WHERE ctid = ANY (ARRAY(
               SELECT d.ctid FROM sessiongen_sessions d
                WHERE d.idle_expires_at >= sqlc.arg(from_expiry)::timestamptz
                  AND d.idle_expires_at <= sqlc.arg(now)::timestamptz
                ORDER BY d.idle_expires_at
                LIMIT sqlc.arg(batch_size)::int))
       AND idle_expires_at <= sqlc.arg(now)::timestamptz
    RETURNING idle_expires_at
)
-- last_expiry falls back to from_expiry when nothing went (the store then
-- reports a zero time), so the column is never NULL.
SELECT count(*) AS deleted,
       COALESCE(max(idle_expires_at), sqlc.arg(from_expiry)::timestamptz)::timestamptz AS last_expiry
  FROM deleted;
