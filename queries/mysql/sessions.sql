-- name: CreateSession :execrows
-- Create-if-absent: a taken current key fails the primary key (ErrExists), a
-- key that is still some session's previous key fails the NOT EXISTS (0 rows,
-- ErrExists too). Never overwrites. The idle expiry is clamped to the absolute
-- one.
INSERT INTO sessiongen_sessions
    (`key`, owner, data, version, created_at, idle_expires_at, absolute_expires_at)
SELECT sqlc.arg(session_key), sqlc.narg(owner), sqlc.arg(data), 1, sqlc.arg(created_at),
       LEAST(CAST(sqlc.arg(idle_expires_at) AS SIGNED), CAST(sqlc.arg(absolute_expires_at) AS SIGNED)),
       sqlc.arg(absolute_expires_at)
  FROM DUAL
 WHERE NOT EXISTS (SELECT 1 FROM sessiongen_sessions p WHERE p.prev_key = sqlc.arg(session_key));

-- name: LoadSession :one
-- The session whose current or previous key is key (a key is never both), live
-- or not: the store tells which expiry passed. The two equalities are served
-- by an index-merge union of the primary key and the prev_key index.
SELECT `key`, owner, data, version, created_at, idle_expires_at, absolute_expires_at,
       prev_key, prev_expires_at
  FROM sessiongen_sessions
 WHERE `key` = sqlc.arg(session_key) OR prev_key = sqlc.arg(session_key)
 LIMIT 1;

-- name: SaveSession :execresult
-- Matches the live session under key whatever its version; writes owner, data
-- and the idle expiry (forward only, never past the absolute expiry) only when
-- the version is still version. Never inserts. Affected rows 0: ErrNotFound;
-- insert id 0: ErrConflict; otherwise the insert id is the new version.
UPDATE sessiongen_sessions
   SET owner = IF(version = sqlc.arg(version), CAST(sqlc.narg(owner) AS BINARY), owner),
       data = IF(version = sqlc.arg(version), CAST(sqlc.arg(data) AS BINARY), data),
       idle_expires_at = IF(version = sqlc.arg(version),
                            LEAST(GREATEST(idle_expires_at, CAST(sqlc.arg(idle_expires_at) AS SIGNED)), absolute_expires_at),
                            idle_expires_at),
       version = IF(version = sqlc.arg(version), LAST_INSERT_ID(version + 1), version)
 WHERE `key` = sqlc.arg(session_key)
   AND idle_expires_at > sqlc.arg(now)
   AND absolute_expires_at > sqlc.arg(now);

-- name: TouchSession :execrows
-- Moves the idle expiry of the live session under key forward, never back and
-- never past the absolute expiry. Rows matched, not changed, are counted, so
-- a touch to the expiry the row already has still reports 1; 0 is ErrNotFound.
UPDATE sessiongen_sessions
   SET idle_expires_at = LEAST(GREATEST(idle_expires_at, CAST(sqlc.arg(idle_expires_at) AS SIGNED)), absolute_expires_at)
 WHERE `key` = sqlc.arg(session_key)
   AND idle_expires_at > sqlc.arg(now)
   AND absolute_expires_at > sqlc.arg(now);

-- name: RotateSession :execresult
-- Matches the live session under old_key; gives it the key new_key, keeping
-- data and version, and keeps old_key loadable until grace_until, unless
-- new_key equals old_key or is some session's previous key. A new_key taken
-- as a current key fails the primary key (ErrExists). Affected rows 0:
-- ErrNotFound (only a current key rotates, so an old token can never become
-- current again); insert id 0: ErrExists; the version (never 0): rotated.
-- LAST_INSERT_ID's argument must read a column: with a constant one, the
-- server evaluates it once while optimising, whatever the condition says. The previous-key probe
-- reads a derived table with a LIMIT, which MySQL materialises instead of
-- merging: MySQL refuses a subquery on the table being updated (error 1093).
UPDATE sessiongen_sessions s
   SET s.prev_key = IF(s.`key` <> sqlc.arg(new_key) AND NOT EXISTS (
                         SELECT 1 FROM (SELECT 1 FROM sessiongen_sessions t WHERE t.prev_key = sqlc.arg(new_key) LIMIT 1) taken),
                     s.`key`, s.prev_key),
       s.prev_expires_at = IF(s.`key` <> sqlc.arg(new_key) AND NOT EXISTS (
                         SELECT 1 FROM (SELECT 1 FROM sessiongen_sessions t WHERE t.prev_key = sqlc.arg(new_key) LIMIT 1) taken),
                     CAST(sqlc.arg(grace_until) AS SIGNED), s.prev_expires_at),
       s.`key` = IF(s.`key` <> sqlc.arg(new_key) AND NOT EXISTS (
                         SELECT 1 FROM (SELECT 1 FROM sessiongen_sessions t WHERE t.prev_key = sqlc.arg(new_key) LIMIT 1) taken)
                  AND LAST_INSERT_ID(s.version),
                  sqlc.arg(new_key), s.`key`)
 WHERE s.`key` = sqlc.arg(old_key)
   AND s.idle_expires_at > sqlc.arg(now)
   AND s.absolute_expires_at > sqlc.arg(now);

-- name: DeleteSession :exec
-- A current key deletes whatever its state; a previous key only while its
-- grace window lasts and the session is live. Index-merge union, like Load.
DELETE FROM sessiongen_sessions
 WHERE `key` = sqlc.arg(session_key)
    OR (prev_key = sqlc.arg(session_key)
        AND prev_expires_at > CAST(sqlc.arg(now) AS SIGNED)
        AND idle_expires_at > sqlc.arg(now)
        AND absolute_expires_at > sqlc.arg(now));
