-- name: DeleteOwnerSessions :execrows
-- Revokes every session of owner (live or not) except the one whose current key
-- is except_key (a key no session has spares none).
DELETE FROM sessiongen_sessions
 WHERE owner = sqlc.arg(owner) AND `key` <> sqlc.arg(except_key);

-- name: DeleteOwnedSession :execrows
-- Revokes one live session of owner by its current key: a primary-key probe
-- that checks the owner too. 0 rows means ErrNotFound (not the owner's, or no
-- such live session): nothing is deleted.
DELETE FROM sessiongen_sessions
 WHERE `key` = sqlc.arg(session_key)
   AND owner = sqlc.arg(owner)
   AND idle_expires_at > sqlc.arg(now)
   AND absolute_expires_at > sqlc.arg(now);

-- name: TrimOwnerSessions :execrows
-- Caps owner's sessions: deletes all but except_key and the keep (the LIMIT)
-- most recently used live others (latest idle expiry, then newest, then key).
-- The owner index finds the owner's rows; with the cap enforced on every
-- sign-in there are at most a few more than keep to rank. The keepers are a
-- derived table: both servers refuse a LIMIT inside IN (error 1235), and
-- MySQL a subquery on the table being deleted from (error 1093), but not a
-- derived table, which they materialise first.
DELETE FROM sessiongen_sessions
 WHERE sessiongen_sessions.owner = sqlc.arg(owner)
   AND sessiongen_sessions.`key` <> sqlc.arg(except_key)
   AND sessiongen_sessions.`key` NOT IN (
       SELECT kept.`key` FROM (
           SELECT k.`key` FROM sessiongen_sessions k
            WHERE k.owner = sqlc.arg(owner)
              AND k.`key` <> sqlc.arg(except_key)
              AND k.idle_expires_at > sqlc.arg(now)
              AND k.absolute_expires_at > sqlc.arg(now)
            ORDER BY k.idle_expires_at DESC, k.created_at DESC, k.`key`
            LIMIT ?) kept);

-- name: ListOwnerSessions :many
-- Up to a page (the LIMIT) of owner's live sessions, newest first (key breaks
-- ties for a stable order), without data: the (owner, created_at DESC, key)
-- index yields them in this order, so the scan stops after the rows it
-- returns.
SELECT `key`, owner, version, created_at, idle_expires_at, absolute_expires_at,
       prev_key, prev_expires_at, prev_refresh, remember_me, device, ip_prefix
  FROM sessiongen_sessions
 WHERE owner = sqlc.arg(owner)
   AND idle_expires_at > sqlc.arg(now)
   AND absolute_expires_at > sqlc.arg(now)
 ORDER BY created_at DESC, `key`
 LIMIT ?;
