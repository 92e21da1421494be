-- Store contract v2: the same columns as schema/postgres 000002 (docs/SCHEMA.md).
--
-- prev_refresh: 1 when prev_key is a refresh rotation's grace key (it loads
-- the session), 0 for a privilege rotation's tombstone (loading by it answers
-- "superseded"). The default makes every previous key written before this
-- migration (all of them by logins) a tombstone: the safe reading.
--
-- SQLite has no ADD COLUMN IF NOT EXISTS: migrate a file from one process at a
-- time (sqlitestore.Migrate says so).
ALTER TABLE sessiongen_sessions ADD COLUMN prev_refresh INTEGER NOT NULL DEFAULT 0
    CHECK (prev_refresh IN (0, 1));
ALTER TABLE sessiongen_sessions ADD COLUMN remember_me INTEGER NOT NULL DEFAULT 0
    CHECK (remember_me IN (0, 1));
ALTER TABLE sessiongen_sessions ADD COLUMN device TEXT NOT NULL DEFAULT ''
    CHECK (length(CAST(device AS BLOB)) <= 128);
ALTER TABLE sessiongen_sessions ADD COLUMN ip_prefix TEXT NOT NULL DEFAULT ''
    CHECK (length(ip_prefix) <= 43);

-- Device lists read an owner's newest sessions with a limit, in index order.
CREATE INDEX IF NOT EXISTS sessiongen_sessions_owner_created
    ON sessiongen_sessions (owner, created_at DESC, key) WHERE owner IS NOT NULL;
DROP INDEX IF EXISTS sessiongen_sessions_owner;
