-- Sessions. One row per session, addressed by the SHA-256 of its token: the token
-- itself is never stored, so a leaked table or backup cannot be replayed.
-- docs/SCHEMA.md explains every column and index, and the HOT-update design.
CREATE TABLE sessiongen_sessions (
    key                 bytea       PRIMARY KEY,
    owner               text        NULL,
    data                bytea       NOT NULL,
    version             bigint      NOT NULL,
    created_at          timestamptz NOT NULL,
    idle_expires_at     timestamptz NOT NULL,
    absolute_expires_at timestamptz NOT NULL,
    prev_key            bytea       NULL,
    prev_expires_at     timestamptz NULL,
    CONSTRAINT sessiongen_sessions_key_len CHECK (octet_length(key) = 32),
    CONSTRAINT sessiongen_sessions_prev_key_len CHECK (prev_key IS NULL OR octet_length(prev_key) = 32),
    CONSTRAINT sessiongen_sessions_prev_pair CHECK ((prev_key IS NULL) = (prev_expires_at IS NULL)),
    CONSTRAINT sessiongen_sessions_idle_le_absolute CHECK (idle_expires_at <= absolute_expires_at),
    CONSTRAINT sessiongen_sessions_version_positive CHECK (version > 0),
    CONSTRAINT sessiongen_sessions_owner_not_empty CHECK (owner <> '')
) WITH (fillfactor = 90);

-- Listing and revoking a user's sessions. Partial: anonymous sessions (most rows)
-- stay out of it, and owner does not change on a save, so saves stay HOT.
CREATE INDEX sessiongen_sessions_owner ON sessiongen_sessions (owner) WHERE owner IS NOT NULL;

-- Loads and deletes by a rotated-away token during its grace window. Partial:
-- only recently rotated sessions carry a previous key. Unique so that one old
-- token can never address two sessions.
CREATE UNIQUE INDEX sessiongen_sessions_prev_key ON sessiongen_sessions (prev_key) WHERE prev_key IS NOT NULL;

-- Keyset cleanup: DeleteExpired walks expired rows in idle-expiry order from a
-- cursor. Saves that leave the expiry alone (the runtime moves it lazily) remain
-- HOT; only the saves that move it pay for this index.
CREATE INDEX sessiongen_sessions_idle_expires_at ON sessiongen_sessions (idle_expires_at);

-- Leases elect a single cleanup leader across processes and hosts (a row, not an
-- advisory lock, so it works on databases whose advisory locks are no-ops).
CREATE TABLE sessiongen_leases (
    name       text        PRIMARY KEY,
    holder     text        NOT NULL,
    expires_at timestamptz NOT NULL
);
