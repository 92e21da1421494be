-- name: CreateSession :execrows
-- Create-if-absent: a taken current key fails the primary key (ErrExists), a
-- key that is still some session's previous key (tombstones included) fails
-- the NOT EXISTS (0 rows, ErrExists too). Never overwrites. The idle expiry is
-- clamped to the absolute one.
INSERT INTO sessiongen_sessions
    (`key`, owner, data, version, created_at, idle_expires_at, absolute_expires_at,
     remember_me, device, ip_prefix)
SELECT sqlc.arg(session_key), sqlc.narg(owner), sqlc.arg(data), 1, sqlc.arg(created_at),
       LEAST(CAST(sqlc.arg(idle_expires_at) AS SIGNED), CAST(sqlc.arg(absolute_expires_at) AS SIGNED)),
       sqlc.arg(absolute_expires_at), sqlc.arg(remember_me), sqlc.arg(device), sqlc.arg(ip_prefix)
  FROM DUAL
 WHERE NOT EXISTS (SELECT 1 FROM sessiongen_sessions p WHERE p.prev_key = sqlc.arg(session_key));

-- name: LoadSession :one
-- The hit path of Load: the session whose current key is key, live or not
-- (the store tells which expiry passed). A plain primary-key lookup, one index
-- read. It returns the whole row, key included, like LoadSessionByPrevKey, so
-- that both read into one Go type and one conversion serves both (the key is
-- in the clustered index entry the lookup reads anyway). Only when it finds
-- nothing does the store run LoadSessionByPrevKey.
SELECT `key`, owner, data, version, created_at, idle_expires_at, absolute_expires_at,
       prev_key, prev_expires_at, prev_refresh, remember_me, device, ip_prefix
  FROM sessiongen_sessions
 WHERE `key` = sqlc.arg(session_key);

-- name: LoadSessionByPrevKey :one
-- The miss path of Load: the session whose previous key is key, live or not
-- (the store tells a grace key from a tombstone, and whether its window
-- passed). A second statement rather than `key = ? OR prev_key = ?`, whose
-- index-merge union made every hit read both indexes and then the row (three
-- handler reads instead of one).
SELECT `key`, owner, data, version, created_at, idle_expires_at, absolute_expires_at,
       prev_key, prev_expires_at, prev_refresh, remember_me, device, ip_prefix
  FROM sessiongen_sessions
 WHERE prev_key = sqlc.arg(session_key);

-- name: SaveSession :execresult
-- Writes owner, data and remember-me and moves the idle expiry forward (never
-- back, never past the absolute expiry) on the live session under key,
-- provided its version is still version. Never inserts.
--
-- The last condition also says why nothing was saved, in the same statement:
-- LAST_INSERT_ID(expr) returns expr and makes the server report it to the
-- client as the statement's insert id. The primary key finds the one row
-- (0 or 1) the condition is evaluated on, and it records that row's version
-- when the session is live, 0 otherwise. So: a row updated means saved (the
-- new version is version + 1); otherwise an insert id other than 0 is the
-- live session's version (ErrConflict), and 0 means no live session
-- (ErrNotFound).
UPDATE sessiongen_sessions
   SET owner = sqlc.narg(owner),
       data = sqlc.arg(data),
       remember_me = sqlc.arg(remember_me),
       version = version + 1,
       idle_expires_at = LEAST(GREATEST(idle_expires_at, CAST(sqlc.arg(idle_expires_at) AS SIGNED)), absolute_expires_at)
 WHERE `key` = sqlc.arg(session_key)
   AND LAST_INSERT_ID(IF(idle_expires_at > sqlc.arg(now) AND absolute_expires_at > sqlc.arg(now), version, 0))
       = sqlc.arg(version);

-- name: TouchSession :execrows
-- Moves the idle expiry of the live session under key forward, never back and
-- never past the absolute expiry. Rows matched, not changed, are counted
-- (clientFoundRows), so a touch to the expiry the row already has still
-- reports 1; 0 is ErrNotFound.
UPDATE sessiongen_sessions
   SET idle_expires_at = LEAST(GREATEST(idle_expires_at, CAST(sqlc.arg(idle_expires_at) AS SIGNED)), absolute_expires_at)
 WHERE `key` = sqlc.arg(session_key)
   AND idle_expires_at > sqlc.arg(now)
   AND absolute_expires_at > sqlc.arg(now);

-- name: RotateSession :execresult
-- Gives the live session under old_key the key new_key, keeping owner, data,
-- version, creation and expiry; old_key becomes its previous key of the
-- rotation's kind until grace_until, and the sign-in details are replaced.
-- Only a current key rotates, so an old token can never become current again.
-- A new_key taken as a current key fails the primary key (ErrExists).
--
-- As in SaveSession, the last condition reports through LAST_INSERT_ID, in one
-- expression (so that no reordering of conditions can skip it): 2 when the
-- session is live and new_key is free (differs from old_key and is no
-- session's previous key, tombstones included): rotated; 1 when it is live but
-- new_key is taken (ErrExists); 0 when there is no live session (ErrNotFound).
-- The previous-key probe reads a derived table with a LIMIT, which MySQL
-- materialises instead of merging: MySQL refuses a subquery on the table
-- being updated (error 1093). prev_key takes old_key, the value the condition
-- matched, not s.key: the server assigns left to right, and key has changed
-- by then.
UPDATE sessiongen_sessions s
   SET s.`key` = sqlc.arg(new_key),
       s.prev_key = sqlc.arg(old_key),
       s.prev_expires_at = CAST(sqlc.arg(grace_until) AS SIGNED),
       s.prev_refresh = sqlc.arg(refresh),
       s.remember_me = sqlc.arg(remember_me),
       s.device = sqlc.arg(device),
       s.ip_prefix = sqlc.arg(ip_prefix)
 WHERE s.`key` = sqlc.arg(old_key)
   AND LAST_INSERT_ID(
         IF(s.idle_expires_at > sqlc.arg(now) AND s.absolute_expires_at > sqlc.arg(now),
            IF(s.`key` <> sqlc.arg(new_key) AND NOT EXISTS (
                   SELECT 1 FROM (SELECT 1 FROM sessiongen_sessions t WHERE t.prev_key = sqlc.arg(new_key) LIMIT 1) taken),
               2, 1),
            0)) = 2;

-- name: DeleteSession :exec
-- A current key deletes whatever its state; a previous key only while its
-- window lasts, the session is live and the key is a refresh's grace key (a
-- tombstone deletes nothing). Index-merge union, like Load.
DELETE FROM sessiongen_sessions
 WHERE `key` = sqlc.arg(session_key)
    OR (prev_key = sqlc.arg(session_key)
        AND prev_refresh
        AND prev_expires_at > CAST(sqlc.arg(now) AS SIGNED)
        AND idle_expires_at > sqlc.arg(now)
        AND absolute_expires_at > sqlc.arg(now));
