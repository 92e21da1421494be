-- name: ListSessions :many
-- Keyset page in key order: the primary key serves it from after_key on, so
-- deep pages cost the same as the first.
SELECT `key`, owner, data, version, created_at, idle_expires_at, absolute_expires_at,
       prev_key, prev_expires_at, prev_refresh, remember_me, device, ip_prefix
  FROM sessiongen_sessions
 WHERE `key` > sqlc.arg(after_key)
 ORDER BY `key`
 LIMIT ?;

-- name: CountSessions :one
-- Live and expired (awaiting cleanup) sessions at now, in one scan.
SELECT CAST(COALESCE(SUM(idle_expires_at > sqlc.arg(now) AND absolute_expires_at > sqlc.arg(now)), 0) AS SIGNED) AS live,
       COUNT(*) AS total
  FROM sessiongen_sessions;

-- name: ListExpiredSessions :many
-- The first half of the MySQL cleanup path (MariaDB runs one DELETE ...
-- RETURNING instead, see mysqlstore/admin.go): the earliest limit
-- sessions whose idle expiry lies in [from_expiry, now], read from the
-- idle-expiry index from the cursor with a plain consistent read that locks
-- nothing. The bounds are inclusive, so sessions tied with the last expiry of
-- a batch are picked up by the next one; the idle expiry never exceeds the
-- absolute one, so absolutely expired sessions are caught too.
SELECT `key`, idle_expires_at
  FROM sessiongen_sessions
 WHERE idle_expires_at >= sqlc.arg(from_expiry)
   AND idle_expires_at <= sqlc.arg(now)
 ORDER BY idle_expires_at
 LIMIT ?;

-- name: DeleteExpiredKeys :execrows
-- The second half of the MySQL cleanup path: deletes the listed sessions by
-- primary key, re-checking the expiry, so that a session touched since it was
-- listed stays.
DELETE FROM sessiongen_sessions
 WHERE `key` IN (sqlc.slice(expired_keys))
   AND idle_expires_at <= sqlc.arg(now);
