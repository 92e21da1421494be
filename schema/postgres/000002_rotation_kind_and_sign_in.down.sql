-- Back to schema 1: sessions keep working (their sign-in details are lost),
-- and every previous key loads its session again during its window.
CREATE INDEX IF NOT EXISTS sessiongen_sessions_owner
    ON sessiongen_sessions (owner) WHERE owner IS NOT NULL;
DROP INDEX IF EXISTS sessiongen_sessions_owner_created;
ALTER TABLE sessiongen_sessions
    DROP CONSTRAINT IF EXISTS sessiongen_sessions_device_len,
    DROP CONSTRAINT IF EXISTS sessiongen_sessions_ip_prefix_len,
    DROP COLUMN IF EXISTS prev_refresh,
    DROP COLUMN IF EXISTS remember_me,
    DROP COLUMN IF EXISTS device,
    DROP COLUMN IF EXISTS ip_prefix;
