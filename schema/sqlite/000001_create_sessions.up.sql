-- Sessions and cleanup leases for the embedded SQLite store: the same logical
-- model as schema/postgres. Times are INTEGER unix microseconds (UTC).
--
-- IF NOT EXISTS because golang-migrate's sqlite driver locks only inside one
-- process: if two processes start on a fresh file at once, the second one
-- re-running this file must converge instead of failing on "table exists".

CREATE TABLE IF NOT EXISTS sessiongen_sessions (
    -- SHA-256 of the session token; the token itself is never stored.
    key                 BLOB    NOT NULL PRIMARY KEY,
    -- NULL for an anonymous session, never ''.
    owner               TEXT,
    data                BLOB    NOT NULL,
    version             INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    idle_expires_at     INTEGER NOT NULL,
    absolute_expires_at INTEGER NOT NULL,
    -- The key before the last rotation; it still loads the session until
    -- prev_expires_at (the grace window). UNIQUE so that one old token can
    -- never address two sessions.
    prev_key            BLOB    UNIQUE,
    prev_expires_at     INTEGER,
    CONSTRAINT sessiongen_sessions_key_len CHECK (length(key) = 32),
    CONSTRAINT sessiongen_sessions_prev_key_len CHECK (prev_key IS NULL OR length(prev_key) = 32),
    CONSTRAINT sessiongen_sessions_prev_pair CHECK ((prev_key IS NULL) = (prev_expires_at IS NULL)),
    CONSTRAINT sessiongen_sessions_idle_le_absolute CHECK (idle_expires_at <= absolute_expires_at),
    CONSTRAINT sessiongen_sessions_version_positive CHECK (version > 0),
    CONSTRAINT sessiongen_sessions_owner_not_empty CHECK (owner <> '')
) STRICT;

-- Listing and revoking a user's sessions. Partial: anonymous sessions, usually
-- the majority, cost nothing here, and "owner = ?" still uses the index.
CREATE INDEX IF NOT EXISTS sessiongen_sessions_owner
    ON sessiongen_sessions (owner) WHERE owner IS NOT NULL;

-- Keyset cleanup walks expired sessions in idle-expiry order from a cursor.
CREATE INDEX IF NOT EXISTS sessiongen_sessions_idle_expires_at
    ON sessiongen_sessions (idle_expires_at);

-- One row per named lease (the cleanup leader election): a row, not a lock,
-- so that it also works across processes that share the file.
CREATE TABLE IF NOT EXISTS sessiongen_leases (
    name       TEXT    NOT NULL PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
