-- Back to schema 1 (SQLite 3.35+ drops columns).
CREATE INDEX IF NOT EXISTS sessiongen_sessions_owner
    ON sessiongen_sessions (owner) WHERE owner IS NOT NULL;
DROP INDEX IF EXISTS sessiongen_sessions_owner_created;
ALTER TABLE sessiongen_sessions DROP COLUMN prev_refresh;
ALTER TABLE sessiongen_sessions DROP COLUMN remember_me;
ALTER TABLE sessiongen_sessions DROP COLUMN device;
ALTER TABLE sessiongen_sessions DROP COLUMN ip_prefix;
