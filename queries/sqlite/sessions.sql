-- name: CreateSession :execrows
-- Create-if-absent: ON CONFLICT DO NOTHING refuses a taken current key, the
-- NOT EXISTS a key that is still some session's previous key (tombstones
-- included). Zero rows affected means ErrExists. The idle expiry never
-- exceeds the absolute one.
INSERT INTO sessiongen_sessions (
    key, owner, data, version, created_at, idle_expires_at, absolute_expires_at,
    remember_me, device, ip_prefix
)
SELECT
    CAST(sqlc.arg(key) AS BLOB),
    CAST(sqlc.narg(owner) AS TEXT),
    CAST(sqlc.arg(data) AS BLOB),
    1,
    CAST(sqlc.arg(created_at) AS INTEGER),
    MIN(CAST(sqlc.arg(idle_expires_at) AS INTEGER), CAST(sqlc.arg(absolute_expires_at) AS INTEGER)),
    CAST(sqlc.arg(absolute_expires_at) AS INTEGER),
    CAST(sqlc.arg(remember_me) AS INTEGER),
    CAST(sqlc.arg(device) AS TEXT),
    CAST(sqlc.arg(ip_prefix) AS TEXT)
WHERE NOT EXISTS (
    SELECT 1 FROM sessiongen_sessions AS s WHERE s.prev_key = sqlc.arg(key)
)
ON CONFLICT DO NOTHING;

-- name: LoadSession :one
-- The session whose current or previous key is key (at most one: a key is
-- never both). The store decides liveness from the row, so that it can say
-- whether a current key expired by idleness or by age, and whether a previous
-- key is a grace key or a tombstone.
SELECT key, owner, data, version, created_at, idle_expires_at, absolute_expires_at,
       prev_key, prev_expires_at, prev_refresh, remember_me, device, ip_prefix
FROM sessiongen_sessions
WHERE key = sqlc.arg(key) OR prev_key = sqlc.arg(key)
LIMIT 1;

-- name: SaveSession :one
-- Never an upsert: a deleted or expired session cannot come back. No row
-- returned means a version conflict or no live session (see LiveVersion).
UPDATE sessiongen_sessions
SET owner = sqlc.narg(owner),
    data = sqlc.arg(data),
    remember_me = CAST(sqlc.arg(remember_me) AS INTEGER),
    version = version + 1,
    idle_expires_at = MIN(MAX(idle_expires_at, CAST(sqlc.arg(idle_expires_at) AS INTEGER)), absolute_expires_at)
WHERE key = sqlc.arg(key)
  AND version = sqlc.arg(version)
  AND idle_expires_at > sqlc.arg(now)
  AND absolute_expires_at > sqlc.arg(now)
RETURNING version;

-- name: LiveVersion :one
-- Only on the failure path of SaveSession and RotateSession, to tell
-- ErrConflict / ErrExists (the session is live) from ErrNotFound.
SELECT version
FROM sessiongen_sessions
WHERE key = sqlc.arg(key)
  AND idle_expires_at > sqlc.arg(now)
  AND absolute_expires_at > sqlc.arg(now);

-- name: TouchSession :execrows
-- The idle expiry only moves forward, and never past the absolute expiry.
UPDATE sessiongen_sessions
SET idle_expires_at = MIN(MAX(idle_expires_at, CAST(sqlc.arg(idle_expires_at) AS INTEGER)), absolute_expires_at)
WHERE key = sqlc.arg(key)
  AND idle_expires_at > sqlc.arg(now)
  AND absolute_expires_at > sqlc.arg(now);

-- name: RotateSession :execrows
-- Only a current key rotates, so an old token can never become current again.
-- A new key taken as a current key fails the primary key (ErrExists); equal
-- to the old key, or taken as a previous key (this session's own included),
-- it fails the WHERE clause and no row changes.
UPDATE sessiongen_sessions
SET key = sqlc.arg(new_key),
    prev_key = sqlc.arg(old_key),
    prev_expires_at = CAST(sqlc.arg(grace_until) AS INTEGER),
    prev_refresh = CAST(sqlc.arg(refresh) AS INTEGER),
    remember_me = CAST(sqlc.arg(remember_me) AS INTEGER),
    device = CAST(sqlc.arg(device) AS TEXT),
    ip_prefix = CAST(sqlc.arg(ip_prefix) AS TEXT)
WHERE sessiongen_sessions.key = sqlc.arg(old_key)
  AND sessiongen_sessions.idle_expires_at > sqlc.arg(now)
  AND sessiongen_sessions.absolute_expires_at > sqlc.arg(now)
  AND sqlc.arg(new_key) <> sqlc.arg(old_key)
  AND NOT EXISTS (
      SELECT 1 FROM sessiongen_sessions AS s WHERE s.prev_key = sqlc.arg(new_key)
  );

-- name: DeleteSession :exec
-- A current key deletes whatever its state; a previous key only while its
-- window lasts, the session is live and the key is a refresh's grace key (a
-- tombstone deletes nothing).
DELETE FROM sessiongen_sessions
WHERE key = sqlc.arg(key)
   OR (prev_key = sqlc.arg(key)
       AND prev_refresh = 1
       AND prev_expires_at > CAST(sqlc.arg(now) AS INTEGER)
       AND idle_expires_at > sqlc.arg(now)
       AND absolute_expires_at > sqlc.arg(now));

-- name: DeleteOwnerSessions :execrows
DELETE FROM sessiongen_sessions
WHERE owner = CAST(sqlc.arg(owner) AS TEXT) AND key <> sqlc.arg(except_key);

-- name: DeleteOwnedSession :execrows
-- One live session of owner, by its current key; 0 rows means ErrNotFound.
DELETE FROM sessiongen_sessions
WHERE key = sqlc.arg(key)
  AND owner = CAST(sqlc.arg(owner) AS TEXT)
  AND idle_expires_at > sqlc.arg(now)
  AND absolute_expires_at > sqlc.arg(now);

-- name: TrimOwnerSessions :execrows
-- All of owner's sessions but except_key and the keep most recently used live
-- others (latest idle expiry, then newest, then key).
DELETE FROM sessiongen_sessions
WHERE sessiongen_sessions.owner = CAST(sqlc.arg(owner) AS TEXT)
  AND sessiongen_sessions.key <> sqlc.arg(except_key)
  AND sessiongen_sessions.key NOT IN (
      SELECT k.key FROM sessiongen_sessions AS k
      WHERE k.owner = CAST(sqlc.arg(owner) AS TEXT)
        AND k.key <> sqlc.arg(except_key)
        AND k.idle_expires_at > sqlc.arg(now)
        AND k.absolute_expires_at > sqlc.arg(now)
      ORDER BY k.idle_expires_at DESC, k.created_at DESC, k.key
      LIMIT sqlc.arg(keep)
  );

-- name: ListOwnerSessions :many
-- Up to page_size live sessions of owner, newest first, without data, in the
-- owner index's order.
SELECT key, owner, version, created_at, idle_expires_at, absolute_expires_at,
       prev_key, prev_expires_at, prev_refresh, remember_me, device, ip_prefix
FROM sessiongen_sessions
WHERE owner = CAST(sqlc.arg(owner) AS TEXT)
  AND idle_expires_at > sqlc.arg(now)
  AND absolute_expires_at > sqlc.arg(now)
ORDER BY created_at DESC, key
LIMIT sqlc.arg(page_size);

-- name: ListSessions :many
-- Keyset pagination in key order (BLOBs compare like bytes.Compare).
SELECT key, owner, data, version, created_at, idle_expires_at, absolute_expires_at,
       prev_key, prev_expires_at, prev_refresh, remember_me, device, ip_prefix
FROM sessiongen_sessions
WHERE key > sqlc.arg(after)
ORDER BY key
LIMIT sqlc.arg(page_size);

-- name: CountSessions :one
SELECT
    CAST(COALESCE(SUM(CASE WHEN idle_expires_at > sqlc.arg(now) AND absolute_expires_at > sqlc.arg(now)
                           THEN 1 ELSE 0 END), 0) AS INTEGER) AS live,
    CAST(COUNT(*) AS INTEGER) AS total
FROM sessiongen_sessions;

-- name: DeleteExpiredSessions :many
-- Keyset cleanup: the earliest batch_size sessions whose idle expiry lies in
-- [from_expiry, now], found through the idle-expiry index from the cursor
-- (never rescanned from its start). The bounds are inclusive, so sessions
-- tied with the last expiry of a batch are picked up by the next one. The
-- absolute expiry needs no test: idle_expires_at <= absolute_expires_at.
DELETE FROM sessiongen_sessions
WHERE key IN (
    SELECT s.key FROM sessiongen_sessions AS s
    WHERE s.idle_expires_at >= sqlc.arg(from_expiry)
      AND s.idle_expires_at <= sqlc.arg(now)
    ORDER BY s.idle_expires_at
    LIMIT sqlc.arg(batch_size)
)
RETURNING idle_expires_at;
