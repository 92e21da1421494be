-- Store contract v2 (docs/SCHEMA.md).
--
-- prev_refresh: what prev_key still does until prev_expires_at. true after a
-- token refresh (it loads the session: a grace key); false after a privilege
-- rotation such as a login (a tombstone: loading by it answers "superseded"
-- and grants nothing). The default makes every previous key written before
-- this migration (all of them by logins) a tombstone: the safe reading.
--
-- remember_me, device, ip_prefix: what the session records about its last
-- sign-in, written on create and rotation (remember_me also on save), never on
-- a touch. None is indexed, so saves and touches stay HOT.
ALTER TABLE sessiongen_sessions
    ADD COLUMN prev_refresh boolean NOT NULL DEFAULT false,
    ADD COLUMN remember_me  boolean NOT NULL DEFAULT false,
    ADD COLUMN device       text    NOT NULL DEFAULT '',
    ADD COLUMN ip_prefix    text    NOT NULL DEFAULT '',
    ADD CONSTRAINT sessiongen_sessions_device_len CHECK (octet_length(device) <= 128),
    ADD CONSTRAINT sessiongen_sessions_ip_prefix_len CHECK (octet_length(ip_prefix) <= 43);

-- Device lists read one owner's newest sessions with a limit: an index in that
-- order reads only the rows it returns, however many sessions the owner has.
-- It replaces the index on owner alone (it serves "owner = ?" as well). None
-- of its columns changes on a save or touch, so those stay HOT.
--
-- On a large table, CREATE INDEX blocks writes while it builds: create the
-- index CONCURRENTLY under this name before upgrading, and this statement
-- keeps it (docs/OPERATIONS.md).
CREATE INDEX IF NOT EXISTS sessiongen_sessions_owner_created
    ON sessiongen_sessions (owner, created_at DESC, key) WHERE owner IS NOT NULL;
DROP INDEX IF EXISTS sessiongen_sessions_owner;
