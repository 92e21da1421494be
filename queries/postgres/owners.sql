-- name: DeleteOwnerSessions :execrows
-- Revokes every session of owner (live or not) except the one whose current key
-- is except_key (a key no session has spares none).
DELETE FROM sessiongen_sessions
 WHERE owner = sqlc.arg(owner)::text AND key <> sqlc.arg(except_key)::bytea;

-- name: DeleteOwnedSession :execrows
-- Revokes one live session of owner by its current key: a primary-key probe
-- that checks the owner too. 0 rows means ErrNotFound (not the owner's, or no
-- such live session): nothing is deleted.
DELETE FROM sessiongen_sessions
 WHERE key = sqlc.arg(key)::bytea
   AND owner = sqlc.arg(owner)::text
   AND idle_expires_at > sqlc.arg(now)::timestamptz
   AND absolute_expires_at > sqlc.arg(now)::timestamptz;

-- name: TrimOwnerSessions :execrows
-- Caps owner's sessions: deletes all but except_key and the keep most recently
-- used live others (latest idle expiry, then newest, then key). The owner
-- index finds the owner's rows; with the cap enforced on every sign-in there
-- are at most a few more than keep to rank.
DELETE FROM sessiongen_sessions
 WHERE owner = sqlc.arg(owner)::text
   AND key <> sqlc.arg(except_key)::bytea
   AND key NOT IN (
       SELECT k.key FROM sessiongen_sessions k
        WHERE k.owner = sqlc.arg(owner)::text
          AND k.key <> sqlc.arg(except_key)::bytea
          AND k.idle_expires_at > sqlc.arg(now)::timestamptz
          AND k.absolute_expires_at > sqlc.arg(now)::timestamptz
        ORDER BY k.idle_expires_at DESC, k.created_at DESC, k.key
        LIMIT sqlc.arg(keep)::int);

-- name: ListOwnerSessions :many
-- Up to page_size live sessions of owner, newest first (key breaks ties for a
-- stable order), without data: the owner index yields them in this order, so
-- the scan stops after the rows it returns.
SELECT key, owner, version, created_at, idle_expires_at, absolute_expires_at, prev_key, prev_expires_at,
       prev_refresh, remember_me, device, ip_prefix
  FROM sessiongen_sessions
 WHERE owner = sqlc.arg(owner)::text
   AND idle_expires_at > sqlc.arg(now)::timestamptz
   AND absolute_expires_at > sqlc.arg(now)::timestamptz
 ORDER BY created_at DESC, key
 LIMIT sqlc.arg(page_size)::int;
