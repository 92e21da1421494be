-- name: CreateSession :execrows
-- Inserts a session unless its key is taken as a current key (ON CONFLICT) or as
-- some session's previous key, tombstones included (NOT EXISTS): 0 rows means
-- ErrExists. Never overwrites. The idle expiry is clamped to the absolute one.
INSERT INTO sessiongen_sessions (key, owner, data, version, created_at, idle_expires_at, absolute_expires_at,
                                 remember_me, device, ip_prefix)
SELECT sqlc.arg(key)::bytea, NULLIF(sqlc.arg(owner)::text, ''), sqlc.arg(data)::bytea, 1,
       sqlc.arg(created_at)::timestamptz,
       LEAST(sqlc.arg(idle_expires_at)::timestamptz, sqlc.arg(absolute_expires_at)::timestamptz),
       sqlc.arg(absolute_expires_at)::timestamptz,
       sqlc.arg(remember_me)::boolean, sqlc.arg(device)::text, sqlc.arg(ip_prefix)::text
WHERE NOT EXISTS (SELECT 1 FROM sessiongen_sessions p WHERE p.prev_key = sqlc.arg(key)::bytea)
ON CONFLICT (key) DO NOTHING;

-- name: LoadSession :one
-- The hit path of Load: the session whose current key is key, live or not (the
-- store reports which expiry passed). A plain primary-key probe, the cheapest
-- statement PostgreSQL has; key itself is not read back (the caller has it).
-- Only when it finds nothing does the store run LoadSessionByPrevKey.
SELECT owner, data, version, created_at, idle_expires_at, absolute_expires_at, prev_key, prev_expires_at,
       prev_refresh, remember_me, device, ip_prefix
  FROM sessiongen_sessions
 WHERE key = sqlc.arg(key)::bytea;

-- name: LoadSessionByPrevKey :one
-- The miss path of Load: the session whose previous key is key within its
-- window (the store answers ErrSuperseded for a tombstone). A second single
-- statement rather than a UNION ALL branch of LoadSession, which cost the hit
-- path ~9% of server throughput (docs/bench/ceiling.md).
SELECT * FROM sessiongen_sessions
 WHERE prev_key = sqlc.arg(key)::bytea AND prev_expires_at > sqlc.arg(now)::timestamptz;

-- name: SaveSession :one
-- Writes owner, data and remember-me and moves the idle expiry forward
-- (GREATEST: never back; LEAST: never past the absolute expiry) on the live
-- session under key, provided its version is still version. Never inserts.
-- Returns the new version; no row means nothing was saved, and only then does
-- the store ask LiveSessionVersion why (a conflict or a missing session).
UPDATE sessiongen_sessions
   SET owner = NULLIF(sqlc.arg(owner)::text, ''),
       data = sqlc.arg(data)::bytea,
       remember_me = sqlc.arg(remember_me)::boolean,
       version = version + 1,
       idle_expires_at = LEAST(GREATEST(idle_expires_at, sqlc.arg(idle_expires_at)::timestamptz), absolute_expires_at)
 WHERE key = sqlc.arg(key)::bytea
   AND version = sqlc.arg(version)::bigint
   AND idle_expires_at > sqlc.arg(now)::timestamptz
   AND absolute_expires_at > sqlc.arg(now)::timestamptz
RETURNING version;

-- name: LiveSessionVersion :one
-- Only after a SaveSession that saved nothing: the version of the live session
-- under key tells a lost race (ErrConflict) from a missing or expired session
-- (no row: ErrNotFound).
SELECT version FROM sessiongen_sessions
 WHERE key = sqlc.arg(key)::bytea
   AND idle_expires_at > sqlc.arg(now)::timestamptz
   AND absolute_expires_at > sqlc.arg(now)::timestamptz;

-- name: TouchSession :execrows
-- Moves the idle expiry of the live session under key forward, never back and
-- never past the absolute expiry. 0 rows means ErrNotFound.
UPDATE sessiongen_sessions
   SET idle_expires_at = LEAST(GREATEST(idle_expires_at, sqlc.arg(idle_expires_at)::timestamptz), absolute_expires_at)
 WHERE key = sqlc.arg(key)::bytea
   AND idle_expires_at > sqlc.arg(now)::timestamptz
   AND absolute_expires_at > sqlc.arg(now)::timestamptz;

-- name: RotateSession :one
-- Gives the live session under old_key the key new_key, keeping data and
-- version; old_key becomes its previous key until grace_until, a grace key
-- (refresh) or a tombstone, and the sign-in details are replaced. A new_key in
-- use as a current key fails with a unique violation (ErrExists); in use as a
-- previous key (or equal to old_key) it leaves rotated false while old_live is
-- true.
WITH rotated AS (
    UPDATE sessiongen_sessions s
       SET key = sqlc.arg(new_key)::bytea,
           prev_key = s.key,
           prev_expires_at = sqlc.arg(grace_until)::timestamptz,
           prev_refresh = sqlc.arg(refresh)::boolean,
           remember_me = sqlc.arg(remember_me)::boolean,
           device = sqlc.arg(device)::text,
           ip_prefix = sqlc.arg(ip_prefix)::text
     WHERE s.key = sqlc.arg(old_key)::bytea
       AND s.idle_expires_at > sqlc.arg(now)::timestamptz
       AND s.absolute_expires_at > sqlc.arg(now)::timestamptz
       AND sqlc.arg(new_key)::bytea <> sqlc.arg(old_key)::bytea
       AND NOT EXISTS (SELECT 1 FROM sessiongen_sessions p WHERE p.prev_key = sqlc.arg(new_key)::bytea)
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM rotated) AS rotated,
       EXISTS (SELECT 1 FROM sessiongen_sessions o
                WHERE o.key = sqlc.arg(old_key)::bytea
                  AND o.idle_expires_at > sqlc.arg(now)::timestamptz
                  AND o.absolute_expires_at > sqlc.arg(now)::timestamptz) AS old_live;

-- name: DeleteSession :exec
-- Removes the session whose current key is key, or whose previous key is key
-- while its window lasts, it is live and the key is a refresh's grace key (a
-- tombstone deletes nothing). Deleting nothing is not an error.
DELETE FROM sessiongen_sessions
 WHERE key = sqlc.arg(key)::bytea
    OR (prev_key = sqlc.arg(key)::bytea
        AND prev_refresh
        AND prev_expires_at > sqlc.arg(now)::timestamptz
        AND idle_expires_at > sqlc.arg(now)::timestamptz
        AND absolute_expires_at > sqlc.arg(now)::timestamptz);
