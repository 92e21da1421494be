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
-- last expiry that did not fit are picked up next time. The DELETE re-checks
-- the expiry in case a concurrent writer moved it.
WITH doomed AS (
    SELECT d.key FROM sessiongen_sessions d
     WHERE d.idle_expires_at >= sqlc.arg(from_expiry)::timestamptz
       AND d.idle_expires_at <= sqlc.arg(now)::timestamptz
     ORDER BY d.idle_expires_at
     LIMIT sqlc.arg(batch_size)::int
), deleted AS (
    DELETE FROM sessiongen_sessions s
     USING doomed
     WHERE s.key = doomed.key
       AND s.idle_expires_at <= sqlc.arg(now)::timestamptz
    RETURNING s.idle_expires_at
)
-- last_expiry falls back to from_expiry when nothing went (the store then
-- reports a zero time), so the column is never NULL.
SELECT count(*) AS deleted,
       COALESCE(max(idle_expires_at), sqlc.arg(from_expiry)::timestamptz)::timestamptz AS last_expiry
  FROM deleted;
