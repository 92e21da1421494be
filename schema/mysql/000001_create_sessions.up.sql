-- Sessions on MariaDB / MySQL: the logical model of schema/postgres. Every
-- migration file here is ONE statement: DDL is not transactional on these
-- servers, so a file of several statements that failed halfway would be left
-- half-applied (and golang-migrate's mysql driver runs a file as one Exec).
--
-- `key` is the SHA-256 of the session token; the token itself is never stored.
-- owner is VARBINARY so that owners compare byte for byte: a case-insensitive
-- or PAD SPACE collation would let "Alice" or "alice " revoke alice's sessions.
-- Times are BIGINT unix microseconds (UTC): exact, the precision of the other
-- stores, and independent of the connection's time zone and of the servers'
-- differing rounding of fractional seconds (MySQL rounds, MariaDB truncates).
-- data holds up to 16 MiB (MEDIUMBLOB); the runtime caps it at 1 MiB.
CREATE TABLE sessiongen_sessions (
    `key`               BINARY(32)     NOT NULL,
    owner               VARBINARY(512) NULL,
    data                MEDIUMBLOB     NOT NULL,
    version             BIGINT         NOT NULL,
    created_at          BIGINT         NOT NULL,
    idle_expires_at     BIGINT         NOT NULL,
    absolute_expires_at BIGINT         NOT NULL,
    -- The key before the last rotation; it still loads the session until
    -- prev_expires_at (the grace window). Unique, so that one old token can
    -- never address two sessions (NULLs do not collide).
    prev_key            BINARY(32)     NULL,
    prev_expires_at     BIGINT         NULL,
    PRIMARY KEY (`key`),
    UNIQUE KEY sessiongen_sessions_prev_key (prev_key),
    -- Listing and revoking a user's sessions, newest first.
    KEY sessiongen_sessions_owner (owner, created_at),
    -- Keyset cleanup walks expired sessions in idle-expiry order from a cursor.
    KEY sessiongen_sessions_idle_expires_at (idle_expires_at),
    CONSTRAINT sessiongen_sessions_prev_pair CHECK ((prev_key IS NULL) = (prev_expires_at IS NULL)),
    CONSTRAINT sessiongen_sessions_idle_le_absolute CHECK (idle_expires_at <= absolute_expires_at),
    CONSTRAINT sessiongen_sessions_version_positive CHECK (version > 0),
    CONSTRAINT sessiongen_sessions_owner_not_empty CHECK (owner <> '')
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC;
