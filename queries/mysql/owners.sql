-- name: DeleteOwnerSessions :execrows
-- Revokes every session of owner (live or not) except the one whose current key
-- is except_key (a key no session has spares none).
DELETE FROM sessiongen_sessions
 WHERE owner = sqlc.arg(owner) AND `key` <> sqlc.arg(except_key);

-- name: ListOwnerSessions :many
-- The live sessions of owner, newest first (key breaks ties for a stable order),
-- from the (owner, created_at) index.
SELECT `key`, owner, data, version, created_at, idle_expires_at, absolute_expires_at,
       prev_key, prev_expires_at
  FROM sessiongen_sessions
 WHERE owner = sqlc.arg(owner)
   AND idle_expires_at > sqlc.arg(now)
   AND absolute_expires_at > sqlc.arg(now)
 ORDER BY created_at DESC, `key`;
