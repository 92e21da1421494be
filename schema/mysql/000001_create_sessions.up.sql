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
    -- The key before the last rotation, recognised until prev_expires_at:
    -- after a token refresh (prev_refresh) it still loads the session (a
    -- grace key); after a privilege rotation such as a login it is a
    -- tombstone (loading by it answers "superseded" and grants nothing).
    -- Unique, so that one old token can never address two sessions (NULLs do
    -- not collide).
    prev_key            BINARY(32)     NULL,
    prev_expires_at     BIGINT         NULL,
    prev_refresh        BOOLEAN        NOT NULL DEFAULT FALSE,
    -- What the session records of its last sign-in, written on create and
    -- rotation (remember_me also on save), never on a touch: a persistent
    -- cookie, a short device summary (UTF-8, at most 128 bytes) and the
    -- client's network as a masked prefix ("203.0.113.0/24").
    remember_me         BOOLEAN        NOT NULL DEFAULT FALSE,
    device              VARBINARY(128) NOT NULL DEFAULT '',
    ip_prefix           VARBINARY(43)  NOT NULL DEFAULT '',
    PRIMARY KEY (`key`),
    UNIQUE KEY sessiongen_sessions_prev_key (prev_key),
    -- Device lists (an owner's newest sessions, with a limit) read this index
    -- in its order and stop after the rows they return; revoking and capping
    -- an owner's sessions find them here.
    KEY sessiongen_sessions_owner_created (owner, created_at DESC, `key`),
    -- Keyset cleanup walks expired sessions in idle-expiry order from a cursor.
    KEY sessiongen_sessions_idle_expires_at (idle_expires_at),
    CONSTRAINT sessiongen_sessions_prev_pair CHECK ((prev_key IS NULL) = (prev_expires_at IS NULL)),
    CONSTRAINT sessiongen_sessions_idle_le_absolute CHECK (idle_expires_at <= absolute_expires_at),
    CONSTRAINT sessiongen_sessions_version_positive CHECK (version > 0),
    CONSTRAINT sessiongen_sessions_owner_not_empty CHECK (owner <> '')
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC;
