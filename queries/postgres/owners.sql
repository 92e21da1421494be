-- name: DeleteOwnerSessions :execrows
-- Revokes every session of owner (live or not) except the one whose current key
-- is except_key (a key no session has spares none).
DELETE FROM sessiongen_sessions
 WHERE owner = sqlc.arg(owner)::text AND key <> sqlc.arg(except_key)::bytea;

-- name: ListOwnerSessions :many
-- The live sessions of owner, newest first (key breaks ties for a stable order).
SELECT * FROM sessiongen_sessions
 WHERE owner = sqlc.arg(owner)::text
   AND idle_expires_at > sqlc.arg(now)::timestamptz
   AND absolute_expires_at > sqlc.arg(now)::timestamptz
 ORDER BY created_at DESC, key;
